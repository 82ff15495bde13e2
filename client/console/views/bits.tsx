/** Small pieces several screens share: a tier badge, a deadline with its live countdown. */
import { nextStep, tierLabel } from '../../../domain/labels';
import { dueIn, localTime } from '../../../domain/wording';
import type { CaseListing } from '../../../common/case-reads';

export function TierBadge({ tier }: { tier: string | null | undefined }) {
  const t = tier && tier !== '' ? tier : 'UNRATED';
  return <span class={`tier tier-${t}`}>{t === 'UNRATED' ? 'Not rated' : tierLabel(t)}</span>;
}

/** A deadline: UK local time and how soon or late, in the one wording (updated live by /static/console.js). */
export function Deadline({ dueAt, now }: { dueAt: string; now: string }) {
  return (
    <>
      <span class="due">{localTime(dueAt)}</span>
      <br />
      <time class={`countdown${dueAt <= now ? ' late' : ''}`} datetime={dueAt} data-countdown>
        {dueIn(dueAt, now)}
      </time>
    </>
  );
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * Open cases as the list and the dashboard show them, from their summaries: overdue ones marked,
 * each with its most overdue obligation (and how late), what to do about it, its allocated worker
 * and its next deadline.
 */
export function CaseTable(props: { cases: readonly CaseListing[]; now: string; id?: string; deadlineHeading: string; empty: string }) {
  return (
    <table class="data" id={props.id}>
      <thead>
        <tr>
          <th>Case</th>
          <th>Team</th>
          <th>Tier</th>
          <th>Allocated worker</th>
          <th class="num">Overdue</th>
          <th>Most overdue</th>
          <th>What to do</th>
          <th>{props.deadlineHeading}</th>
        </tr>
      </thead>
      <tbody>
        {props.cases.length > 0 ? (
          props.cases.map((c) => (
            <tr class={c.overdueCount > 0 ? 'row-overdue' : ''}>
              <td>
                <a href={`/cases/${encodeURIComponent(c.caseId)}`}>{c.caseId}</a>
              </td>
              <td>{c.team}</td>
              <td>
                <TierBadge tier={c.tier} />
              </td>
              <td class="worker">{c.worker ?? <span class="muted">none</span>}</td>
              <td class="num">{c.overdueCount > 0 ? <span class="pill pill-late">{c.overdueCount}</span> : '0'}</td>
              <td class="most-overdue">
                {c.mostOverdue ? (
                  <>
                    {c.mostOverdue.title}
                    <br />
                    <span class="pill pill-late">{dueIn(c.mostOverdue.dueAt, props.now)}</span>
                  </>
                ) : (
                  <span class="muted">none</span>
                )}
              </td>
              <td class="next-step">{(c.mostOverdue && nextStep(c.mostOverdue.kind)) ?? <span class="muted">nothing overdue</span>}</td>
              <td>{c.nextDueAt ? <Deadline dueAt={c.nextDueAt} now={props.now} /> : <span class="muted">none</span>}</td>
            </tr>
          ))
        ) : (
          <tr>
            <td colSpan={8} class="muted">
              {props.empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
