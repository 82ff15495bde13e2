/**
 * The web console: node:http, server-rendered HTML, a little vanilla JS for live countdowns.
 * Every page needs a signed-in user; every change goes through the client functions the command
 * line uses (client/cases.ts) with the signed-in user as `by`, after the role check and the CSRF
 * check. Nothing a person typed reaches a page unescaped, and no stack trace reaches a browser.
 */
import type { CaseRecordStore } from '../../store/case-record-store';
import { readTimeline } from '../case-record';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { lateness, localTime } from '../../activities/render-message';
import type { Obligation } from '../../domain/engine';
import { SafeId } from '../../domain/facts';
import { RISK_TIERS, RiskTier } from '../../domain/kinds';
import { PolicyError } from '../../domain/policy-loader';
import { type CaseState, describeMessageKind, type TimelineEntry } from '../../workflows/messages';
import { CaseActionError, caseRunStatus, caseState, caseTimeline, incidentState, incidentTimeline, listCases, openCase, reportIncident, waitingForMail } from '../cases';
import {
  actionBySlug,
  CASE_ACTIONS,
  type CaseAction,
  type CaseContext,
  type FieldErrors,
  type Form,
  incidentFields,
  openCaseFields,
  parseIncident,
  parseOpenCase,
  submit,
} from './actions';
import { type ConsoleUser, decide, decoy, LOGIN_COOKIE, type Session, SESSION_COOKIE, type SessionKeeper, SignInThrottle, type UserDirectory, verifyPassword } from './auth';
import { field, type FieldSpec, Html, html, page, type PageContext, raw, stackedBarChart } from './html';
import { defaultPeriod, gatherKpi, groupOverdue, kpiByTeamAndTier, kpiCsv, KpiQuery, TIER_ORDER } from './reports';

export interface ConsoleOptions {
  client: Client;
  /** The case-record store: the KPI reads obligation outcomes from it. */
  store: CaseRecordStore;
  users: UserDirectory;
  sessions: SessionKeeper;
  /** CASECLOCK_POLICY: the policy a new case gets when "Configured default" is chosen. */
  configuredPolicy?: string;
  /** Cookies marked Secure (the console is reached over https). */
  secureCookies?: boolean;
  /** Task queue new cases and incidents start on (tests); default the production queue. */
  taskQueue?: string;
  /** How long a page waits for Temporal (and the case's worker). */
  answerTimeoutMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

const STATIC_DIR = path.join(__dirname, 'static');
const STATIC: Record<string, { type: string; body: Buffer }> = {
  '/static/console.js': { type: 'text/javascript', body: readFileSync(path.join(STATIC_DIR, 'console.js')) },
  '/static/console.css': { type: 'text/css', body: readFileSync(path.join(STATIC_DIR, 'console.css')) },
};

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const MAX_BODY = 64 * 1024;

/** An answer for the person: a status and a page (never a stack trace). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

interface Request {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  method: string;
  cookies: Record<string, string>;
  user?: ConsoleUser;
  session?: Session;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

async function readForm(req: http.IncomingMessage): Promise<Form> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'Not a form', 'Send the form from the console page.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'Too much', `The form was too large (more than ${MAX_BODY / 1024} KB): nothing was changed.`);
    chunks.push(chunk as Buffer);
  }
  const form: Form = {};
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) if (!(k in form)) form[k] = v;
  return form;
}

const ListFilter = z.object({
  team: SafeId.optional(),
  tier: RiskTier.optional(),
  overdue: z.enum(['on', '1', 'true']).optional(),
});

/** Query parameters without the blank ones (an empty filter box means "any"). */
const queryValues = (url: URL): Form => Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));

/** Each parameter a query schema refused → what is wrong with it, in words. */
function queryErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) errors[String(issue.path[0] ?? '_form')] ??= issue.code === 'invalid_value' ? `must be one of: ${issue.values.join(', ')}` : issue.message;
  return errors;
}

/** A case or incident id from a path segment; undefined for bad percent-encoding or anything SafeId refuses. */
function idFromPath(segment: string | undefined): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment ?? '');
  } catch {
    return undefined; // URIError: "%ZZ" and the like
  }
  const id = SafeId.safeParse(decoded);
  return id.success ? id.data : undefined;
}

/** Event fields a case names in a refusal → the action form's field that holds them. */
const REFUSAL_FIELD: Record<string, string> = { type: 'what', 'contact.name': 'name', 'contact.email': 'email' };

/**
 * The form fields a case's refusal names ("recordEvent refused: at: is before ...; meetingId: ..."),
 * so each reason is shown by the field, under its label, as well as at the top of the form.
 */
function refusedFields(message: string, action: CaseAction, c: CaseContext): FieldErrors {
  const names = new Set(action.fields(c).map((f) => f.name));
  const errors: FieldErrors = {};
  const problems = /^[\w.]+ refused: (.*)$/.exec(message)?.[1] ?? '';
  for (const problem of problems.split('; ')) {
    const m = /^([\w.]+): (.+)$/.exec(problem);
    if (!m?.[1] || !m[2]) continue;
    const name = names.has(m[1]) ? m[1] : REFUSAL_FIELD[m[1]];
    if (name !== undefined && names.has(name)) errors[name] ??= m[2];
  }
  return errors;
}

/** Whether a request's Origin header names the console itself (a header that is not a URL does not). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const TIER_LABEL: Record<string, string> = { HIGH_IMMEDIATE: 'High and immediate', PRIORITY: 'Priority', VULNERABLE: 'Vulnerable', UNRATED: 'Not rated' };

function tierBadge(tier: string | null | undefined): Html {
  const t = tier && tier !== '' ? tier : 'UNRATED';
  return html`<span class="tier tier-${t}">${TIER_LABEL[t] ?? t}</span>`;
}

/** A deadline: UK local time plus a live countdown (updated by /static/console.js). */
function deadline(dueAt: string, now: string): Html {
  const late = dueAt <= now;
  return html`<span class="due">${localTime(dueAt)}</span><br><time class="countdown${late ? ' late' : ''}" datetime="${dueAt}" data-countdown>${
    late ? `${lateness(dueAt, now)} overdue` : `due in ${lateness(now, dueAt)}`
  }</time>`;
}

const ERROR_PAGES: Record<number, string> = { 400: 'Not accepted', 403: 'Not allowed', 404: 'Not found', 409: 'Refused', 503: 'No answer', 500: 'Something went wrong' };

export function createConsoleServer(options: ConsoleOptions): http.Server {
  const { client, users, sessions } = options;
  const log = options.log ?? ((level, msg, fields) => process[level === 'info' ? 'stdout' : 'stderr'].write(`${JSON.stringify({ level, msg, ...fields })}\n`));
  const answerTimeoutMs = options.answerTimeoutMs ?? 20_000;
  const throttle = new SignInThrottle();
  const cookieFlags = `Path=/; HttpOnly; SameSite=Strict${options.secureCookies ? '; Secure' : ''}`;

  /** Runs Temporal calls with a deadline, so a missing worker gives a page, not a hung browser. */
  const ask = <T>(fn: () => Promise<T>): Promise<T> => client.withDeadline(Date.now() + answerTimeoutMs, fn);

  function send(r: Request, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
    r.res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
    r.res.end(body);
  }
  const redirect = (r: Request, to: string, headers: Record<string, string | string[]> = {}) =>
    send(r, 303, '', { location: to, ...headers });

  function ctx(r: Request, nav?: PageContext['nav']): PageContext {
    return { ...(r.user ? { user: r.user } : {}), ...(r.session ? { csrf: sessions.csrfToken(r.session) } : {}), ...(nav ? { nav } : {}) };
  }

  function errorPage(r: Request, err: HttpError): void {
    send(r, err.status, page(err.title, html`<div class="notice notice-error" role="alert"><p>${err.message}</p></div><p><a href="/">Back to the cases</a></p>`, ctx(r)));
  }

  /** Turns what a Temporal call threw into the page a person needs. */
  function asHttpError(err: unknown, subject: string): HttpError {
    if (err instanceof HttpError) return err;
    if (err instanceof CaseActionError) {
      return /^no (case|incident) /.test(err.message) ? new HttpError(404, 'Not found', err.message) : new HttpError(409, 'Refused', err.message);
    }
    if (err instanceof PolicyError) return new HttpError(400, 'Policy refused', err.message);
    const message = err instanceof Error ? err.message : String(err);
    if (/deadline exceeded|DEADLINE_EXCEEDED/i.test(message)) {
      return new HttpError(
        503,
        'No answer',
        `${subject} did not answer within ${Math.round(answerTimeoutMs / 1000)} seconds. Is a CaseClock worker running? A change you sent may still be applied when it is: check the timeline before sending it again.`,
      );
    }
    return new HttpError(500, 'Something went wrong', 'CaseClock could not answer. The error has been logged; please tell your administrator the time it happened.');
  }

  // --- sign-in ----------------------------------------------------------------------------

  function loginPage(r: Request, status: number, message?: string, userId = ''): void {
    const nonce = sessions.loginNonce(r.cookies[LOGIN_COOKIE]);
    const next = r.url.searchParams.get('next') ?? '/';
    send(
      r,
      status,
      page(
        'Sign in',
        html`<form method="post" action="/login" class="card narrow">${message ? html`<div class="notice notice-error" role="alert">${message}</div>` : ''}
<input type="hidden" name="token" value="${nonce.token}"><input type="hidden" name="next" value="${safeNext(next)}">
<label class="field" for="login-user"><span class="label">User id</span><input id="login-user" name="user" value="${userId}" autocomplete="username" required autofocus></label>
<label class="field" for="login-password"><span class="label">Password</span><input id="login-password" type="password" name="password" autocomplete="current-password" required></label>
<button class="primary">Sign in</button></form>`,
      ),
      { 'set-cookie': `${LOGIN_COOKIE}=${nonce.cookie}; ${cookieFlags}; Max-Age=3600` },
    );
  }

  const safeNext = (next: string) => (/^\/(?!\/)[A-Za-z0-9/_.?=&%-]*$/.test(next) && !next.startsWith('/login') ? next : '/');

  async function login(r: Request): Promise<void> {
    const form = await readForm(r.req);
    if (!sessions.checkLogin(r.cookies[LOGIN_COOKIE], form['token'])) return loginPage(r, 403, 'The sign-in form had expired. Please try again.');
    const id = (form['user'] ?? '').trim();
    const password = form['password'] ?? '';
    const address = r.req.socket.remoteAddress ?? 'unknown';
    if (throttle.blocked(`user:${id}`) || throttle.blocked(`addr:${address}`)) {
      log('warn', 'sign-in throttled', { user: SafeId.safeParse(id).success ? id : '(invalid)', address });
      return loginPage(r, 429, 'Too many failed attempts. Wait 15 minutes, or ask an administrator.', id);
    }
    const user = SafeId.safeParse(id).success ? users.find(id) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoy()));
    if (!user || !ok || password === '') {
      throttle.fail(`user:${id}`);
      throttle.fail(`addr:${address}`);
      log('warn', 'sign-in refused', { user: SafeId.safeParse(id).success ? id : '(invalid)', address });
      return loginPage(r, 401, 'That user id and password do not match.', id);
    }
    throttle.succeed(`user:${id}`);
    const { cookie } = sessions.issue(user.id);
    log('info', 'signed in', { user: user.id, role: user.role });
    redirect(r, safeNext(form['next'] ?? '/'), {
      'set-cookie': [
        `${SESSION_COOKIE}=${cookie}; ${cookieFlags}; Max-Age=${Math.floor(sessions.lifetimeMs / 1000)}`,
        `${LOGIN_COOKIE}=; ${cookieFlags}; Max-Age=0`,
      ],
    });
  }

  // --- pages ------------------------------------------------------------------------------

  async function caseList(r: Request): Promise<void> {
    const filter = ListFilter.safeParse(queryValues(r.url));
    const params = Object.fromEntries(r.url.searchParams);
    let errors: FieldErrors = {};
    let cases: Awaited<ReturnType<typeof listCases>> = [];
    if (!filter.success) {
      errors = queryErrors(filter.error.issues);
    } else {
      const { team, tier, overdue } = filter.data;
      cases = await ask(() => listCases(client, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), overdueOnly: overdue !== undefined }));
    }
    const now = new Date().toISOString();
    const overdueCases = cases.filter((c) => c.overdueCount > 0).length;
    const rows = cases.map(
      (c) =>
        html`<tr class="${c.overdueCount > 0 ? 'row-overdue' : ''}"><td><a href="/cases/${encodeURIComponent(c.caseId)}">${c.caseId}</a></td><td>${c.team ?? ''}</td><td>${tierBadge(c.tier)}</td><td class="num">${
          c.overdueCount > 0 ? html`<span class="pill pill-late">${c.overdueCount}</span>` : '0'
        }</td><td>${c.nextDueAt ? deadline(c.nextDueAt, now) : html`<span class="muted">none</span>`}</td></tr>`,
    );
    const filterForm = html`<form method="get" action="/" class="filters">
${field({ name: 'team', label: 'Team', type: 'text', placeholder: 'e.g. LOCALITY-NORTH' }, params['team'], errors['team'], 'f')}
${field({ name: 'tier', label: 'Tier', type: 'select', options: RISK_TIERS.map((t) => ({ value: t, label: TIER_LABEL[t] ?? t })) }, params['tier'], errors['tier'], 'f')}
<label class="check"><input type="checkbox" name="overdue" value="on"${params['overdue'] ? raw(' checked') : ''}> Overdue only</label>
<button>Filter</button> <a href="/" class="muted">clear</a>${
      // The checkbox has no note of its own: say what was wrong with it here.
      errors['overdue'] ? html`<span class="error" role="alert">Overdue only: ${errors['overdue']}</span>` : ''
    }</form>`;
    send(
      r,
      Object.keys(errors).length > 0 ? 400 : 200,
      page(
        'Cases',
        html`${filterForm}<p class="summary"><strong>${cases.length}</strong> open case${cases.length === 1 ? '' : 's'} shown, <strong class="${overdueCases > 0 ? 'late' : ''}">${overdueCases}</strong> with an overdue obligation. Overdue cases first.</p>
<table class="data"><thead><tr><th>Case</th><th>Team</th><th>Tier</th><th class="num">Overdue</th><th>Next deadline</th></tr></thead><tbody>${
          rows.length > 0 ? rows : html`<tr><td colspan="5" class="muted">No cases match.</td></tr>`
        }</tbody></table>`,
        ctx(r, 'cases'),
      ),
    );
  }

  /** Loads a case or incident, telling a closed one from one that never existed. */
  async function load(subject: 'case' | 'incident', id: string): Promise<CaseContext> {
    try {
      const state = await ask(() => (subject === 'case' ? caseState(client, id) : incidentState(client, id)));
      const fromWorkflow = () => ask(() => (subject === 'case' ? caseTimeline(client, id) : incidentTimeline(client, id)));
      const timeline = await readTimeline(options.store, id, subject, state, fromWorkflow);
      return { state, timeline };
    } catch (err) {
      if (err instanceof CaseActionError && /^no case /.test(err.message)) {
        const status = await ask(() => caseRunStatus(client, id, subject));
        if (status === 'closed') throw new HttpError(410, `${subject === 'case' ? 'Case' : 'Incident'} closed`, `${subject} ${id} is closed: it can no longer be shown or changed here.`);
        throw new HttpError(404, 'Not found', `There is no ${subject} ${id}.`);
      }
      throw err;
    }
  }

  interface FormState {
    slug: string;
    values: Form;
    errors: FieldErrors;
  }

  function actionForm(subject: 'case' | 'incident', id: string, action: CaseAction, c: CaseContext, csrf: string, state?: FormState): Html {
    const formId = `a-${action.slug}`;
    const mine = state?.slug === action.slug;
    const values = mine ? state.values : {};
    const errors = mine ? state.errors : {};
    const specs: FieldSpec[] = action.fields(c);
    const danger = action.slug === 'close' || action.slug === 'apply-policy';
    return html`<details class="action" id="${formId}"${mine ? raw(' open') : ''}><summary>${action.title}</summary>
<form method="post" action="/${subject === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}/actions/${action.slug}"${danger ? raw(' data-confirm="This cannot be undone from the console. Continue?"') : ''}>
<input type="hidden" name="csrf" value="${csrf}">${errors['_form'] ? html`<div class="notice notice-error" role="alert">${errors['_form']}</div>` : ''}
${specs.map((s) => field(s, values[s.name], errors[s.name], formId))}
<button class="${danger ? 'danger' : 'primary'}">${action.title}</button></form></details>`;
  }

  function subjectPage(r: Request, subject: 'case' | 'incident', id: string, c: CaseContext, status = 200, formState?: FormState): void {
    const user = r.user as ConsoleUser;
    const csrf = sessions.csrfToken(r.session as Session);
    const s: CaseState = c.state;
    const now = new Date().toISOString();
    const team = s.details.team;
    const can = (a: CaseAction) => decide(user, a.permission, team).allowed;
    const done = r.url.searchParams.get('done');
    const doneAction = done ? (actionBySlug(done)?.title ?? (done === 'open' ? 'Case opened' : done === 'report' ? 'Incident reported' : undefined)) : undefined;
    const ack = actionBySlug('ack');
    const open = [...s.open].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    /** Who acknowledged each obligation's escalation level, from the timeline. */
    const acknowledged = new Map<string, string>();
    for (const t of c.timeline) if (t.event?.type === 'escalation-acknowledged') acknowledged.set(`${t.event.obligationId}#${t.event.level}`, t.by);
    const obligationRow = (o: Obligation) => {
      const late = o.dueAt <= now;
      const ackedBy = acknowledged.get(`${o.id}#${o.escalationLevel}`);
      const ackForm = ackedBy
        ? html`<span class="small muted">acknowledged by ${ackedBy}</span>`
        : o.escalationLevel > 0 && ack && can(ack)
          ? html`<form method="post" action="/${subject === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}/actions/ack" class="inline"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="obligationId" value="${o.id}"><input type="hidden" name="level" value="${o.escalationLevel}"><button class="small">Acknowledge level ${o.escalationLevel}</button></form>`
          : '';
      return html`<tr class="${late ? 'row-overdue' : ''}"><td><strong>${o.title}</strong><br><span class="muted small">${o.basis.type}: ${o.basis.reference}</span><br><code class="small">${o.id}</code></td><td>${deadline(o.dueAt, now)}</td><td>${
        late ? html`<span class="pill pill-late">${lateness(o.dueAt, now)} late</span>` : html`<span class="pill pill-ok">on time</span>`
      }${o.onHold ? html` <span class="pill">on hold</span>` : ''}</td><td>${o.escalationLevel > 0 ? html`<span class="pill pill-late">level ${o.escalationLevel}</span> ` : html`<span class="muted">none</span>`}${ackForm}</td></tr>`;
    };
    const visible = CASE_ACTIONS.filter((a) => a.subject === subject && a.slug !== 'ack' && can(a));
    const groups = [...new Set(visible.map((a) => a.group))];
    const actions =
      s.status === 'closed'
        ? html`<p class="muted">This ${subject} is closed.</p>`
        : visible.length === 0
          ? html`<p class="muted">You can read this ${subject}. Changes are made by the managers of team ${team} and by administrators.</p>`
          : html`${formState && formState.errors['_form'] && !CASE_ACTIONS.some((a) => a.slug === formState.slug && visible.includes(a)) ? html`<div class="notice notice-error">${formState.errors['_form']}</div>` : ''}${groups.map(
              (g) => html`<section class="action-group"><h3>${g}</h3>${visible.filter((a) => a.group === g).map((a) => actionForm(subject, id, a, c, csrf, formState))}</section>`,
            )}`;
    const timeline = [...c.timeline].reverse().map(
      (t: TimelineEntry) =>
        html`<tr class="${t.delivery?.outcome === 'undeliverable' ? 'row-overdue' : ''}"><td class="nowrap">${localTime(t.at)}</td><td>${t.by}</td><td><span class="kind kind-${t.entry}">${t.entry}</span></td><td>${t.summary}</td></tr>`,
    );
    // The acknowledge button's fields are hidden, so the notice names them.
    const ackLabel = (name: string) => ack?.fields(c).find((f) => f.name === name)?.label ?? name;
    const ackError =
      formState?.slug === 'ack' && Object.keys(formState.errors).length > 0
        ? html`<div class="notice notice-error" role="alert">Acknowledgement not recorded: ${Object.entries(formState.errors)
            .map(([k, v]) => (k === '_form' ? v : `${ackLabel(k)}: ${v}`))
            .join('; ')}</div>`
        : '';
    const title = `${subject === 'case' ? 'Case' : 'Serious incident'} ${s.caseId}`;
    const waiting = waitingForMail(s, new Date().toISOString());
    send(
      r,
      status,
      page(
        title,
        html`${doneAction ? html`<div class="notice notice-ok" role="status">${doneAction}: recorded by ${user.id}.</div>` : ''}${
          formState && Object.keys(formState.errors).length > 0 && formState.slug !== 'ack' ? html`<div class="notice notice-error" role="alert">Nothing was recorded: please correct the form below.</div>` : ''
        }${ackError}
<dl class="facts"><div><dt>Reference</dt><dd>${s.details.reference}</dd></div><div><dt>Team</dt><dd>${team}</dd></div>${
          subject === 'case' ? html`<div><dt>Risk tier</dt><dd>${tierBadge(s.tier)}</dd></div>` : ''
        }${s.linkedCaseId ? html`<div><dt>Case</dt><dd><a href="/cases/${encodeURIComponent(s.linkedCaseId)}">${s.linkedCaseId}</a></dd></div>` : ''}<div><dt>Status</dt><dd>${s.status}</dd></div><div><dt>Overdue</dt><dd class="${
          s.overdueCount > 0 ? 'late' : ''
        }">${s.overdueCount}</dd></div><div><dt>Policy</dt><dd>${s.policyVersion}</dd></div><div><dt>Opened</dt><dd>${localTime(s.openedAt)}</dd></div></dl>
${s.warnings.length > 0 ? html`<section class="notice notice-warn"><h2>Needs attention</h2><ul>${s.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>` : ''}
${
  waiting.length > 0
    ? html`<section class="notice notice-warn"><h2>Messages waiting for the mail server</h2><p>The mail server has not accepted these yet; CaseClock retries each at least once a minute and sends it as soon as mail works.</p><ul>${waiting.map(
        (m) => html`<li>${describeMessageKind(m)} to ${m.role}, due to go ${localTime(m.sendAt)}</li>`,
      )}</ul></section>`
    : ''
}
${
  s.undeliverable.length > 0
    ? html`<section class="notice notice-error"><h2>Messages that could not be delivered</h2><ul>${s.undeliverable.map(
        (d) => html`<li>${d.type === 'escalation' ? `Escalation level ${d.level}` : d.type} to ${d.role}${d.kind ? ` (${d.kind})` : ''}: ${d.reason ?? 'unknown reason'}</li>`,
      )}</ul></section>`
    : ''
}
<h2>Open obligations <span class="count">${open.length}</span></h2>
<table class="data"><thead><tr><th>Obligation</th><th>Due (UK time)</th><th>How late</th><th>Escalation</th></tr></thead><tbody>${
          open.length > 0 ? open.map(obligationRow) : html`<tr><td colspan="4" class="muted">None open.</td></tr>`
        }</tbody></table>
<div class="columns"><section class="actions"><h2>Record</h2>${actions}</section>
<section class="timeline"><h2>Timeline <span class="muted small">newest first</span></h2><table class="data"><thead><tr><th>When</th><th>Who</th><th></th><th>What</th></tr></thead><tbody>${timeline}</tbody></table></section></div>`,
        ctx(r),
      ),
    );
  }

  async function subjectView(r: Request, subject: 'case' | 'incident', id: string): Promise<void> {
    subjectPage(r, subject, id, await load(subject, id));
  }

  async function subjectAction(r: Request, subject: 'case' | 'incident', id: string, slug: string, form: Form): Promise<void> {
    const user = r.user as ConsoleUser;
    const action = actionBySlug(slug);
    if (!action || (action.subject !== subject && slug !== 'ack')) throw new HttpError(404, 'Not found', `There is no action ${slug} here.`);
    // A viewer is refused before anything is asked of Temporal; others by the case's team.
    if (user.role === 'viewer') throw new HttpError(403, 'Not allowed', decide(user, action.permission).reason ?? 'Not allowed.');
    const c = await load(subject, id);
    const verdict = decide(user, action.permission, c.state.details.team);
    if (!verdict.allowed) {
      log('warn', 'action refused', { user: user.id, subject, id, action: slug });
      throw new HttpError(403, 'Not allowed', verdict.reason ?? 'Not allowed.');
    }
    const parsed = action.parse(form, user.id, new Date(), { subjectId: id });
    if (!parsed.ok) return subjectPage(r, subject, id, c, 400, { slug, values: form, errors: parsed.errors });
    try {
      await ask(() => submit(client, subject, id, parsed.value, user.id));
    } catch (err) {
      if (err instanceof CaseActionError && !/^no (case|incident) /.test(err.message)) {
        const current = await load(subject, id);
        return subjectPage(r, subject, id, current, 409, { slug, values: form, errors: { ...refusedFields(err.message, action, current), _form: `Refused by the ${subject}: ${err.message}` } });
      }
      throw err;
    }
    log('info', 'action recorded', { user: user.id, subject, id, action: slug });
    redirect(r, `/${subject === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}?done=${encodeURIComponent(slug)}`);
  }

  function startPage(r: Request, kind: 'case' | 'incident', status = 200, values: Form = {}, errors: FieldErrors = {}): void {
    const user = r.user as ConsoleUser;
    const specs = kind === 'case' ? openCaseFields(user.team) : incidentFields();
    const defaults: Form = { policy: 'default', ...(user.role === 'manager' && user.team ? { team: user.team } : {}) };
    const v = { ...defaults, ...values };
    const title = kind === 'case' ? 'Open a case' : 'Report a serious incident';
    send(
      r,
      status,
      page(
        title,
        html`<form method="post" action="${kind === 'case' ? '/cases' : '/incidents'}" class="card"><input type="hidden" name="csrf" value="${sessions.csrfToken(r.session as Session)}">
${Object.keys(errors).length > 0 ? html`<div class="notice notice-error" role="alert">Nothing was recorded: please correct the fields marked below.${errors['_form'] ? html`<br>${errors['_form']}` : ''}</div>` : ''}
${kind === 'incident' ? html`<p class="muted">Starts the 5-working-day clock for notifying the national panel, then the rapid review.</p>` : html`<p class="muted">Emails carry the reference and team, never the child's name or address. Contacts are staff: write "Name &lt;email&gt;".</p>`}
<div class="grid">${specs.map((s) => field(s, v[s.name], errors[s.name], kind))}</div>
<button class="primary">${title}</button></form>`,
        ctx(r, kind === 'case' ? 'open' : 'incident'),
      ),
    );
  }

  async function start(r: Request, kind: 'case' | 'incident', form: Form): Promise<void> {
    const user = r.user as ConsoleUser;
    if (user.role === 'viewer') throw new HttpError(403, 'Not allowed', decide(user, 'steer').reason ?? 'Not allowed.');
    const opts = options.configuredPolicy ? { configuredPolicy: options.configuredPolicy } : {};
    const queue = options.taskQueue ? { taskQueue: options.taskQueue } : {};
    const parsed = kind === 'case' ? parseOpenCase(form, user.id, opts) : parseIncident(form, user.id, new Date(), opts);
    if (!parsed.ok) return startPage(r, kind, 400, form, parsed.errors);
    const verdict = decide(user, 'steer', parsed.value.input.details.team);
    if (!verdict.allowed) throw new HttpError(403, 'Not allowed', verdict.reason ?? 'Not allowed.');
    const { input, policy } = parsed.value;
    const id = 'caseId' in input ? input.caseId : input.incidentId;
    try {
      if ('caseId' in input) await ask(() => openCase(client, input, policy, queue));
      else await ask(() => reportIncident(client, input, policy, queue));
    } catch (err) {
      if (err instanceof CaseActionError) return startPage(r, kind, 409, form, { _form: err.message, ...(/already exists/.test(err.message) ? { [kind === 'case' ? 'caseId' : 'incidentId']: 'already exists' } : {}) });
      throw err;
    }
    log('info', kind === 'case' ? 'case opened' : 'incident reported', { user: user.id, id });
    redirect(r, `/${kind === 'case' ? 'cases' : 'incidents'}/${encodeURIComponent(id)}?done=${kind === 'case' ? 'open' : 'report'}`);
  }

  async function dashboard(r: Request): Promise<void> {
    const [overdue, all] = await ask(() => Promise.all([listCases(client, { overdueOnly: true }), listCases(client, {})]));
    const now = new Date().toISOString();
    const groups = groupOverdue(overdue);
    const obligations = overdue.reduce((s, c) => s + c.overdueCount, 0);
    const high = overdue.filter((c) => c.tier === 'HIGH_IMMEDIATE').length;
    const series = TIER_ORDER.map((t) => ({ key: t, label: TIER_LABEL[t] ?? t }));
    const chart = stackedBarChart(
      groups.map((g) => ({
        label: g.team,
        segments: TIER_ORDER.map((t) => ({ key: t, label: TIER_LABEL[t] ?? t, value: g.byTier[t] ?? 0 })),
        note: `${g.cases} case${g.cases === 1 ? '' : 's'} · ${g.obligations} overdue`,
      })),
      series,
      { title: 'Cases with an overdue obligation, by team and risk tier' },
    );
    const teamRows = groups.map(
      (g) =>
        html`<tr><td><a href="/?team=${encodeURIComponent(g.team)}&amp;overdue=on">${g.team}</a></td>${TIER_ORDER.map((t) => html`<td class="num">${g.byTier[t] ?? 0}</td>`)}<td class="num"><strong>${g.cases}</strong></td><td class="num">${g.obligations}</td></tr>`,
    );
    const caseRows = overdue.map(
      (c) =>
        html`<tr class="row-overdue"><td><a href="/cases/${encodeURIComponent(c.caseId)}">${c.caseId}</a></td><td>${c.team ?? ''}</td><td>${tierBadge(c.tier)}</td><td class="num"><span class="pill pill-late">${c.overdueCount}</span></td><td>${c.nextDueAt ? deadline(c.nextDueAt, now) : ''}</td></tr>`,
    );
    send(
      r,
      200,
      page(
        'Overdue dashboard',
        html`<p class="muted">As at ${localTime(now)}. Open cases with at least one deadline that has passed and has not been met or waived.</p>
<div class="tiles"><div class="tile${overdue.length > 0 ? ' tile-late' : ''}"><span class="big">${overdue.length}</span><span>cases overdue</span></div><div class="tile"><span class="big">${all.length}</span><span>open cases</span></div><div class="tile${obligations > 0 ? ' tile-late' : ''}"><span class="big">${obligations}</span><span>overdue obligations</span></div><div class="tile${high > 0 ? ' tile-late' : ''}"><span class="big">${high}</span><span>high and immediate cases overdue</span></div></div>
<h2>By team and risk tier</h2>${chart}
<table class="data compact"><thead><tr><th>Team</th>${TIER_ORDER.map((t) => html`<th class="num">${TIER_LABEL[t] ?? t}</th>`)}<th class="num">Cases</th><th class="num">Obligations</th></tr></thead><tbody>${
          teamRows.length > 0 ? teamRows : html`<tr><td colspan="7" class="muted">Nothing is overdue.</td></tr>`
        }</tbody></table>
<h2>Overdue cases</h2><table class="data" id="overdue-cases"><thead><tr><th>Case</th><th>Team</th><th>Tier</th><th class="num">Overdue</th><th>Earliest deadline</th></tr></thead><tbody>${
          caseRows.length > 0 ? caseRows : html`<tr><td colspan="5" class="muted">Nothing is overdue.</td></tr>`
        }</tbody></table>`,
        ctx(r, 'dashboard'),
      ),
    );
  }

  function kpiQuery(r: Request): { query?: KpiQuery; values: Form; errors: FieldErrors } {
    const values: Form = { ...defaultPeriod(new Date()), ...queryValues(r.url) };
    const parsed = KpiQuery.safeParse(values);
    if (parsed.success) return { query: parsed.data, values, errors: {} };
    return { values, errors: queryErrors(parsed.error.issues) };
  }

  async function kpi(r: Request): Promise<void> {
    const { query, values, errors } = kpiQuery(r);
    const form = html`<form method="get" action="/kpi" class="filters">${field({ name: 'from', label: 'From (UK date)', type: 'date', required: true }, values['from'], errors['from'], 'k')}${field(
      { name: 'to', label: 'To (included)', type: 'date', required: true },
      values['to'],
      errors['to'],
      'k',
    )}${field({ name: 'team', label: 'Team', type: 'text' }, values['team'], errors['team'], 'k')}${field(
      { name: 'tier', label: 'Tier', type: 'select', options: RISK_TIERS },
      values['tier'],
      errors['tier'],
      'k',
    )}<button>Show</button></form>`;
    if (!query) return send(r, 400, page('Visiting KPI', html`${form}<div class="notice notice-error" role="alert">Please correct the period.</div>`, ctx(r, 'kpi')));
    const result = await ask(() => gatherKpi(options.store, query, new Date()));
    const groups = kpiByTeamAndTier(result.rows);
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    const chart = stackedBarChart(
      groups.map((g) => ({
        label: g.label,
        segments: [
          { key: 'onTime', label: 'On time', value: g.onTime / g.due },
          { key: 'late', label: 'Late', value: g.late / g.due },
          { key: 'missed', label: 'Missed', value: g.missed / g.due },
        ],
        note: `${pct(g.onTime / g.due)} on time (${g.due})`,
      })),
      [
        { key: 'onTime', label: 'On time' },
        { key: 'late', label: 'Late' },
        { key: 'missed', label: 'Missed' },
      ],
      { title: 'Visits and keeping-in-touch calls: share on time, late and missed, by team and tier', max: 1, format: pct },
    );
    const hours = (ms: number | null) => (ms === null ? '–' : ms < 3_600_000 ? `${Math.max(1, Math.round(ms / 60_000))} min` : ms < 86_400_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 86_400_000).toFixed(1)} days`);
    const rows = result.rows.map(
      (row) =>
        html`<tr><td class="nowrap">${row.team}</td><td>${tierBadge(row.tier)}</td><td class="nowrap">${row.kind}</td><td class="num">${row.due}</td><td class="num">${row.onTime}</td><td class="num">${row.late}</td><td class="num">${row.missed}</td><td class="num">${row.waived}</td><td class="num">${row.pending}</td><td class="num"><strong>${
          row.onTimeRate === null ? '–' : pct(row.onTimeRate)
        }</strong></td><td class="num">${hours(row.medianLateByMs)}</td></tr>`,
    );
    const csvHref = `/kpi.csv?${new URLSearchParams(Object.entries({ from: query.from, to: query.to, ...(query.team ? { team: query.team } : {}), ...(query.tier ? { tier: query.tier } : {}) })).toString()}`;
    send(
      r,
      200,
      page(
        'Visiting KPI',
        html`${form}<p class="muted">Visits and keeping-in-touch calls whose deadline fell between ${query.from} and ${query.to} (UK dates), from ${result.casesRead} case${
          result.casesRead === 1 ? '' : 's'
        }, open or closed. <a href="${csvHref}" download>Download CSV</a></p>

${chart}
<table class="data"><thead><tr><th>Team</th><th>Tier</th><th>Kind</th><th class="num">Due</th><th class="num">On time</th><th class="num">Late</th><th class="num">Missed</th><th class="num">Waived</th><th class="num">Pending</th><th class="num">On time %</th><th class="num">Median late</th></tr></thead><tbody>${
          rows.length > 0 ? rows : html`<tr><td colspan="11" class="muted">Nothing came due in the period.</td></tr>`
        }</tbody></table>`,
        ctx(r, 'kpi'),
      ),
    );
  }

  async function kpiCsvDownload(r: Request): Promise<void> {
    const { query, errors } = kpiQuery(r);
    if (!query) throw new HttpError(400, 'Not accepted', `Bad period: ${Object.entries(errors).map(([k, v]) => `${k} ${v}`).join('; ')}`);
    const result = await ask(() => gatherKpi(options.store, query, new Date()));
    r.res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="caseclock-kpi-${query.from}-to-${query.to}.csv"`,
      'cache-control': 'no-store',
    });
    r.res.end(kpiCsv(result.rows, query));
  }

  // --- routing ----------------------------------------------------------------------------

  async function route(r: Request): Promise<void> {
    const { method } = r;
    const p = r.url.pathname;
    const asset = STATIC[p];
    if (asset && method === 'GET') {
      r.res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=300' });
      return void r.res.end(asset.body);
    }
    if (p === '/favicon.ico') {
      r.res.writeHead(204, { ...SECURITY_HEADERS, 'cache-control': 'public, max-age=86400' });
      return void r.res.end();
    }
    if (p === '/healthz') {
      r.res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      return void r.res.end('ok');
    }
    if (method === 'POST') {
      // Same-origin posts only (the CSRF token is checked below as well).
      const origin = r.req.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, r.req.headers.host)) throw new HttpError(403, 'Not allowed', 'Forms can only be sent from the console itself.');
    }
    if (p === '/login') {
      if (method === 'GET') return loginPage(r, 200);
      if (method === 'POST') return login(r);
      throw new HttpError(405, 'Not allowed', 'Use the sign-in form.');
    }

    // Everything else needs a signed-in user who still exists in the users file.
    const session = sessions.verify(r.cookies[SESSION_COOKIE]);
    const user = session ? users.find(session.uid) : undefined;
    if (!session || !user) {
      if (method === 'GET') return redirect(r, `/login?next=${encodeURIComponent(p + r.url.search)}`);
      throw new HttpError(401, 'Signed out', 'Your session has ended. Please sign in again; nothing was changed.');
    }
    r.session = session;
    r.user = user;

    if (method === 'POST') {
      const form = await readForm(r.req);
      if (!sessions.checkCsrf(session, form['csrf'])) {
        log('warn', 'csrf token refused', { user: user.id, path: p });
        throw new HttpError(403, 'Not allowed', 'The form had expired or did not come from this console: nothing was changed. Reload the page and try again.');
      }
      if (p === '/logout') {
        sessions.end(session);
        return redirect(r, '/login', { 'set-cookie': `${SESSION_COOKIE}=; ${cookieFlags}; Max-Age=0` });
      }
      if (p === '/cases') return start(r, 'case', form);
      if (p === '/incidents') return start(r, 'incident', form);
      const m = /^\/(cases|incidents)\/([^/]+)\/actions\/([a-z-]+)$/.exec(p);
      if (m) {
        const id = idFromPath(m[2]);
        if (id === undefined) throw new HttpError(404, 'Not found', 'That is not a case id.');
        return subjectAction(r, m[1] === 'cases' ? 'case' : 'incident', id, m[3] ?? '', form);
      }
      throw new HttpError(404, 'Not found', 'There is no such page.');
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'Not allowed', 'Not a method the console answers.');

    if (p === '/') return caseList(r);
    if (p === '/dashboard') return dashboard(r);
    if (p === '/kpi') return kpi(r);
    if (p === '/kpi.csv') return kpiCsvDownload(r);
    if (p === '/cases/new' || p === '/incidents/new') {
      if (user.role === 'viewer') throw new HttpError(403, 'Not allowed', decide(user, 'steer').reason ?? 'Not allowed.');
      return startPage(r, p === '/cases/new' ? 'case' : 'incident');
    }
    if (p === '/api/cases') {
      const filter = ListFilter.safeParse(queryValues(r.url));
      if (!filter.success) {
        const error = Object.entries(queryErrors(filter.error.issues)).map(([k, v]) => `${k}: ${v}`).join('; ');
        return send(r, 400, JSON.stringify({ error }), { 'content-type': 'application/json; charset=utf-8' });
      }
      const { team, tier, overdue } = filter.data;
      const cases = await ask(() => listCases(client, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), overdueOnly: overdue !== undefined }));
      return send(r, 200, JSON.stringify(cases), { 'content-type': 'application/json; charset=utf-8' });
    }
    const m = /^\/(cases|incidents)\/([^/]+)$/.exec(p);
    if (m) {
      const id = idFromPath(m[2]);
      if (id === undefined) throw new HttpError(404, 'Not found', 'That is not a case id.');
      return subjectView(r, m[1] === 'cases' ? 'case' : 'incident', id);
    }
    throw new HttpError(404, 'Not found', 'There is no such page.');
  }

  return http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://console.local');
    } catch {
      url = new URL('http://console.local/');
    }
    const r: Request = { req, res, url, method: req.method ?? 'GET', cookies: parseCookies(req.headers.cookie) };
    route(r).catch((err: unknown) => {
      const e = asHttpError(err, r.url.pathname.startsWith('/incidents') ? 'The incident' : r.url.pathname.startsWith('/cases/') ? 'The case' : 'Temporal');
      if (e.status >= 500) {
        log('error', 'console request failed', { path: r.url.pathname, user: r.user?.id, error: err instanceof Error ? err.message.split('\n')[0] : String(err) });
      }
      if (res.headersSent) return void res.end();
      errorPage(r, new HttpError(e.status, ERROR_PAGES[e.status] ?? e.title, e.message));
    });
  });
}

