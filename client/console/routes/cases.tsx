/**
 * The cases: the list (only the teams a person may read), a case or incident page (each view
 * recorded), the action forms, and opening a case or reporting an incident. Every page reads the
 * case's summary and record in the case-record store (common/case-reads.ts), never the workflow:
 * no page wakes a case, and pages answer with no worker running.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IsoInstant, SafeId } from '../../../domain/facts';
import { RISK_TIERS, RiskTier } from '../../../domain/kinds';
import { nextStep, personLabel, tierLabel } from '../../../domain/labels';
import { PolicyError } from '../../../domain/policy-loader';
import { dueIn, localTime } from '../../../domain/wording';
import { describeMessageKind, type TimelineEntry } from '../../../workflows/messages';
import { storedRecord } from '../../case-record';
import { timelineText } from '../../timeline-words';
import { obligationNamer } from '../../../domain/obligation-names';
import { CaseActionError, caseRunStatus, openCase, reportIncident } from '../../../common/cases';
import { type CaseListing, type CaseSummary, listCaseSummaries, noSummaryYet, readCase, waitingForMail } from '../../../common/case-reads';
import { decide, mayOpenCases, type Person, readableTeams } from '../../identity/access';
import {
  actionBySlug,
  CASE_ACTIONS,
  type CaseAction,
  type CaseContext,
  type FieldErrors,
  type Form,
  formErrorsFromRefusal,
  incidentFields,
  openCaseFields,
  parseIncident,
  parseOpenCase,
  startFormErrorsFromRefusal,
  submit,
} from '../actions';
import { type ConsoleContext, formOf, queryErrors, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { casePolicy, configuredSnapshot, londonToday, pastReview } from '../policies';
import { CaseTable, Deadline, TierBadge } from '../views/bits';
import { Field, MAX_FIELD_LENGTH } from '../views/fields';
import { Notice } from '../views/layout';
import { peopleShown, signedInLabel } from '../../identity/people';
import { PastReviewText, PolicyName, PolicyOverlays } from '../views/policy';
import { FreshnessLine, type FreshnessShown, readFreshness } from '../freshness';

type Subject = 'case' | 'incident';

export const ListFilter = z.object({
  team: SafeId.optional(),
  tier: RiskTier.optional(),
  overdue: z.enum(['on', '1', 'true']).optional(),
});

/**
 * The open cases a person may read, by the listing's filters, from the case summaries: one read of
 * the store, most overdue first, each with its most overdue obligation and allocated worker.
 */
export async function listReadable(ctx: ConsoleContext, person: Person, filter: { team?: string; tier?: RiskTier; overdueOnly: boolean }, now = new Date().toISOString()): Promise<CaseListing[]> {
  const teams = readableTeams(person);
  return listCaseSummaries(ctx.options.summaries, { ...filter, ...(teams === 'all' ? {} : { teams }), now });
}

/** A case or incident page's case: its summary and its timeline from the store. */
interface CasePage extends CaseContext {
  state: CaseSummary;
  /** The title of each obligation the case's record holds an outcome of (client/case-record.ts). */
  titles: Array<{ id: string; title: string }>;
  /** False when the page waited for an action that has not reached the summary yet. */
  landed: boolean;
}

/** Not a case page: the case exists but has no summary to show (yet). */
class NoSummary extends Error {
  override name = 'NoSummary';
  constructor(readonly justActed: boolean) {
    super('no summary');
  }
}

/** A case or incident id from a path segment; undefined for anything SafeId refuses. */
function idFromPath(segment: unknown): string | undefined {
  const id = SafeId.safeParse(segment);
  return id.success ? id.data : undefined;
}

/** What a worker does next, in the order they look for it. */
const GROUP_HEADINGS: Record<CaseAction['group'], string> = {
  Contacts: 'Saw or spoke to the child or family',
  'Meetings and reports': 'Meetings and reports',
  Episodes: 'Something happened',
  Clocks: 'Pause or waive a deadline',
  Case: 'The case itself',
};
/** The people a case's header names: whom its reminders and escalations go to. */
const PEOPLE_SHOWN: ReadonlyArray<readonly [string, string]> = [
  ['allocated-worker', 'Allocated worker'],
  ['team-manager', 'Team manager'],
  ['head-of-service', 'Head of service'],
];
const GROUP_ORDER: ReadonlyArray<CaseAction['group']> = ['Contacts', 'Meetings and reports', 'Episodes', 'Clocks', 'Case'];

interface FormState {
  slug: string;
  values: Form;
  errors: FieldErrors;
}

export function registerCaseRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { options } = ctx;
  const { client } = options;
  /** How the people of a loaded case's timeline are shown (client/identity/people.ts). */
  const shownIn = new WeakMap<CaseContext, (id: string) => string>();

  /**
   * Loads a case or incident from the store: its summary (after an action sent at `since`, the
   * first one written since, waited for a few seconds) and its timeline. A case with no summary is
   * told from one that never existed by its record, or Temporal's description of it (which does not
   * wake it); a closed case's summary is still there, so it is shown.
   */
  async function load(subject: Subject, id: string, since?: string): Promise<CasePage> {
    const runStatus = () => ctx.ask(() => caseRunStatus(client, id, subject));
    const read = await readCase({ summaries: options.summaries, records: options.store, runStatus }, subject, id, since ? { since } : {});
    if (read.found === 'absent') throw new ConsoleHttpError(404, `There is no ${subject} ${id}.`);
    if (read.found === 'closed') throw new ConsoleHttpError(410, `${subject} ${id} is closed and has no summary in the case record to show.`);
    if (read.found === 'no-summary') throw new NoSummary(read.justActed);
    const { timeline, titles } = await storedRecord(options.store, id, subject);
    const c: CasePage = { state: read.summary, timeline, titles, landed: read.landed };
    // Who did what, shown by name for people who sign in through single sign-on.
    shownIn.set(
      c,
      await peopleShown(
        options.consoleStore,
        timeline.map((t) => t.by),
      ),
    );
    return c;
  }

  /** The page for a case with no summary to show: just after it was opened, or begun before summaries. */
  function noSummaryPage(request: FastifyRequest, reply: FastifyReply, subject: Subject, id: string, justActed: boolean) {
    const title = `${subject === 'case' ? 'Case' : 'Serious incident'} ${id}`;
    return ctx.sendPage(
      request,
      reply,
      200,
      title,
      justActed ? (
        <Notice kind="warn">Still being written: {subject === 'case' ? 'the case' : 'the incident'} has not yet written its summary to the case record. Reload this page in a moment.</Notice>
      ) : (
        <Notice kind="warn">{noSummaryYet(subject, id).replace(/^no summary yet/, 'No summary yet')}.</Notice>
      ),
    );
  }

  /** Loads what the person may read, or refuses (before anything of the case is shown). */
  async function loadReadable(person: Person, subject: Subject, id: string, since?: string): Promise<CasePage> {
    const c = await load(subject, id, since);
    const verdict = decide(person, 'read', c.state.details.team);
    if (!verdict.allowed) throw new ConsoleHttpError(403, verdict.reason ?? 'Not allowed.');
    return c;
  }

  // --- the list ---------------------------------------------------------------------------

  app.get('/', async (request, reply) => {
    const person = ctx.person(request);
    const query = queryValues(request.query);
    const filter = ListFilter.safeParse(query);
    let errors: FieldErrors = {};
    let cases: CaseListing[] = [];
    const freshness = readFreshness(options, request.log);
    if (!filter.success) errors = queryErrors(filter.error.issues);
    else {
      const { team, tier, overdue } = filter.data;
      cases = await listReadable(ctx, person, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), overdueOnly: overdue !== undefined });
    }
    const now = new Date().toISOString();
    const overdueCases = cases.filter((c) => c.overdueCount > 0).length;
    const teams = readableTeams(person);
    return ctx.sendPage(
      request,
      reply,
      Object.keys(errors).length > 0 ? 400 : 200,
      'Cases',
      <>
        {teams !== 'all' && teams.length === 0 && <Notice kind="warn">You have no team yet, so no cases are shown. Ask an administrator to give you one.</Notice>}
        <form method="get" action="/" class="filters">
          <Field spec={{ name: 'team', label: 'Team', type: 'text', placeholder: teams === 'all' ? 'e.g. LOCALITY-NORTH' : teams.join(', ') }} value={query['team']} error={errors['team']} formId="f" />
          <Field spec={{ name: 'tier', label: 'Tier', type: 'select', options: RISK_TIERS.map((t) => ({ value: t, label: tierLabel(t) })) }} value={query['tier']} error={errors['tier']} formId="f" />
          <label class="check">
            <input type="checkbox" name="overdue" value="on" checked={query['overdue'] !== undefined} /> Overdue only
          </label>
          <button>Filter</button>{' '}
          <a href="/" class="muted">
            clear
          </a>
          {errors['overdue'] && (
            <span class="error" role="alert">
              Overdue only: {errors['overdue']}
            </span>
          )}
        </form>
        <FreshnessLine shown={await freshness} />
        <p class="summary">
          <strong>{cases.length}</strong> open {cases.length === 1 ? 'case' : 'cases'} shown, <strong class={overdueCases > 0 ? 'late' : ''}>{overdueCases}</strong> with an overdue obligation. Overdue cases first.
        </p>
        <CaseTable cases={cases} now={now} deadlineHeading="Next deadline" empty="No cases match." />
      </>,
      'cases',
    );
  });

  app.get('/api/cases', async (request, reply) => {
    const person = ctx.person(request);
    const filter = ListFilter.safeParse(queryValues(request.query));
    if (!filter.success) {
      const error = Object.entries(queryErrors(filter.error.issues))
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ');
      return reply.code(400).type('application/json; charset=utf-8').send(JSON.stringify({ error }));
    }
    const { team, tier, overdue } = filter.data;
    const cases = await listReadable(ctx, person, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), overdueOnly: overdue !== undefined });
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(JSON.stringify(cases));
  });

  // --- one case or incident ---------------------------------------------------------------

  function ActionForm(props: { subject: Subject; id: string; action: CaseAction; c: CaseContext; csrf: string; state: FormState | undefined }) {
    const { subject, id, action, c, csrf, state } = props;
    const formId = `a-${action.slug}`;
    const mine = state?.slug === action.slug;
    const values = mine ? state.values : {};
    const errors = mine ? state.errors : {};
    const danger = action.slug === 'close' || action.slug === 'apply-policy';
    return (
      <details class="action" id={formId} open={mine}>
        <summary>{action.title}</summary>
        <form
          method="post"
          action={`/${subject === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}/actions/${action.slug}`}
          data-confirm={danger ? 'This cannot be undone from the console. Continue?' : undefined}
        >
          <input type="hidden" name="csrf" value={csrf} />
          {errors['_form'] && <Notice kind="error">{errors['_form']}</Notice>}
          {action.fields(c).map((s) => (
            <Field spec={s} value={values[s.name]} error={errors[s.name]} formId={formId} />
          ))}
          <button class={danger ? 'danger' : 'primary'}>{action.title}</button>
        </form>
      </details>
    );
  }

  /** A case's page says how fresh the case system's copy is; an incident's does not (the sync opens no incident). */
  async function subjectPage(request: FastifyRequest, reply: FastifyReply, subject: Subject, id: string, c: CasePage, status = 200, formState?: FormState) {
    const freshness: FreshnessShown | undefined = subject === 'case' ? await readFreshness(options, request.log) : undefined;
    const person = ctx.person(request);
    const csrf = ctx.csrf(reply);
    const s = c.state;
    const shown = shownIn.get(c) ?? ((who: string) => who);
    const now = new Date().toISOString();
    const team = s.details.team;
    const can = (a: CaseAction) => decide(person, a.permission, team).allowed;
    const done = (request.query as Record<string, unknown>)['done'];
    const doneAction = typeof done === 'string' ? (actionBySlug(done)?.title ?? (done === 'open' ? 'Case opened' : done === 'report' ? 'Incident reported' : undefined)) : undefined;
    const ack = actionBySlug('ack');
    const open = [...s.open].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    const contacts = s.details.contacts as Partial<Record<string, { name: string }>>;
    /** Who acknowledged each obligation's escalation level, from the timeline. */
    const acknowledged = new Map<string, string>();
    for (const t of c.timeline) if (t.event?.type === 'escalation-acknowledged') acknowledged.set(`${t.event.obligationId}#${t.event.level}`, shown(t.by));
    let tierReason: string | undefined;
    for (const t of c.timeline) if (t.event?.type === 'tier-set') tierReason = t.event.reason;
    const base = `/${subject === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}`;
    const today = londonToday(new Date(now));
    const policy = casePolicy(s.policyVersion, configuredSnapshot(options.configuredPolicy));
    // One name per obligation (domain/obligation-names.ts): the obligations table, the timeline and the messages agree.
    const name = obligationNamer({ titled: [...c.titles, ...s.open], ...(policy.found === 'one' ? { policy: policy.snapshot } : {}) });
    const obligationRow = (o: CaseSummary['open'][number]) => {
      const late = o.dueAt <= now;
      const ackedBy = acknowledged.get(`${o.id}#${o.escalationLevel}`);
      // Whom the last escalation went to, as the case wrote it; summaries from before it was written, the usual ladder.
      const escalatedTo = o.escalatedTo?.role ?? (o.escalationLevel >= 2 ? 'head-of-service' : 'team-manager');
      return (
        <tr class={late ? 'row-overdue' : ''}>
          <td>
            <strong>{o.title}</strong>
            {nextStep(o.kind) && (
              <>
                <br />
                <span class="muted small">{nextStep(o.kind)}</span>
              </>
            )}
          </td>
          <td>
            <Deadline dueAt={o.dueAt} now={now} />
          </td>
          <td>
            {late ? <span class="pill pill-late">{dueIn(o.dueAt, now)}</span> : <span class="pill pill-ok">on time</span>}
            {o.onHold && <span class="pill"> on hold</span>}
          </td>
          <td>
            {o.escalationLevel > 0 ? (
              <span class="pill pill-late">
                level {o.escalationLevel}: {personLabel(escalatedTo, contacts)}
              </span>
            ) : (
              <span class="muted">none</span>
            )}{' '}
            {ackedBy ? (
              <span class="small muted">acknowledged by {ackedBy}</span>
            ) : o.escalationLevel > 0 && ack && can(ack) ? (
              <form method="post" action={`${base}/actions/ack`} class="inline">
                <input type="hidden" name="csrf" value={csrf} />
                <input type="hidden" name="obligationId" value={o.id} />
                <input type="hidden" name="level" value={String(o.escalationLevel)} />
                <button class="small">Acknowledge level {o.escalationLevel}</button>
              </form>
            ) : null}
          </td>
        </tr>
      );
    };
    const visible = CASE_ACTIONS.filter((a) => a.subject === subject && a.slug !== 'ack' && can(a));
    const groups = GROUP_ORDER.filter((g) => visible.some((a) => a.group === g));
    const ackLabel = (name: string) => ack?.fields(c).find((f) => f.name === name)?.label ?? name;
    const ackError =
      formState?.slug === 'ack' && Object.keys(formState.errors).length > 0
        ? `Acknowledgement not recorded: ${Object.entries(formState.errors)
            .map(([k, v]) => (k === '_form' ? v : `${ackLabel(k)}: ${v}`))
            .join('; ')}`
        : undefined;
    const waiting = waitingForMail(s, now);
    const reviewsDue = policy.found === 'one' && decide(person, 'administer').allowed ? pastReview(policy.snapshot, today) : [];
    const title = `${subject === 'case' ? 'Case' : 'Serious incident'} ${s.caseId}`;
    return ctx.sendPage(
      request,
      reply,
      status,
      title,
      <>
        {doneAction && (
          <Notice kind="ok">
            {doneAction}: recorded by {signedInLabel(person)}.
          </Notice>
        )}
        {formState && Object.keys(formState.errors).length > 0 && formState.slug !== 'ack' && <Notice kind="error">Nothing was recorded: please correct the form below.</Notice>}
        {ackError && <Notice kind="error">{ackError}</Notice>}
        {!c.landed && (
          <Notice kind="warn">
            Still being written: your change has not reached the case record yet, so this page shows the {subject} as the record had it at {localTime(s.writtenAt)}. Reload in a moment to see it.
          </Notice>
        )}
        <FreshnessLine shown={freshness} />
        <dl class="facts">
          <div>
            <dt>Reference</dt>
            <dd>{s.details.reference}</dd>
          </div>
          <div>
            <dt>Team</dt>
            <dd>{team}</dd>
          </div>
          {subject === 'case' && (
            <div>
              <dt>Risk tier</dt>
              <dd>
                <TierBadge tier={s.tier} />
                {tierReason && <span class="small muted"> {tierReason}</span>}
              </dd>
            </div>
          )}
          {s.linkedCaseId && (
            <div>
              <dt>Case</dt>
              <dd>
                <a href={`/cases/${encodeURIComponent(s.linkedCaseId)}`}>{s.linkedCaseId}</a>
              </dd>
            </div>
          )}
          <div>
            <dt>Status</dt>
            <dd>{s.status}</dd>
          </div>
          <div>
            <dt>Overdue</dt>
            <dd class={s.overdueCount > 0 ? 'late' : ''}>{s.overdueCount}</dd>
          </div>
          {/* The case's people, each named once: whom reminders and escalations go to. */}
          {PEOPLE_SHOWN.map(([role, label]) => (
            <div>
              <dt>{label}</dt>
              <dd>{contacts[role]?.name ?? <span class="muted">none named</span>}</dd>
            </div>
          ))}
          <div>
            <dt>Opened</dt>
            <dd>{localTime(s.openedAt)}</dd>
          </div>
          <div>
            <dt>Policy</dt>
            <dd id="case-policy">
              <PolicyName policy={policy} />
            </dd>
          </div>
        </dl>
        {reviewsDue.length > 0 && (
          <section class="notice notice-warn" id="protocol-review">
            <h2>Local protocol past its review date</h2>
            <ul>
              {reviewsDue.map((o) => (
                <li>
                  <PastReviewText overlay={o} />
                </li>
              ))}
            </ul>
            <p class="small">To end it, give it an end date in a new version of the policy and apply that version to the case (Apply a policy).</p>
          </section>
        )}
        {s.warnings.length > 0 && (
          <section class="notice notice-warn">
            <h2>Needs attention</h2>
            <ul>
              {s.warnings.map((w) => (
                <li>{w}</li>
              ))}
            </ul>
          </section>
        )}
        {waiting.length > 0 && (
          <section class="notice notice-warn">
            <h2>Messages waiting for the mail server</h2>
            <p>The mail server has not accepted these yet; CaseClock retries each at least once a minute and sends it as soon as mail works.</p>
            <ul>
              {waiting.map((m) => (
                <li>
                  {describeMessageKind(m)} to {personLabel(m.role, contacts)}, due to go {localTime(m.sendAt)}
                </li>
              ))}
            </ul>
          </section>
        )}
        {s.undeliverable.length > 0 && (
          <section class="notice notice-error">
            <h2>Messages that could not be delivered</h2>
            <ul>
              {s.undeliverable.map((d) => (
                <li>
                  {d.type === 'escalation' ? `Escalation level ${d.level}` : d.type} to {personLabel(d.role, contacts)}
                  {d.obligationId || d.kind ? ` (${name(d.obligationId ?? d.kind ?? '', d.kind)})` : ''}: {d.reason ?? 'unknown reason'}
                </li>
              ))}
            </ul>
          </section>
        )}
        <h2>
          Open obligations <span class="count">{open.length}</span>
        </h2>
        <table class="data">
          <thead>
            <tr>
              <th>Obligation</th>
              <th>Due (UK time)</th>
              <th>How late</th>
              <th>Escalation</th>
            </tr>
          </thead>
          <tbody>
            {open.length > 0 ? (
              open.map(obligationRow)
            ) : (
              <tr>
                <td colSpan={4} class="muted">
                  None open.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <h2>Policy and local protocols</h2>
        <PolicyOverlays policy={policy} today={today} />
        <div class="columns">
          <section class="actions">
            <h2>Record</h2>
            {s.status === 'closed' ? (
              <p class="muted">This {subject} is closed.</p>
            ) : visible.length === 0 ? (
              <p class="muted">
                You can read this {subject}
                {ack && can(ack) ? ' and acknowledge its escalations' : ''}. Changes are made by the managers of team {team} and by administrators.
              </p>
            ) : (
              groups.map((g, i) => (
                <details class="action-group" open={i === 0 || visible.some((a) => a.group === g && a.slug === formState?.slug)}>
                  <summary>
                    <h3>{GROUP_HEADINGS[g]}</h3>
                  </summary>
                  {visible
                    .filter((a) => a.group === g)
                    .map((a) => (
                      <ActionForm subject={subject} id={id} action={a} c={c} csrf={csrf} state={formState} />
                    ))}
                </details>
              ))
            )}
          </section>
          <section class="timeline">
            <h2>
              Timeline <span class="muted small">newest first</span>
            </h2>
            {s.waitingForStore > 0 && (
              <p class="notice notice-warn small" id="waiting-for-store">
                {s.waitingForStore} {s.waitingForStore === 1 ? 'entry' : 'entries'} not yet written to the case record: the {subject} keeps {s.waitingForStore === 1 ? 'it' : 'them'} and they show here once the store
                takes them.
              </p>
            )}
            <table class="data">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Entry</th>
                  <th>What</th>
                </tr>
              </thead>
              <tbody>
                {[...c.timeline].reverse().map((t: TimelineEntry) => (
                  <tr class={t.delivery?.outcome === 'undeliverable' ? 'row-overdue' : ''}>
                    <td class="nowrap">{localTime(t.at)}</td>
                    <td>{shown(t.by)}</td>
                    <td>
                      <span class={`kind kind-${t.entry}`}>{t.entry}</span>
                    </td>
                    <td>{timelineText(t, contacts, name)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      </>,
    );
  }

  for (const subject of ['case', 'incident'] as const) {
    const prefix = subject === 'case' ? '/cases' : '/incidents';

    app.get(`${prefix}/:id`, async (request, reply) => {
      const person = ctx.person(request);
      const id = idFromPath((request.params as { id?: string }).id);
      if (id === undefined) throw new ConsoleHttpError(404, 'That is not a case id.');
      if (id === 'new') return startPage(request, reply, subject);
      // After an action (or the opening), the page waits for it to reach the summary.
      const since = IsoInstant.safeParse((request.query as Record<string, unknown>)['since']);
      let c: CasePage;
      try {
        c = await loadReadable(person, subject, id, since.success ? since.data : undefined);
      } catch (err) {
        if (err instanceof NoSummary) return noSummaryPage(request, reply, subject, id, err.justActed);
        throw err;
      }
      await options.consoleStore.recordView({ viewer: person.id, role: person.role, subject, caseId: id, what: 'page' });
      return subjectPage(request, reply, subject, id, c);
    });

    app.post(`${prefix}/:id/actions/:slug`, async (request, reply) => {
      const person = ctx.person(request);
      const params = request.params as { id?: string; slug?: string };
      const id = idFromPath(params.id);
      if (id === undefined) throw new ConsoleHttpError(404, 'That is not a case id.');
      const slug = params.slug ?? '';
      const action = actionBySlug(slug);
      if (!action || (action.subject !== subject && slug !== 'ack')) throw new ConsoleHttpError(404, /^[a-z-]{1,40}$/.test(slug) ? `There is no action ${slug} here.` : 'There is no such page.');
      // A viewer is refused before anything is asked of Temporal; others by the case's team.
      if (person.role === 'viewer') throw new ConsoleHttpError(403, `${signedInLabel(person)} has read-only access: nothing was changed`);
      const form = formOf(request.body);
      const tooLong = Object.entries(form).find(([, v]) => v.length > MAX_FIELD_LENGTH);
      let c: CasePage;
      try {
        c = await loadReadable(person, subject, id);
      } catch (err) {
        // Whose team the case is in is read from its summary: without one, nothing is sent.
        if (err instanceof NoSummary) throw new ConsoleHttpError(409, `${noSummaryYet(subject, id).replace(/^no summary yet/, 'No summary yet')}. Nothing was recorded.`);
        throw err;
      }
      const verdict = decide(person, action.permission, c.state.details.team);
      if (!verdict.allowed) {
        request.log.warn({ user: person.id, subject, id, action: slug }, 'action refused');
        throw new ConsoleHttpError(403, verdict.reason ?? 'Not allowed.');
      }
      if (tooLong) return subjectPage(request, reply, subject, id, c, 400, { slug, values: {}, errors: { [tooLong[0]]: `must be at most ${MAX_FIELD_LENGTH} characters` } });
      const parsed = action.parse(form, person.id, new Date(), { subjectId: id, context: c });
      if (!parsed.ok) return subjectPage(request, reply, subject, id, c, 400, { slug, values: form, errors: parsed.errors });
      const sentAt = new Date().toISOString();
      try {
        await ctx.ask(() => submit(client, subject, id, parsed.value, person.id));
      } catch (err) {
        if (err instanceof CaseActionError && err.kind !== 'not-found') {
          const current = await load(subject, id);
          return subjectPage(request, reply, subject, id, current, 409, { slug, values: form, errors: { ...formErrorsFromRefusal(err, action, current), _form: `Refused by the ${subject}: ${err.message}` } });
        }
        // A closed case's workflow has ended, so Temporal no longer knows it; its summary says it closed.
        if (err instanceof CaseActionError && c.state.status === 'closed') throw new ConsoleHttpError(410, `${subject} ${id} is closed: nothing more can be changed.`);
        throw err;
      }
      request.log.info({ user: person.id, subject, id, action: slug }, 'action recorded');
      return reply.redirect(`${prefix}/${encodeURIComponent(id)}?done=${encodeURIComponent(slug)}&since=${encodeURIComponent(sentAt)}`, 303);
    });

    app.post(prefix, async (request, reply) => start(request, reply, subject, formOf(request.body)));
  }

  // --- opening a case, reporting an incident ----------------------------------------------

  async function startPage(request: FastifyRequest, reply: FastifyReply, kind: Subject, status = 200, values: Form = {}, errors: FieldErrors = {}) {
    const person = ctx.person(request);
    if (!mayOpenCases(person)) throw new ConsoleHttpError(403, `${signedInLabel(person)} may not open cases or report incidents: that is for team managers and administrators.`);
    // The team directory's teams, when it lists any, are offered as the team field's suggestions.
    const teams = await ctx.knownTeams();
    const specs = (kind === 'case' ? openCaseFields(person.team) : incidentFields()).map((s) => (s.name === 'team' && teams.listed ? { ...s, suggestions: teams.codes } : s));
    const v: Form = { policy: 'default', ...(person.role === 'manager' && person.team ? { team: person.team } : {}), ...values };
    const title = kind === 'case' ? 'Open a case' : 'Report a serious incident';
    return ctx.sendPage(
      request,
      reply,
      status,
      title,
      <form method="post" action={kind === 'case' ? '/cases' : '/incidents'} class="card">
        <input type="hidden" name="csrf" value={ctx.csrf(reply)} />
        {Object.keys(errors).length > 0 && (
          <Notice kind="error">
            Nothing was recorded: please correct the fields marked below.
            {errors['_form'] && (
              <>
                <br />
                {errors['_form']}
              </>
            )}
          </Notice>
        )}
        {kind === 'incident' ? (
          <p class="muted">Starts the 5-working-day clock for notifying the national panel, then the rapid review.</p>
        ) : (
          <p class="muted">Emails carry the reference and team, never the child's name or address. Contacts are staff: write "Name &lt;email&gt;".</p>
        )}
        <div class="grid">
          {specs.map((s) => (
            <Field spec={s} value={v[s.name]} error={errors[s.name]} formId={kind} />
          ))}
        </div>
        <button class="primary">{title}</button>
      </form>,
      kind === 'case' ? 'open' : 'incident',
    );
  }

  async function start(request: FastifyRequest, reply: FastifyReply, kind: Subject, form: Form) {
    const person = ctx.person(request);
    if (!mayOpenCases(person)) throw new ConsoleHttpError(403, `${signedInLabel(person)} may not open cases or report incidents: nothing was changed.`);
    const tooLong = Object.entries(form).find(([, v]) => v.length > MAX_FIELD_LENGTH);
    if (tooLong) return startPage(request, reply, kind, 400, {}, { [tooLong[0]]: `must be at most ${MAX_FIELD_LENGTH} characters` });
    const opts = options.configuredPolicy ? { configuredPolicy: options.configuredPolicy } : {};
    const queue = options.taskQueue ? { taskQueue: options.taskQueue } : {};
    let parsed;
    try {
      parsed = kind === 'case' ? parseOpenCase(form, person.id, opts) : parseIncident(form, person.id, new Date(), opts);
    } catch (err) {
      if (err instanceof PolicyError) throw new ConsoleHttpError(400, err.message);
      throw err;
    }
    if (!parsed.ok) return startPage(request, reply, kind, 400, form, parsed.errors);
    const verdict = decide(person, 'steer', parsed.value.input.details.team);
    if (!verdict.allowed) throw new ConsoleHttpError(403, verdict.reason ?? 'Not allowed.');
    const { input, policy } = parsed.value;
    const id = 'caseId' in input ? input.caseId : input.incidentId;
    const sentAt = new Date().toISOString();
    try {
      const teams = await ctx.knownTeams();
      if ('caseId' in input) await ctx.ask(() => openCase(client, input, policy, { ...queue, teams }));
      else await ctx.ask(() => reportIncident(client, input, policy, { ...queue, teams }));
    } catch (err) {
      if (err instanceof CaseActionError) {
        return startPage(request, reply, kind, 409, form, { _form: err.message, ...startFormErrorsFromRefusal(err, kind) });
      }
      throw err;
    }
    request.log.info({ user: person.id, id }, kind === 'case' ? 'case opened' : 'incident reported');
    return reply.redirect(`/${kind === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}?done=${kind === 'case' ? 'open' : 'report'}&since=${encodeURIComponent(sentAt)}`, 303);
  }
}
