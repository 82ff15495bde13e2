/**
 * The integration API, `/api/v1` on the console's server (docs/api.md): JSON over HTTP for another
 * system (the council's case system, a bridge, a script) to open cases, record what happened, and
 * read cases, as an OAuth 2.0 client of the council's identity provider (auth.ts).
 *
 * The registry's third face: one route per case action, made by iterating the action registry
 * (client/actions/case-actions.ts), each body read by that action's own parser, so the API has the
 * forms' and the command line's validation, consistency rules and refusals. Reads come from the
 * case's summary and record in the store (common/case-reads.ts), never from its workflow, and each
 * read of a case is in "Who viewed what" under the client's id. Writes are safe to retry
 * (idempotency.ts) and every refusal is a problem document naming each field (problems.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { apiClientUserId } from '../../../common/api-identity';
import { type CaseRead, listCaseSummaries, readCase } from '../../../common/case-reads';
import { CaseActionError, caseRunStatus, openCase } from '../../../common/cases';
import { SafeId } from '../../../domain/facts';
import { PolicyError } from '../../../domain/policy-loader';
import type { ApiIdempotencyStore } from '../../../store/api-idempotency-store';
import { type CaseAction, parseOpenCase, startFormErrorsFromRefusal, submit } from '../../actions/case-actions';
import { storedTimeline } from '../../case-record';
import type { ConsoleContext } from '../context';
import { queryErrors, queryValues } from '../context';
import { ConsoleHttpError } from '../errors';
import { apiCallerOf, authorize, insufficientScopeChallenge } from './auth';
import type { ApiCaller, ApiProblem } from './caller';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf, type KeptAnswer, once, requestHash, updateIdOf } from './idempotency';
import { openApiDocument } from './openapi';
import { actionRefusal, fromFieldErrors, fromRefusal, problem, sendProblem } from './problems';
import { actionBody, API_CASE_ACTIONS, bodyErrors, fieldKinds, formFromBody, ListQuery, OPEN_ACTION, openCaseBody } from './schemas';

export const API_PREFIX = '/api/v1';
/** The largest JSON body taken: a case's opening with every contact is a few kilobytes. */
const MAX_BODY = 64 * 1024;

export interface ApiOptions {
  /** Verifies the caller's access token and sets `request.apiCaller`: auth.ts `apiAuthentication(config)`. */
  authenticate: preHandlerAsyncHookHandler;
  /** Where the keys of requests already made are kept (shared by every console replica). */
  idempotency: ApiIdempotencyStore;
  /** Requests one client may make a minute, across everything it calls (default 600). */
  perClientPerMinute?: number;
  /** How long a request waits for another with the same key to finish (default 10 s). */
  waitForSameKeyMs?: number;
}

/** A caller's refusal for `action` on `team`, sent; undefined when it may. */
function refuseUnlessAllowed(reply: FastifyReply, caller: ApiCaller, action: string, team: string | undefined): FastifyReply | undefined {
  const refused = authorize(caller, action, team);
  if (!refused) return undefined;
  const challenge = insufficientScopeChallenge(refused, action);
  return sendProblem(reply, refused, challenge ? { 'www-authenticate': challenge } : {});
}

/** A kept answer, sent: a problem document for a refusal, JSON otherwise; `replayed` says it was the first request's. */
function sendKept(reply: FastifyReply, answer: KeptAnswer & { replayed: boolean }, headers: Record<string, string> = {}): FastifyReply {
  const all = { ...headers, ...(answer.replayed ? { 'idempotent-replayed': 'true' } : {}) };
  if (answer.status >= 400) return sendProblem(reply, answer.body as ApiProblem, all);
  return reply
    .code(answer.status)
    .headers({ 'cache-control': 'no-store', ...all })
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(answer.body));
}

const json = (reply: FastifyReply, body: unknown) => reply.code(200).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(body));

/** What a Temporal call or a hook threw, as a problem (anything unknown: 500, logged). */
function problemOf(err: unknown, answerTimeoutMs: number): ApiProblem | undefined {
  const code = (err as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem('too-large', `The body must be at most ${MAX_BODY / 1024} KB: nothing was recorded.`);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem('unsupported-media-type', 'Send the body as application/json: nothing was recorded.');
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'API_BAD_JSON') return problem('invalid-input', 'The body is not JSON: nothing was recorded.');
  if (err instanceof ConsoleHttpError) {
    return { type: 'about:blank', title: err.message, status: err.status };
  }
  if (err instanceof CaseActionError) return fromRefusal(err, () => undefined);
  if (err instanceof PolicyError) return problem('invalid-input', err.message, [{ field: 'policy', message: err.message }]);
  const message = err instanceof Error ? err.message : String(err);
  if (/deadline exceeded|DEADLINE_EXCEEDED/i.test(message)) {
    return problem(
      'unavailable',
      `The case did not answer within ${Math.round(answerTimeoutMs / 1000)} seconds (is a CaseClock worker running?). It may still record the request: send it again with the same key, and it is recorded once.`,
    );
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { type: 'about:blank', title: 'The request was not understood', status };
  return undefined;
}

export async function registerApiRoutes(app: FastifyInstance, ctx: ConsoleContext, api: ApiOptions): Promise<void> {
  const { options } = ctx;
  const answerTimeoutMs = options.answerTimeoutMs ?? 20_000;
  const waitMs = api.waitForSameKeyMs ?? 10_000;
  // Long enough for the slowest answer; a key whose console died is taken over after it.
  const leaseMs = answerTimeoutMs + 30_000;

  await app.register(
    async (scope) => {
      // JSON here only, and no form: a page elsewhere could post a form here across sites, never JSON.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_BODY }, (_request, body, done) => {
        try {
          done(null, JSON.parse(String(body)) as unknown);
        } catch {
          done(Object.assign(new Error('the body is not JSON'), { code: 'API_BAD_JSON', statusCode: 400 }), undefined);
        }
      });

      scope.setErrorHandler(async (err, request, reply) => {
        const p = problemOf(err, answerTimeoutMs);
        if (p) return sendProblem(reply, p);
        request.log.error(
          { err: { type: err instanceof Error ? err.name : 'unknown', message: err instanceof Error ? err.message.split('\n')[0] : String(err) }, apiClient: request.apiCaller?.clientId },
          'integration API request failed',
        );
        return sendProblem(reply, problem('internal', 'The error has been logged; tell the council the time it happened.'));
      });
      scope.setNotFoundHandler(async (_request, reply) => sendProblem(reply, problem('not-found', 'There is no such route in the CaseClock API (see /api/v1/openapi.json).')));

      // Per client, after its token is checked: one client's burst never holds back another's.
      const perClient = scope.createRateLimit({ max: api.perClientPerMinute ?? 600, timeWindow: 60_000, keyGenerator: (request) => `api:${request.apiCaller?.clientId ?? request.ip}` });
      const rateLimit: preHandlerAsyncHookHandler = async (request, reply) => {
        const limit = await perClient(request);
        if (limit.isAllowed) return;
        void reply.headers({ 'x-ratelimit-limit': String(limit.max), 'x-ratelimit-remaining': String(Math.max(0, limit.remaining)) });
        if (limit.isExceeded) {
          return sendProblem(reply, problem('rate-limited', `At most ${limit.max} requests a minute from one client: wait ${limit.ttlInSeconds} seconds. Nothing was recorded.`), {
            'retry-after': String(limit.ttlInSeconds),
          });
        }
      };
      // The console's limit by address is for people; a client is limited by its id instead.
      const routeOptions = { preHandler: [api.authenticate, rateLimit], config: { rateLimit: false as const } };

      /** The caller, as the timeline and "Who viewed what" record it. */
      const byOf = (caller: ApiCaller) => apiClientUserId(caller.clientId);

      /** A case from the store, or the problem that says why not. */
      async function load(id: string): Promise<Extract<CaseRead, { found: 'summary' }> | ApiProblem> {
        const read = await readCase({ summaries: options.summaries, records: options.store, runStatus: () => ctx.ask(() => caseRunStatus(options.client, id, 'case')) }, 'case', id);
        if (read.found === 'absent') return problem('not-found', `There is no case ${id}.`);
        if (read.found === 'closed') return problem('closed', `Case ${id} is closed and has no summary in the case record.`);
        if (read.found === 'no-summary')
          return problem('no-summary', `Case ${id} has not written its summary to the case record yet (just opened, or begun before summaries: caseclock summaries backfill). Nothing was recorded.`);
        return read;
      }

      const caseIdOf = (request: FastifyRequest): string | undefined => {
        const id = SafeId.safeParse((request.params as { caseId?: unknown }).caseId);
        return id.success ? id.data : undefined;
      };

      // --- the document ------------------------------------------------------------------------

      let document: string | undefined;
      scope.get('/openapi.json', async (_request, reply) => {
        document ??= JSON.stringify(openApiDocument(options.publicUrl));
        return reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8').send(document);
      });

      // --- reads ------------------------------------------------------------------------------

      scope.get('/cases', routeOptions, async (request, reply) => {
        const caller = apiCallerOf(request);
        const query = ListQuery.safeParse(queryValues(request.query));
        if (!query.success) return sendProblem(reply, fromFieldErrors(queryErrors(query.error.issues)));
        const { team, tier, overdue } = query.data;
        const refused = refuseUnlessAllowed(reply, caller, 'read', team);
        if (refused) return refused;
        const cases = await listCaseSummaries(options.summaries, {
          ...(caller.teams === 'all' ? {} : { teams: [...caller.teams] }),
          ...(team ? { team } : {}),
          ...(tier ? { tier } : {}),
          overdueOnly: overdue === 'true',
          now: new Date().toISOString(),
        });
        return json(reply, { cases });
      });

      /** A read of one case: the scope first (nothing of the case is looked at without it), then its team; recorded as a view. */
      const readRoute = (suffix: string, what: (read: Extract<CaseRead, { found: 'summary' }>, id: string) => Promise<unknown>) =>
        scope.get(`/cases/:caseId${suffix}`, routeOptions, async (request, reply) => {
          const caller = apiCallerOf(request);
          const refused = refuseUnlessAllowed(reply, caller, 'read', undefined);
          if (refused) return refused;
          const id = caseIdOf(request);
          if (id === undefined) return sendProblem(reply, problem('not-found', 'That is not a case id.'));
          const read = await load(id);
          if (!('found' in read)) return sendProblem(reply, read);
          const teamRefused = refuseUnlessAllowed(reply, caller, 'read', read.summary.details.team);
          if (teamRefused) return teamRefused;
          const body = await what(read, id);
          await options.consoleStore.recordView({ viewer: byOf(caller), role: 'api-client', subject: 'case', caseId: id, what: 'api' });
          return json(reply, body);
        });
      readRoute('', async (read) => read.summary);
      readRoute('/obligations', async (read) => ({ caseId: read.summary.caseId, status: read.summary.status, obligations: [...read.summary.open].sort((a, b) => a.dueAt.localeCompare(b.dueAt)) }));
      readRoute('/timeline', async (_read, id) => ({ caseId: id, timeline: await storedTimeline(options.store, id, 'case') }));

      // --- opening a case ------------------------------------------------------------------------

      const openKinds = fieldKinds(openCaseBody());

      scope.post('/cases', routeOptions, async (request, reply) => {
        const caller = apiCallerOf(request);
        const refused = refuseUnlessAllowed(reply, caller, OPEN_ACTION, undefined);
        if (refused) return refused;
        const body = request.body;
        const key = idempotencyKeyOf(request.headers[IDEMPOTENCY_HEADER], (body as Record<string, unknown> | undefined)?.['eventId']);
        if ('problem' in key) return sendProblem(reply, key.problem);
        const shaped = formFromBody(body, openKinds);
        const by = byOf(caller);
        const parsed = parseOpenCase(shaped.form, by, options.configuredPolicy ? { configuredPolicy: options.configuredPolicy } : {});
        const errors = bodyErrors(shaped, parsed);
        if (errors || !parsed.ok) return sendProblem(reply, fromFieldErrors(errors ?? {}));
        const { input, policy } = parsed.value;
        // The team it opens the case in must be one of the client's.
        const teamRefused = refuseUnlessAllowed(reply, caller, OPEN_ACTION, input.details.team);
        if (teamRefused) return teamRefused;
        const result = await once(
          api.idempotency,
          { clientId: caller.clientId, key: key.key, hash: requestHash('POST', '/cases', body) },
          async () => {
            try {
              const teams = await ctx.knownTeams();
              await ctx.ask(() => openCase(options.client, input, policy, { teams, ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}) }));
            } catch (err) {
              if (err instanceof CaseActionError) {
                // Each problem by the opening form's field (the case id that exists, the team the directory lacks).
                const p = fromFieldErrors({ _form: err.message, ...startFormErrorsFromRefusal(err, 'case') }, err.kind === 'already-exists' ? 'already-exists' : 'invalid-input');
                return { status: p.status, body: p };
              }
              throw err;
            }
            request.log.info({ apiClient: caller.clientId, id: input.caseId }, 'case opened through the API');
            return { status: 201, body: { caseId: input.caseId, action: OPEN_ACTION, eventId: key.key, recordedBy: by } };
          },
          { leaseMs, waitMs },
        );
        if ('problem' in result) return sendProblem(reply, result.problem, result.retryAfter ? { 'retry-after': String(result.retryAfter) } : {});
        return sendKept(reply, result, result.status === 201 ? { location: `${API_PREFIX}/cases/${encodeURIComponent(input.caseId)}` } : {});
      });

      // --- every case action, from the registry --------------------------------------------------

      const actionRoute = (action: CaseAction, kinds = fieldKinds(actionBody(action))) =>
        scope.post(`/cases/:caseId/actions/${action.slug}`, routeOptions, async (request, reply) => {
          const caller = apiCallerOf(request);
          const refused = refuseUnlessAllowed(reply, caller, action.slug, undefined);
          if (refused) return refused;
          const id = caseIdOf(request);
          if (id === undefined) return sendProblem(reply, problem('not-found', 'That is not a case id.'));
          const body = request.body;
          const key = idempotencyKeyOf(request.headers[IDEMPOTENCY_HEADER], typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['eventId'] : undefined);
          if ('problem' in key) return sendProblem(reply, key.problem);
          // Whose team the case is in is read from its summary: without one, nothing is sent.
          const read = await load(id);
          if (!('found' in read)) return sendProblem(reply, read);
          const teamRefused = refuseUnlessAllowed(reply, caller, action.slug, read.summary.details.team);
          if (teamRefused) return teamRefused;
          const by = byOf(caller);
          const result = await once(
            api.idempotency,
            { clientId: caller.clientId, key: key.key, hash: requestHash('POST', `/cases/${id}/actions/${action.slug}`, body) },
            async () => {
              const shaped = formFromBody(body, kinds);
              const parsed = action.parse(shaped.form, by, new Date(), { subjectId: id, context: { state: read.summary, timeline: [] } });
              const errors = bodyErrors(shaped, parsed);
              if (errors || !parsed.ok) return { status: 400, body: fromFieldErrors(errors ?? {}) };
              try {
                const answer = await ctx.ask(() => submit(options.client, 'case', id, parsed.value, by, { updateId: updateIdOf(caller.clientId, key.key) }));
                request.log.info({ apiClient: caller.clientId, id, action: action.slug }, 'action recorded through the API');
                return { status: 200, body: { caseId: id, action: action.slug, eventId: key.key, recordedBy: by, answer } };
              } catch (err) {
                if (!(err instanceof CaseActionError)) throw err;
                // A closed case's workflow has ended, so Temporal no longer knows it; its summary says it closed.
                if (err.kind === 'not-found' && read.summary.status === 'closed') return { status: 410, body: problem('closed', `Case ${id} is closed: nothing more can be recorded.`) };
                const p = actionRefusal(err, action);
                return { status: p.status, body: p };
              }
            },
            { leaseMs, waitMs },
          );
          if ('problem' in result) return sendProblem(reply, result.problem, result.retryAfter ? { 'retry-after': String(result.retryAfter) } : {});
          return sendKept(reply, result);
        });
      for (const action of API_CASE_ACTIONS) actionRoute(action);
    },
    { prefix: API_PREFIX },
  );
}
