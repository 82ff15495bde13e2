/**
 * The reconciliation of the case system with CaseClock (`/admin/reconciliation`, and the same rows as
 * CSV at `/admin/reconciliation.csv`), administrators only: the reviews the case system planned on
 * other dates than CaseClock's deadlines, the visits, reviews and conferences recorded in CaseClock
 * that the case system lacks, and the children whose team or worker CaseClock does not know
 * (client/reconciliation.ts reads them, domain/ssd/reconcile.ts compares). Children by case id and
 * SSD person id, never by name. Only listed: nothing here changes a case.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECTION_ORDER, type ReconciliationRow, type ReconciliationSection } from '../../../domain/ssd/reconcile';
import { localTime } from '../../../domain/wording';
import { mayManageTeams } from '../../identity/access';
import { readReconciliation, reconciliationCsv, type ReconciliationSources } from '../../reconciliation';
import type { ConsoleContext } from '../context';
import { ConsoleHttpError } from '../errors';
import { Notice } from '../views/layout';

const SECTIONS: Record<ReconciliationSection, { title: string; about: string }> = {
  'dates-disagree': {
    title: 'Dates that disagree',
    about: "The next review the case system planned, beside CaseClock's statutory deadline for it, where they are a day or more apart (or CaseClock has no such deadline open).",
  },
  'caseclock-only': {
    title: 'Recorded in CaseClock, not in the case system',
    about: 'Visits, reviews and conferences recorded in CaseClock by staff, with nothing of the same kind on the same day in the case system: for the team to record there. They stay on the case.',
  },
  'not-known-in-caseclock': {
    title: 'Teams and workers CaseClock does not know',
    about: "Children whose team or worker in the case system CaseClock could not find, from the sync's last complete run.",
  },
};

function sourcesOf(ctx: ConsoleContext, request: FastifyRequest): ReconciliationSources {
  if (!mayManageTeams(ctx.person(request))) throw new ConsoleHttpError(403, 'Only an administrator may see the reconciliation with the case system.');
  if (!ctx.options.reconciliation) throw new ConsoleHttpError(404, 'The sync from the case system (CASECLOCK_SSD_SOURCE) is not configured for this console.');
  return ctx.options.reconciliation;
}

function Rows(props: { section: ReconciliationSection; rows: readonly ReconciliationRow[] }) {
  return (
    <table class="data" id={`reconciliation-${props.section}`}>
      <thead>
        <tr>
          <th>Case</th>
          <th>Person id</th>
          <th>Team</th>
          <th>What</th>
          <th>Case system's date</th>
          <th>CaseClock's date</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.length > 0 ? (
          props.rows.map((r) => (
            <tr>
              <td>{r.caseId === null ? <span class="muted">none</span> : <a href={`/cases/${encodeURIComponent(r.caseId)}`}>{r.caseId}</a>}</td>
              <td>{r.personId}</td>
              <td>{r.team ?? ''}</td>
              <td>{r.what}</td>
              <td class="nowrap">{r.sourceDate ?? ''}</td>
              <td class="nowrap">{r.caseclockDate ?? ''}</td>
            </tr>
          ))
        ) : (
          <tr>
            <td colSpan={6} class="muted">
              Nothing to reconcile.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function registerReconciliationRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/admin/reconciliation', async (request, reply) => {
    const sources = sourcesOf(ctx, request);
    const result = await readReconciliation(sources);
    request.log.info({ user: ctx.person(request).id, ...result.counts }, 'reconciliation read');
    return ctx.sendPage(
      request,
      reply,
      200,
      'Reconciliation with the case system',
      <>
        <p class="muted">
          What only CaseClock can see, holding both its own record and the case system's rows: read at {localTime(result.readAt)}
          {result.run ? `; teams and workers from the sync run ${result.run.id}${result.run.finishedAt ? ` that finished at ${localTime(result.run.finishedAt)}` : ''}` : ''}.{' '}
          <a href="/admin/reconciliation.csv">Download as CSV</a>
        </p>
        {!result.run && <Notice kind="warn">No sync from the case system has finished yet: the teams and workers it could not find are not known.</Notice>}
        {SECTION_ORDER.map((section) => (
          <section>
            <h2>
              {SECTIONS[section].title} ({result.counts[section]})
            </h2>
            <p class="muted">{SECTIONS[section].about}</p>
            <Rows section={section} rows={result.rows.filter((r) => r.section === section)} />
          </section>
        ))}
      </>,
      'reconciliation',
    );
  });

  app.get('/admin/reconciliation.csv', async (request, reply) => {
    const sources = sourcesOf(ctx, request);
    const result = await readReconciliation(sources);
    request.log.info({ user: ctx.person(request).id, ...result.counts }, 'reconciliation downloaded');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="caseclock-reconciliation-${result.readAt.slice(0, 10)}.csv"`)
      .header('cache-control', 'no-store')
      .send(reconciliationCsv(result.rows));
  });
}
