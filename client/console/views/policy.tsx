/**
 * A case's policy and its dated local protocols (overlays) as they stand today, and the notice
 * administrators get about a protocol still in force past its review date.
 */
import { DateTime } from 'luxon';
import type { Overlay } from '../../../domain/policy';
import { LEGAL_ZONE } from '../../../domain/time-zone';
import { type CasePolicy, overlayStanding, type OverlayStanding } from '../policies';

/** A Europe/London date as staff read it ("Mon 13 Jul 2020"), machine-readable in its datetime. */
export function LocalDate({ date }: { date: string }) {
  return <time datetime={date}>{DateTime.fromISO(date, { zone: LEGAL_ZONE }).toFormat('ccc d LLL yyyy')}</time>;
}

const STANDING: Record<OverlayStanding, { label: string; pill: string }> = {
  'not-yet': { label: 'not yet in force', pill: 'pill' },
  'in-force': { label: 'in force', pill: 'pill pill-ok' },
  'past-review': { label: 'in force, past its review date', pill: 'pill pill-late' },
  ended: { label: 'ended', pill: 'pill' },
};

/** "Policy" in the case's facts: name, id and version, or what is known of the version. */
export function PolicyName({ policy }: { policy: CasePolicy }) {
  if (policy.found !== 'one') return <>version {policy.version}</>;
  const { id, version, name } = policy.snapshot;
  return (
    <>
      {name}{' '}
      <span class="small muted">
        {id}@{version}
      </span>
    </>
  );
}

/** The policy's local protocols: each with its dates and where it stands today. */
export function PolicyOverlays({ policy, today }: { policy: CasePolicy; today: string }) {
  if (policy.found === 'none') {
    return <p class="muted">Policy version {policy.version} is not in this console's policy library, so its local protocols cannot be shown here.</p>;
  }
  if (policy.found === 'several') {
    return (
      <p class="muted">
        More than one policy in the library has version {policy.version} ({policy.ids.join(', ')}), so its local protocols are not shown here.
      </p>
    );
  }
  const { snapshot } = policy;
  if (snapshot.overlays.length === 0) return <p class="muted">No local protocols: the case counts under {snapshot.name} as it stands.</p>;
  return (
    <table class="data" id="policy-overlays">
      <thead>
        <tr>
          <th>Local protocol</th>
          <th>In force from</th>
          <th>Until</th>
          <th>Review date</th>
          <th>Today</th>
        </tr>
      </thead>
      <tbody>
        {snapshot.overlays.map((o: Overlay) => {
          const now = overlayStanding(o, today);
          const standing = STANDING[now];
          return (
            <tr id={`overlay-${o.id}`} class={now === 'past-review' ? 'row-overdue' : ''}>
              <td>
                <strong>{o.name}</strong>
                <br />
                <span class="small muted">{o.basis.reference}</span>
              </td>
              <td class="nowrap">
                <LocalDate date={o.startDate} />
              </td>
              <td class="nowrap">{o.endDate ? <LocalDate date={o.endDate} /> : <span class="muted">until ended</span>}</td>
              <td class="nowrap">{o.reviewDate ? <LocalDate date={o.reviewDate} /> : <span class="muted">none</span>}</td>
              <td>
                <span class={standing.pill}>{standing.label}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** What an administrator is told on the page of a case whose protocol is past its review date. */
export function PastReviewText({ overlay }: { overlay: Overlay }) {
  return (
    <>
      The local protocol <strong>{overlay.name}</strong> was due for review on <LocalDate date={overlay.reviewDate ?? ''} /> and is still in force: check whether it should end.
    </>
  );
}
