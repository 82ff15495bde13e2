/**
 * The web console on Fastify (docs/decisions/0006-console-on-fastify.md): official plugins for the
 * session (@fastify/session, kept in the shared console store), CSRF (@fastify/csrf-protection,
 * bound to the session), security headers (@fastify/helmet), rate limiting (@fastify/rate-limit)
 * and form bodies (@fastify/formbody; @fastify/multipart for the import page's upload alone);
 * Preact views rendered on the server, escaped by construction; pino logs. One module per route
 * group in routes/.
 *
 * Every page needs a signed-in person and shows only the cases their role and team may see
 * (client/identity/access.ts); every change goes through the client functions the command line uses, with the
 * signed-in person as `by`, after the role check and the CSRF check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { PolicyError } from '../../domain/policy-loader';
import { readinessProbe, temporalReachable } from '../../common/health';
import { processLogger } from '../../common/log';
import { CaseActionError } from '../../common/cases';
import { personFromSession, SESSION_COOKIE } from '../identity/session';
import { type ConsoleContext, type ConsoleOptions, formOf } from './context';
import { ConsoleHttpError, ERROR_TITLES } from './errors';
import { registerAccountRoutes } from './routes/account';
import { registerAdminRoutes } from './routes/admin';
import { registerStaffRoutes } from './routes/staff';
import { registerTeamRoutes } from './routes/teams';
import { registerReconciliationRoutes } from './routes/reconciliation';
import { registerCaseRoutes } from './routes/cases';
import { registerFeedRoutes } from './routes/feeds';
import { registerImportRoutes } from './routes/import';
import { registerReportRoutes } from './routes/reports';
import { API_PREFIX, registerApiRoutes } from './api/routes';
import { problem, sendProblem } from './api/problems';
import { Notice, page } from './views/layout';
import { ANY_TEAM, knownTeams } from '../../common/teams';

// What createConsole takes, named where it is called (main.ts, the tests' console).
export type { ConsoleOptions } from './context';

const STATIC_DIR = path.join(__dirname, 'static');
const STATIC: Record<string, { type: string; body: Buffer }> = {
  '/static/console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(STATIC_DIR, 'console.js')) },
  '/static/console.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(STATIC_DIR, 'console.css')) },
};

/** What every answer carries when the plugins could not run (a URL Fastify could not even decode). */
const FALLBACK_HEADERS = {
  'content-security-policy': "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Pages anyone may reach before signing in. */
const PUBLIC = new Set(['/login', '/healthz', '/readyz', '/favicon.ico', '/auth/sso', '/auth/callback', ...Object.keys(STATIC)]);
const MAX_BODY = 64 * 1024;

/** Whether a request's Origin header names the console itself (a header that is not a URL does not). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** What a Temporal call threw, as the page a person needs (anything unknown stays as it is: a 500). */
function asConsoleError(err: unknown, url: string, answerTimeoutMs: number): unknown {
  if (err instanceof CaseActionError) return new ConsoleHttpError(err.kind === 'not-found' ? 404 : 409, err.message);
  if (err instanceof PolicyError) return new ConsoleHttpError(400, err.message);
  const message = err instanceof Error ? err.message : String(err);
  if (/deadline exceeded|DEADLINE_EXCEEDED/i.test(message)) {
    const subject = url.startsWith('/incidents') ? 'The incident' : url.startsWith('/cases/') ? 'The case' : 'Temporal';
    return new ConsoleHttpError(
      503,
      `${subject} did not answer within ${Math.round(answerTimeoutMs / 1000)} seconds. Is a CaseClock worker running? A change you sent may still be applied when it is: check the timeline before sending it again.`,
    );
  }
  return err;
}

export async function createConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  const https = options.publicUrl?.startsWith('https://') ?? false;
  const answerTimeoutMs = options.answerTimeoutMs ?? 20_000;
  // Case ids and user ids only: a URL never carries a child's name, bodies are never logged, and the
  // shared logger (common/log.ts) removes credential headers and censors anything naming a child.
  // Typed as Fastify's base logger, so the instance stays the plain FastifyInstance the route modules take.
  const logger: FastifyBaseLogger = (options.logger ?? processLogger()).child({ component: 'console' }, options.logLevel === undefined ? {} : { level: options.logLevel });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: MAX_BODY,
    trustProxy: options.trustProxy ?? false,
    routerOptions: { maxParamLength: 200 },
    disableRequestLogging: false,
    // A path Fastify cannot decode (bad percent-encoding) is a page that does not exist, answered like any other.
    frameworkErrors: (error, request, reply) => {
      const status = error.code === 'FST_ERR_BAD_URL' ? 404 : (error.statusCode ?? 400);
      const what = /^\/(cases|incidents)\//.test(request.url) ? 'That is not a case id.' : 'There is no such page.';
      // Typed loosely: Fastify's generic reply type for this hook rejects a plain status number.
      const raw = reply as unknown as FastifyReply;
      void raw
        .code(status)
        .headers(FALLBACK_HEADERS)
        .type('text/html; charset=utf-8')
        .send(page(ERROR_TITLES[status] ?? 'Not accepted', <Notice kind="error">{status === 404 ? what : 'That request was not understood: nothing was changed.'}</Notice>));
    },
  });

  // Forms only: no JSON or text bodies are parsed, so a cross-site "simple" request carries nothing.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody, { bodyLimit: MAX_BODY });
  await app.register(fastifyCookie, { secret: options.sessionSecret });
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    cookieName: SESSION_COOKIE,
    saveUninitialized: false,
    // The cookie is sent when a session starts or changes, not with every answer; idleness is judged on the server.
    rolling: false,
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: https, maxAge: options.limits.lifetimeMs },
    store: {
      set(sid, session, callback) {
        const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
        const expires = session.cookie.expires ?? new Date(Date.now() + options.limits.lifetimeMs);
        options.consoleStore.setSession(sid, typeof session.uid === 'string' ? session.uid : undefined, data, new Date(expires)).then(() => callback(), callback);
      },
      get(sid, callback) {
        options.consoleStore.getSession(sid).then((data) => callback(null, (data ?? null) as never), callback);
      },
      destroy(sid, callback) {
        options.consoleStore.destroySession(sid).then(() => callback(), callback);
      },
    },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: (req: FastifyRequest) => formOf(req.body)['csrf'] });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // Only where the console is reached over https: a browser told this over http would refuse the console.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  await app.register(fastifyRateLimit, {
    max: 600,
    timeWindow: 60_000,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, context) => new ConsoleHttpError(429, `Too many requests from your address: wait ${Math.ceil(context.ttl / 1000)} seconds and try again.`),
  });
  app.decorateRequest('person', null);

  const sendPage: ConsoleContext['sendPage'] = (request, reply, status, title, body, nav) => {
    const person = request.person ?? undefined;
    const csrf = person ? reply.generateCsrf() : undefined;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page(title, body, { ...(person ? { person } : {}), ...(csrf ? { csrf } : {}), ...(nav ? { nav } : {}) }));
  };
  const ctx: ConsoleContext = {
    options,
    ask: (fn) => options.client.withDeadline(Date.now() + answerTimeoutMs, fn),
    sendPage,
    csrf: (reply) => reply.generateCsrf(),
    person(request) {
      if (!request.person) throw new ConsoleHttpError(401, 'Your session has ended. Please sign in again; nothing was changed.');
      return request.person;
    },
    knownTeams: () => (options.teams ? knownTeams(options.teams) : Promise.resolve(ANY_TEAM)),
  };

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    return payload;
  });

  // Same-origin posts only (the CSRF token is checked as well).
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return;
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, request.headers.host)) throw new ConsoleHttpError(403, 'Forms can only be sent from the console itself.');
  });

  // Who is signed in; everything but the public pages needs someone.
  app.addHook('preHandler', async (request, reply) => {
    const url = request.url.split('?', 1)[0] ?? '/';
    // The integration API checks its own callers' tokens (api/auth.ts): no session, no CSRF token.
    if (PUBLIC.has(url) || url.startsWith('/feeds/') || url.startsWith(`${API_PREFIX}/`)) return;
    const verdict = personFromSession(request.session.get('via') ? { ...request.session } : undefined, options.users, options.sessionSecret, options.limits);
    if (!verdict.person) {
      if (verdict.reason !== 'none') {
        request.log.info({ reason: verdict.reason }, 'session ended');
        await request.session.destroy();
      }
      const why = verdict.reason === 'idle' ? 'idle' : verdict.reason === 'password-changed' ? 'password' : verdict.reason === 'expired' ? 'expired' : undefined;
      if (request.method === 'GET' || request.method === 'HEAD') {
        const next = new URLSearchParams({ next: request.url, ...(why ? { why } : {}) });
        return reply.redirect(`/login?${next.toString()}`, 303);
      }
      throw new ConsoleHttpError(401, 'Your session has ended. Please sign in again; nothing was changed.');
    }
    request.person = verdict.person;
    // Marking the session used costs a write: at most once a minute.
    const now = Date.now();
    if (now - (request.session.get('seen') ?? 0) > 60_000) request.session.set('seen', now);
    if (verdict.mustChangePassword && url !== '/account/password' && url !== '/logout') {
      if (request.method === 'GET') return reply.redirect('/account/password?first=1', 303);
      throw new ConsoleHttpError(403, 'Choose a new password first (Change password); nothing was changed.');
    }
    if (request.method === 'POST') await new Promise<void>((resolve, reject) => app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve())));
  });

  app.setErrorHandler(async (thrown, request, reply) => {
    const error = asConsoleError(thrown, request.url, answerTimeoutMs);
    const status = error instanceof ConsoleHttpError ? error.status : ((error as { statusCode?: number }).statusCode ?? 500);
    let message = error instanceof ConsoleHttpError ? error.message : 'CaseClock could not answer. The error has been logged; please tell your administrator the time it happened.';
    const code = (error as { code?: string }).code;
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      request.log.warn({ user: request.person?.id }, 'csrf token refused');
      message = request.url.startsWith('/login') ? 'The sign-in form had expired. Please try again.' : 'The form had expired or did not come from this console: nothing was changed. Reload the page and try again.';
    } else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `The form was too large (more than ${MAX_BODY / 1024} KB): nothing was changed.`;
    else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'Send the form from the console page.';
    else if (status < 500 && !(error instanceof ConsoleHttpError)) message = 'That request was not understood: nothing was changed.';
    if (status >= 500)
      request.log.error(
        { err: { type: error instanceof Error ? error.name : 'unknown', message: error instanceof Error ? error.message.split('\n')[0] : String(error) }, user: request.person?.id },
        'console request failed',
      );
    if (request.url.startsWith(`${API_PREFIX}/`))
      return sendProblem(reply, status === 405 ? { type: 'about:blank', title: 'Not a method the API answers', status } : status >= 500 ? problem('internal') : { type: 'about:blank', title: message, status });
    if (request.url.startsWith('/api/'))
      return reply
        .code(status)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ error: message }));
    return sendPage(
      request,
      reply,
      status,
      ERROR_TITLES[status] ?? (status < 500 ? 'Not accepted' : 'Something went wrong'),
      <>
        <Notice kind="error">
          <p>{message}</p>
        </Notice>
        <p>
          <a href="/">Back to the cases</a>
        </p>
      </>,
    );
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (!request.person && !(request.url.split('?', 1)[0] ?? '').startsWith('/static/')) {
      // Strangers learn nothing about which pages exist.
      if (request.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    throw new ConsoleHttpError(404, 'There is no such page.');
  });

  // Methods the console does not answer, on any path: 405, never a hint of what exists.
  app.route({
    method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/*',
    handler: async () => {
      throw new ConsoleHttpError(405, 'Not a method the console answers.');
    },
  });

  for (const [url, asset] of Object.entries(STATIC)) {
    app.get(url, async (_request, reply) => reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body));
  }
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
  app.get('/healthz', { config: { rateLimit: false } }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok'));
  // Ready or not, nothing more (answers are cached for a moment, so probes cost little); why goes to the log.
  const readiness = options.readiness ?? readinessProbe({ temporal: temporalReachable(options.client) });
  app.get('/readyz', { config: { rateLimit: false } }, async (request, reply) => {
    const answer = await readiness();
    if (!answer.ready) request.log.warn({ failing: answer.reasons }, 'console not ready');
    return reply
      .code(answer.ready ? 200 : 503)
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(answer.ready ? 'ready' : 'not ready');
  });

  registerAccountRoutes(app, ctx);
  registerCaseRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerTeamRoutes(app, ctx);
  registerStaffRoutes(app, ctx);
  registerReconciliationRoutes(app, ctx);
  registerFeedRoutes(app, ctx);
  registerImportRoutes(app, ctx);
  if (options.api) await registerApiRoutes(app, ctx, options.api);
  return app;
}
