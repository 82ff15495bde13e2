/**
 * Signing in and out: a password (the users file), or single sign-on through the council's
 * identity provider; changing one's password. Failed sign-ins lock out one user id from one
 * address for a while (kept in the shared console store), so nobody can lock a colleague out
 * from elsewhere; the rate limiter slows any one address down.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SafeId } from '../../../domain/facts';
import { type ConsoleContext, formOf } from '../context';
import { decoy, hashPassword, readUsersFile, retireFirstAdminPassword, verifyPassword, writeUsersFile } from '../../identity/auth';
import { ConsoleHttpError } from '../errors';
import type { PendingSignIn as OidcPending } from '../oidc';
import { checkNewPassword } from '../../identity/password-policy';
import { passwordStamp } from '../../identity/session';
import { Notice } from '../views/layout';

const SSO_COOKIE = 'caseclock_sso';
/** Longest user id and password looked at; anything longer is refused before any work. */
const MAX_USER_ID = 64;
const MAX_PASSWORD = 1024;

/** Only a path on this console, never another site and never the sign-in page itself. */
export const safeNext = (next: unknown): string => (typeof next === 'string' && next.length < 500 && /^\/(?!\/)[A-Za-z0-9/_.?=&%-]*$/.test(next) && !next.startsWith('/login') && !next.startsWith('/auth/') ? next : '/');

const SIGNED_OUT_BECAUSE: Record<string, string> = {
  idle: 'You were signed out after a while without activity. Please sign in again.',
  password: 'Your password was changed, so every session was signed out. Please sign in again.',
  expired: 'Your session had reached its time limit. Please sign in again.',
  out: 'You have signed out.',
};

const PendingSso = z.object({ state: z.string().max(200), nonce: z.string().max(200), codeVerifier: z.string().max(200), next: z.string().max(500) });

export function registerAccountRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { options } = ctx;

  function loginPage(request: FastifyRequest, reply: FastifyReply, status: number, message?: string, userId = '') {
    const query = request.query as Record<string, unknown>;
    const next = safeNext(query['next']);
    const why = typeof query['why'] === 'string' ? SIGNED_OUT_BECAUSE[query['why']] : undefined;
    // The sign-in form's token lives in a short anonymous session, renewed at sign-in.
    request.session.cookie.maxAge = 3_600_000;
    const csrf = reply.generateCsrf();
    return ctx.sendPage(
      request,
      reply,
      status,
      'Sign in',
      <>
        {message ? <Notice kind="error">{message}</Notice> : why ? <Notice kind="ok">{why}</Notice> : null}
        {options.sso && (
          <p class="card narrow">
            <a class="button primary" href={`/auth/sso?next=${encodeURIComponent(next)}`}>
              Sign in with your council account
            </a>
          </p>
        )}
        <form method="post" action="/login" class="card narrow">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="next" value={next} />
          {options.sso && <p class="muted">Or with a CaseClock password:</p>}
          <label class="field" for="login-user">
            <span class="label">User id</span>
            <input id="login-user" name="user" value={userId} autocomplete="username" required autofocus maxLength={MAX_USER_ID} />
          </label>
          <label class="field" for="login-password">
            <span class="label">Password</span>
            <input id="login-password" type="password" name="password" autocomplete="current-password" required maxLength={MAX_PASSWORD} />
          </label>
          <button class="primary">Sign in</button>
        </form>
      </>,
    );
  }

  /** Starts a fresh session for someone who has just proved who they are (never reusing the old id). */
  async function startSession(request: FastifyRequest, fields: { via: 'password' | 'sso'; uid: string; pw?: string; person?: NonNullable<FastifyRequest['session']['person']> }) {
    await request.session.regenerate();
    const now = Date.now();
    request.session.set('via', fields.via);
    request.session.set('uid', fields.uid);
    request.session.set('since', now);
    request.session.set('seen', now);
    if (fields.pw) request.session.set('pw', fields.pw);
    if (fields.person) request.session.set('person', fields.person);
    request.session.cookie.maxAge = options.limits.lifetimeMs;
  }

  app.get('/login', async (request, reply) => {
    if (request.session.get('via')) return reply.redirect('/', 303);
    return loginPage(request, reply, 200);
  });

  app.post('/login', { preHandler: app.csrfProtection, config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const form = formOf(request.body);
    const id = (form['user'] ?? '').trim().slice(0, MAX_USER_ID + 1);
    const password = form['password'] ?? '';
    const address = request.ip;
    const known = SafeId.safeParse(id).success && id.length <= MAX_USER_ID;
    const logId = known ? id : '(invalid)';
    if (password.length > MAX_PASSWORD) return loginPage(request, reply, 401, 'That user id and password do not match.', known ? id : '');
    // Failures are counted per user id; one that is not a user id at all counts under one name.
    const throttleId = known ? id : '(invalid)';
    const standing = await options.consoleStore.signInStanding(throttleId, address);
    if (standing.locked) {
      request.log.warn({ user: logId, ip: address }, 'sign-in refused: locked');
      return loginPage(request, reply, 429, 'Too many failed attempts for this user id from your address. Wait 15 minutes, or ask an administrator.', known ? id : '');
    }
    const user = known ? options.users.find(id) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoy()));
    if (!user || !ok || password === '') {
      const after = await options.consoleStore.signInFailed(throttleId, address);
      request.log.warn({ user: logId, ip: address, locked: after.locked }, 'sign-in refused');
      return loginPage(request, reply, 401, 'That user id and password do not match.', known ? id : '');
    }
    await options.consoleStore.signInSucceeded(id, address);
    await startSession(request, { via: 'password', uid: user.id, pw: passwordStamp(options.sessionSecret, user.passwordHash) });
    request.log.info({ user: user.id, role: user.role }, 'signed in');
    return reply.redirect(safeNext(form['next']), 303);
  });

  app.post('/logout', async (request, reply) => {
    const who = request.person?.id;
    await request.session.destroy();
    request.log.info({ user: who }, 'signed out');
    return reply.clearCookie('caseclock_session', { path: '/' }).redirect('/login?why=out', 303);
  });

  // --- changing one's password ------------------------------------------------------------

  function passwordPage(request: FastifyRequest, reply: FastifyReply, status: number, errors: Record<string, string> = {}, done = false) {
    const first = (request.query as Record<string, unknown>)['first'] !== undefined;
    const csrf = ctx.csrf(reply);
    const row = (name: string, label: string, autocomplete: string) => (
      <label class={`field${errors[name] ? ' has-error' : ''}`} for={`pw-${name}`}>
        <span class="label">{label}</span>
        <input id={`pw-${name}`} type="password" name={name} autocomplete={autocomplete} required maxLength={MAX_PASSWORD} aria-invalid={errors[name] ? 'true' : undefined} />
        {errors[name] && (
          <span class="error">
            {label}: {errors[name]}
          </span>
        )}
      </label>
    );
    return ctx.sendPage(
      request,
      reply,
      status,
      'Change password',
      <>
        {done && <Notice kind="ok">Your password was changed. Every other session you had is signed out.</Notice>}
        {first && !done && <Notice kind="warn">Choose your own password before going on: the one you were given was for the first sign-in only.</Notice>}
        {errors['_form'] && <Notice kind="error">{errors['_form']}</Notice>}
        <form method="post" action="/account/password" class="card narrow">
          <input type="hidden" name="csrf" value={csrf} />
          {row('current', 'Current password', 'current-password')}
          {row('password', 'New password', 'new-password')}
          {row('again', 'New password again', 'new-password')}
          <p class="help">At least 12 characters (15 for an administrator); not a common password, and not your user id.</p>
          <button class="primary">Change password</button>
        </form>
      </>,
      'account',
    );
  }

  app.get('/account/password', async (request, reply) => {
    if (ctx.person(request).via !== 'password') throw new ConsoleHttpError(404, 'You sign in through your council account: change your password there.');
    return passwordPage(request, reply, 200);
  });

  app.post('/account/password', { config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (request, reply) => {
    const person = ctx.person(request);
    if (person.via !== 'password') throw new ConsoleHttpError(404, 'You sign in through your council account: change your password there.');
    const form = formOf(request.body);
    const [current, password, again] = [form['current'] ?? '', form['password'] ?? '', form['again'] ?? ''];
    const user = options.users.find(person.id);
    if (!user) throw new ConsoleHttpError(401, 'Your user no longer exists; nothing was changed.');
    if (current.length > MAX_PASSWORD || !(await verifyPassword(current, user.passwordHash))) {
      await options.consoleStore.signInFailed(person.id, request.ip);
      return passwordPage(request, reply, 400, { current: 'is not your current password' });
    }
    const problem = password.length > MAX_PASSWORD ? 'is too long' : checkNewPassword(password, { userId: user.id, name: user.name, role: user.role });
    if (problem) return passwordPage(request, reply, 400, { password: problem });
    if (again !== password) return passwordPage(request, reply, 400, { again: 'is not the same as the new password' });
    if (password === current) return passwordPage(request, reply, 400, { password: 'is the same as the current one' });
    const hash = await hashPassword(password);
    const file = readUsersFile(options.users.file);
    const users = file.users.map((u) => {
      if (u.id !== user.id) return u;
      const { mustChangePassword: _dropped, ...rest } = u as typeof u & { mustChangePassword?: boolean };
      return { ...rest, passwordHash: hash };
    });
    writeUsersFile(options.users.file, { users });
    // The first administrator's password, written to a file at first run, no longer signs anyone in.
    const retired = await retireFirstAdminPassword(options.users.file, user.id, user.passwordHash);
    if (retired) request.log.info({ user: person.id, file: retired }, 'first administrator password file deleted');
    // Everyone else holding this password's sessions is signed out; this browser carries on.
    request.session.set('pw', passwordStamp(options.sessionSecret, hash));
    const ended = await options.consoleStore.destroyUserSessions(person.id, request.session.sessionId);
    request.log.info({ user: person.id, sessionsEnded: ended }, 'password changed');
    return passwordPage(request, reply, 200, {}, true);
  });

  // --- single sign-on ---------------------------------------------------------------------

  app.get('/auth/sso', async (request, reply) => {
    const sso = options.sso;
    if (!sso) throw new ConsoleHttpError(404, 'Single sign-on is not configured for this console.');
    const { url, pending } = await sso.begin();
    const next = safeNext((request.query as Record<string, unknown>)['next']);
    // SameSite=Lax, unlike the session: the identity provider's redirect back is a cross-site navigation.
    reply.setCookie(SSO_COOKIE, JSON.stringify({ ...pending, next }), {
      path: '/auth/callback',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.publicUrl?.startsWith('https://') ?? false,
      maxAge: 600,
      signed: true,
    });
    return reply.redirect(url, 303);
  });

  app.get('/auth/callback', async (request, reply) => {
    const sso = options.sso;
    if (!sso) throw new ConsoleHttpError(404, 'Single sign-on is not configured for this console.');
    const raw = request.cookies[SSO_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    let pending: (OidcPending & { next: string }) | undefined;
    try {
      pending = unsigned?.valid && unsigned.value ? PendingSso.parse(JSON.parse(unsigned.value)) : undefined;
    } catch {
      pending = undefined;
    }
    reply.clearCookie(SSO_COOKIE, { path: '/auth/callback' });
    if (!pending) throw new ConsoleHttpError(400, 'The sign-in took too long or was started elsewhere. Please start again from the sign-in page.');
    const base = options.publicUrl ?? `http://${request.headers.host ?? 'localhost'}`;
    const result = await sso.finish(new URL(request.url, base), pending);
    if (!result.ok) {
      request.log.warn({ reason: result.reason }, 'single sign-on refused');
      throw new ConsoleHttpError(403, `Your council account could not sign you in to CaseClock: ${result.reason}`);
    }
    const u = result.user;
    // The access the provider gave, kept for the calendar feeds this person makes: a feed reads
    // by it between sign-ins, and stops when it grows old (routes/feeds.tsx).
    // Keyed by issuer and subject (u.id is never a password account's id), with the name they are shown by.
    await options.consoleStore.recordSsoSignIn({
      userId: u.id,
      name: u.name,
      issuer: u.issuer,
      subject: u.subject,
      role: u.role,
      ...(u.team ? { team: u.team } : {}),
      ...(u.teams ? { teams: u.teams } : {}),
    });
    await startSession(request, {
      via: 'sso',
      uid: u.id,
      person: { id: u.id, name: u.name, role: u.role, ...(u.team ? { team: u.team } : {}), ...(u.teams ? { teams: u.teams } : {}) },
    });
    request.log.info({ user: u.id, username: u.username, role: u.role, via: 'sso' }, 'signed in');
    // A page, not a redirect: the session cookie is SameSite=Strict, and a redirect chain that began
    // at the identity provider is cross-site, so the browser would not send it on the next page.
    const next = safeNext(pending.next);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>Signed in · CaseClock</title></head><body><p>Signed in. <a href="${next}">Continue</a></p></body></html>`,
      );
  });
}
