/**
 * Private calendar feeds: a team's, or one allocated worker's, open obligations (visits,
 * keeping-in-touch calls, meetings, report deadlines) as an iCalendar feed that Outlook and Google
 * Calendar subscribe to. The feed's URL carries a random token (the credential: no sign-in), kept
 * in the store only as a SHA-256, and revocable at any time from /account/feeds.
 *
 * An event carries the case reference and the obligation's title (from the policy), never the
 * child's name nor any text typed about the child. Each fetch is recorded as a view of each case it
 * shows, in the name of whoever created the feed.
 *
 * A feed reads in its creator's name, so every fetch first checks the creator's access as it is
 * now (the users file, re-read when it changes): a creator removed from the users file, or who can
 * no longer read the feed's team (another team, another role), stops the feed, which then answers
 * exactly as an unknown token does. Access returned starts it again.
 *
 * Someone who signs in through the council's identity provider is not in the users file: their
 * user id is their own (`sso.` and a hash of issuer and subject, which no password account can
 * have), and their access is what the provider gave at their last sign-in, recorded in the console
 * store each time.
 * Their feeds read by that record, and only while it is recent: a creator who has not signed in for
 * SSO_FEED_ACCESS_DAYS days (a leaver, or an account disabled at the provider) stops their feeds,
 * and a change of team or role at the provider takes effect at their next sign-in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import ical, { ICalEventTransparency } from 'ical-generator';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { localTime } from '../../../domain/wording';
import type { Obligation } from '../../../domain/engine';
import { isSsoUserId } from '../../../common/sso-identity';
import { SafeId } from '../../../domain/facts';
import type { SsoAccess } from '../../../store/console-store';
import type { Team } from '../../../store/team-directory';
import { teamProblem } from '../../../common/teams';
import type { CalendarFeed, FeedStore, FeedSubject } from '../../../store/feed-store';
import { FeedSubjectInput } from '../../../store/feed-store';
import type { CaseState } from '../../../workflows/messages';
import { summarisedCases, unsummarisedNote } from '../../../common/summary-coverage';
import { mayRead, type Person, readableTeams } from '../../identity/access';
import type { UserDirectory } from '../../identity/auth';
import { type ConsoleContext, formOf } from '../context';
import { ConsoleHttpError } from '../errors';
import { peopleShown, signedInLabel } from '../../identity/people';
import { Notice } from '../views/layout';

const ZONE = 'Europe/London';

// --- who may do what --------------------------------------------------------------------------

/** Whether a person may create (and so revoke) a feed of this subject. */
export function mayManageFeed(person: Pick<Person, 'role' | 'team' | 'teams'>, subject: FeedSubject): boolean {
  if (person.role === 'administrator') return true;
  if (subject.kind === 'worker') return person.role === 'manager' && person.team === subject.team;
  const teams = readableTeams(person);
  return teams === 'all' || teams.includes(subject.team);
}

/**
 * The teams a person may choose for a feed: the team directory's teams they may see (an
 * administrator: all of them), each with its name. While the directory lists no team (the council
 * has not listed its teams yet, docs/teams.md), their own teams, or for an administrator 'typed': a
 * team code typed in.
 */
export function feedTeamChoices(person: Pick<Person, 'role' | 'team' | 'teams'>, directory: readonly Pick<Team, 'code' | 'name'>[]): 'typed' | { code: string; name?: string }[] {
  const readable = readableTeams(person);
  if (directory.length > 0) return directory.filter((t) => readable === 'all' || readable.includes(t.code)).map((t) => ({ code: t.code, name: t.name }));
  return readable === 'all' ? 'typed' : readable.map((code) => ({ code }));
}

/**
 * How long a feed made by someone who signs in through the council's identity provider reads after
 * their last sign-in: their access is known only as the provider gave it then.
 */
export const SSO_FEED_ACCESS_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

export type CreatorAccess = 'ok' | 'creator-removed' | 'creator-cannot-read-team' | 'creator-sso-sign-in-too-old';

/**
 * Whether a feed's creator may still read what it shows, by their access now: 'ok', or why not.
 * A password account's feed is judged by the users file only (a disabled account counts as
 * removed); a single sign-on id's only by the access recorded at its last sign-in through single
 * sign-on (`sso`, by user id), which counts only if that sign-in was within SSO_FEED_ACCESS_DAYS
 * days of `now`. Neither ever speaks for the other.
 */
export function creatorAccess(
  users: Pick<UserDirectory, 'find'>,
  feed: Pick<CalendarFeed, 'createdBy' | 'subject'>,
  sso: { get(userId: string): Pick<SsoAccess, 'role' | 'team' | 'teams' | 'signedInAt'> | undefined } = new Map(),
  now: Date = new Date(),
): CreatorAccess {
  if (!isSsoUserId(feed.createdBy)) {
    const user = users.find(feed.createdBy);
    if (!user || (user as { disabled?: unknown }).disabled === true) return 'creator-removed';
    return mayRead(user, feed.subject.team) ? 'ok' : 'creator-cannot-read-team';
  }
  const access = sso.get(feed.createdBy);
  if (!access) return 'creator-removed';
  const age = now.getTime() - Date.parse(access.signedInAt);
  if (!(age <= SSO_FEED_ACCESS_DAYS * DAY_MS)) return 'creator-sso-sign-in-too-old';
  return mayRead(access, feed.subject.team) ? 'ok' : 'creator-cannot-read-team';
}

/** Why a feed is stopped, for the list of feeds (`creator`: how its creator is shown). */
function stoppedBecause(feed: Pick<CalendarFeed, 'subject'>, creator: string, access: Exclude<CreatorAccess, 'ok'>): string {
  return access === 'creator-sso-sign-in-too-old' ? `stopped: ${creator} has not signed in for ${SSO_FEED_ACCESS_DAYS} days` : `stopped: ${creator} can no longer see team ${feed.subject.team}`;
}

const SSO_FEEDS_FOLLOW = `You sign in through your council account, so your feeds follow the access it gave you at your last sign-in (your role and team), and they stop if you do not sign in to CaseClock for ${SSO_FEED_ACCESS_DAYS} days; signing in again starts them again.`;

const describeSubject = (s: FeedSubject): string => (s.kind === 'team' ? `Team ${s.team}` : `${s.email} (allocated worker, team ${s.team})`);

// --- the calendar -----------------------------------------------------------------------------

/** An end-of-day deadline (23:59:59.999 UK time) is a whole day in the calendar. */
export function isEndOfDay(dueAt: string): boolean {
  const local = DateTime.fromISO(dueAt, { zone: 'utc' }).setZone(ZONE);
  return local.hour === 23 && local.minute === 59 && local.second === 59 && local.millisecond === 999;
}

/**
 * How long an event for a deadline at an instant lasts, from the deadline. A deadline has no
 * length, but an event without one is drawn as a sliver (or not at all) in Outlook's and Google's
 * day and week views; 30 minutes, Google's default, is enough to see and click at the hour it is due.
 */
export const DEADLINE_EVENT_MINUTES = 30;

/** A UID that stays the same while the obligation does, so calendar apps update rather than duplicate. */
export const eventUid = (caseId: string, obligationId: string): string => `${caseId}/${obligationId}@caseclock`;

/** What a feed shows of a case: its reference, team and open obligations (a case summary has them). */
export type FeedCase = Pick<CaseState, 'caseId' | 'details' | 'open'>;

/** The calendar; `notIncluded` says which cases it leaves out and why (in the calendar's description). */
export function buildCalendar(input: { name: string; consoleUrl: string; cases: readonly FeedCase[]; now?: Date; notIncluded?: string }): string {
  const now = input.now ?? new Date();
  const cal = ical({
    name: input.name,
    description: `Open obligations of the cases, from CaseClock. Case references only.${input.notIncluded ? ` ${input.notIncluded}.` : ''}`,
    prodId: { company: 'CaseClock', product: 'Calendar feeds', language: 'EN' },
    ttl: 15 * 60,
  });
  for (const state of input.cases) {
    const reference = state.details.reference;
    const link = `${input.consoleUrl}/cases/${encodeURIComponent(state.caseId)}`;
    for (const o of state.open as Obligation[]) {
      const overdue = Date.parse(o.dueAt) < now.getTime();
      const allDay = isEndOfDay(o.dueAt);
      const local = DateTime.fromISO(o.dueAt, { zone: 'utc' }).setZone(ZONE);
      const due = allDay ? `end of ${local.toFormat('ccc d LLL yyyy')}` : localTime(o.dueAt);
      // A day's deadline is that whole day (DTEND the next date, exclusive); an instant's, from it for a short while.
      const start = allDay ? local.startOf('day') : local;
      cal.createEvent({
        id: eventUid(state.caseId, o.id),
        start: allDay ? start : start.toJSDate(),
        end: allDay ? start.plus({ days: 1 }) : start.plus({ minutes: DEADLINE_EVENT_MINUTES }).toJSDate(),
        allDay,
        // The obligation's one name, as the case page and the emails give it (domain/obligation-names.ts).
        summary: `${overdue ? 'Overdue: ' : ''}${o.title} due · ${reference}`,
        description: [`Case ${reference} (team ${state.details.team})`, o.title, `Due by ${due}${overdue ? ' (overdue)' : ''}${o.onHold ? '; on hold' : ''}`, `Open the case: ${link}`].join('\n'),
        url: link,
        transparency: ICalEventTransparency.TRANSPARENT,
      });
    }
  }
  return cal.toString();
}

// --- the routes ---------------------------------------------------------------------------------

const CreateForm = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('team'), team: SafeId }),
  z.object({
    kind: z.literal('worker'),
    team: SafeId,
    email: z
      .string()
      .trim()
      .max(254)
      .pipe(z.email({ error: 'must be an email address' })),
  }),
]);

export function registerFeedRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { options } = ctx;
  const { client } = options;

  const feeds = (): FeedStore => {
    if (!options.feedStore) throw new ConsoleHttpError(404, 'Calendar feeds are not configured on this console.');
    return options.feedStore;
  };
  /** The access single sign-on last gave those of these feeds' creators who sign in through it. */
  const ssoAccessOf = async (list: readonly Pick<CalendarFeed, 'createdBy'>[]): Promise<Map<string, SsoAccess>> => {
    const ids = [...new Set(list.map((f) => f.createdBy))].filter(isSsoUserId);
    return ids.length > 0 ? options.consoleStore.ssoAccess(ids) : new Map();
  };
  const baseUrl = (request: FastifyRequest): string => (options.publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`).replace(/\/+$/, '');

  // --- the feed itself: the token is the credential --------------------------------------------

  // The token is the credential: it never reaches the logs (the request is logged without it).
  const withoutToken = { req: (req: FastifyRequest) => ({ method: req.method, url: '/feeds/(token).ics', remoteAddress: req.ip }) };

  app.get('/feeds/:file', { logSerializers: withoutToken }, async (request, reply) => {
    const file = String((request.params as { file?: string }).file ?? '');
    const token = /^(.{1,200})\.ics$/.exec(file)?.[1] ?? file.slice(0, 200);
    const feed = options.feedStore ? await options.feedStore.byToken(token) : undefined;
    // A stopped feed answers exactly as an unknown token does: the URL tells nobody whose it was.
    const noSuchFeed = () => reply.code(404).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('No such calendar feed (it may have been revoked).\n');
    if (!feed) return noSuchFeed();
    const access = creatorAccess(options.users, feed, await ssoAccessOf([feed]));
    if (access !== 'ok') {
      request.log.warn({ feed: feed.id, creator: feed.createdBy, team: feed.subject.team, reason: access }, 'calendar feed refused: its creator may no longer read it');
      return noSuchFeed();
    }
    // The team's summaries in one list from the store: no case is asked, so a feed answers with no worker running.
    const subject = feed.subject;
    const read = await summarisedCases(client, options.summaries, { now: new Date().toISOString(), teams: [subject.team], visibilityTimeoutMs: options.answerTimeoutMs ?? 10_000 });
    const cases = read.cases.filter((s) => s.status === 'open' && s.details.team === subject.team && (subject.kind === 'team' || s.details.contacts['allocated-worker']?.email.toLowerCase() === subject.email));
    if (read.unchecked !== undefined) request.log.warn({ feed: feed.id, error: read.unchecked }, 'calendar feed: which cases have no summary yet could not be read from Temporal');
    const notIncluded = read.unsummarised.length > 0 ? `Team ${subject.team}: ${unsummarisedNote(read.unsummarised.length)}` : undefined;
    await Promise.all(cases.map((s) => options.consoleStore.recordView({ viewer: feed.createdBy, role: feed.createdRole, subject: 'case', caseId: s.caseId, what: 'feed' })));
    request.log.info({ feed: feed.id, cases: cases.length, unsummarised: read.unsummarised.length }, 'calendar feed read');
    const body = buildCalendar({ name: `CaseClock · ${describeSubject(subject)}`, consoleUrl: baseUrl(request), cases, ...(notIncluded ? { notIncluded } : {}) });
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'no-store').header('content-disposition', 'inline; filename="caseclock.ics"').send(body);
  });

  // --- creating and revoking feeds ------------------------------------------------------------

  async function feedsPage(request: FastifyRequest, reply: FastifyReply, status: number, list: CalendarFeed[], extra: { created?: { feed: CalendarFeed; token: string }; error?: string; revoked?: boolean } = {}) {
    const person = ctx.person(request);
    const sso = await ssoAccessOf(list.filter((f) => !f.revokedAt));
    const shown = await peopleShown(
      options.consoleStore,
      list.flatMap((f) => [f.createdBy, f.revokedBy]),
    );
    const now = new Date();
    const csrf = ctx.csrf(reply);
    const teams = feedTeamChoices(person, options.teams ? await options.teams.list() : []);
    const mayWorker = person.role === 'administrator' || (person.role === 'manager' && !!person.team);
    const teamInput = (id: string) =>
      teams === 'typed' ? (
        <>
          <input id={id} name="team" required maxLength={64} aria-describedby={`${id}-note`} />
          <span class="help" id={`${id}-note`}>
            The team directory lists no team yet, so type the team's code (as on its cases); an administrator lists the teams at <a href="/admin/teams">Teams</a>.
          </span>
        </>
      ) : (
        <select id={id} name="team" required>
          {teams.map((t) => (
            <option value={t.code}>{t.name ? `${t.name} (${t.code})` : t.code}</option>
          ))}
        </select>
      );
    const created = extra.created;
    const https = created ? `${baseUrl(request)}/feeds/${created.token}.ics` : '';
    const webcal = https.replace(/^https?:\/\//, 'webcal://');
    return ctx.sendPage(
      request,
      reply,
      status,
      'Calendar feeds',
      <>
        {extra.error && <Notice kind="error">{extra.error}</Notice>}
        {extra.revoked && <Notice kind="ok">The feed is revoked: calendars subscribed to it get nothing more from CaseClock.</Notice>}
        {created && (
          <section class="card" id="new-feed">
            <Notice kind="ok">
              The calendar feed for {describeSubject(created.feed.subject)} is ready. Copy its address now: it is shown only this once, and anyone who has it can read the feed (case references and deadlines) until it is
              revoked.
            </Notice>
            <p>
              <span class="label">Address (Outlook, Google Calendar)</span>
              <br />
              <input id="feed-https" readOnly value={https} size={90} />
            </p>
            <p>
              <span class="label">Or open it in a calendar app on this computer</span>
              <br />
              <a id="feed-webcal" href={webcal}>
                {webcal}
              </a>
            </p>
            <h2>How to subscribe</h2>
            <ul>
              <li>
                <strong>Outlook</strong> (on the web or new Outlook): Calendar → Add calendar → Subscribe from web, paste the address, give it a name, Import. Classic Outlook: Home → Add Calendar → From Internet, paste
                the address, OK.
              </li>
              <li>
                <strong>Google Calendar</strong> (on a computer): Other calendars → + → From URL, paste the address, Add calendar.
              </li>
            </ul>
            <p class="help">
              Calendar apps fetch the feed on their own schedule (Outlook every few hours, Google up to a day), so a change on a case reaches them late: the console is always current. Events name the case reference and
              what is due, never the child.
            </p>
          </section>
        )}
        <p class="help" id="feed-stops">
          A feed shows its cases in the name of whoever created it, so a feed stops when its creator can no longer see the team (removed from the console, or moved to another team or role); it starts again if they can
          see it again. A feed made by someone who signs in through the council account follows their access as of their last sign-in, and stops if they do not sign in for {SSO_FEED_ACCESS_DAYS} days. Revoke a feed
          nobody needs.
        </p>
        {person.via !== 'password' && (
          <p class="help" id="feed-sso">
            {SSO_FEEDS_FOLLOW}
          </p>
        )}
        <section class="card">
          <h2>A team's calendar</h2>
          {teams !== 'typed' && teams.length === 0 ? (
            <p class="muted" id="feed-no-team">
              None of your teams is in the team directory, so there is no team feed to create: an administrator adds a team at Teams.
            </p>
          ) : (
            <form method="post" action="/account/feeds" id="feed-team">
              <input type="hidden" name="csrf" value={csrf} />
              <input type="hidden" name="kind" value="team" />
              <label class="field" for="feed-team-team">
                <span class="label">Team</span>
                {teamInput('feed-team-team')}
              </label>
              <button class="primary">Create a team feed</button>
            </form>
          )}
        </section>
        {mayWorker && (
          <section class="card">
            <h2>An allocated worker's calendar</h2>
            <form method="post" action="/account/feeds" id="feed-worker">
              <input type="hidden" name="csrf" value={csrf} />
              <input type="hidden" name="kind" value="worker" />
              <label class="field" for="feed-worker-email">
                <span class="label">The worker's email address (as on their cases)</span>
                <input id="feed-worker-email" name="email" type="email" required maxLength={254} />
              </label>
              <label class="field" for="feed-worker-team">
                <span class="label">Team</span>
                {person.role === 'administrator' ? (
                  teamInput('feed-worker-team')
                ) : (
                  <select id="feed-worker-team" name="team" required>
                    <option value={person.team}>{person.team}</option>
                  </select>
                )}
              </label>
              <button class="primary">Create a worker feed</button>
            </form>
          </section>
        )}
        <h2>Feeds</h2>
        <table class="data" id="feeds">
          <thead>
            <tr>
              <th>Calendar of</th>
              <th>Created by</th>
              <th>Created</th>
              <th>State</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {list.length > 0 ? (
              list.map((f) => (
                <tr id={`feed-${f.id}`}>
                  <td>{describeSubject(f.subject)}</td>
                  <td>{shown(f.createdBy)}</td>
                  <td class="nowrap">{localTime(f.createdAt)}</td>
                  <td>
                    {f.revokedAt
                      ? `revoked ${localTime(f.revokedAt)}${f.revokedBy ? ` by ${shown(f.revokedBy)}` : ''}`
                      : ((access) => (access === 'ok' ? 'live' : stoppedBecause(f, shown(f.createdBy), access)))(creatorAccess(options.users, f, sso, now))}
                  </td>
                  <td>
                    {!f.revokedAt && (
                      <form method="post" action={`/account/feeds/${f.id}/revoke`} class="inline">
                        <input type="hidden" name="csrf" value={csrf} />
                        <button>Revoke</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))
            ) : (
              <tr>
                <td colSpan={5} class="muted">
                  No feeds yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </>,
      'account',
    );
  }

  async function manageable(person: Person): Promise<CalendarFeed[]> {
    const teams = readableTeams(person);
    return (await feeds().list({ teams })).filter((f) => f.createdBy === person.id || mayManageFeed(person, f.subject));
  }

  app.get('/account/feeds', async (request, reply) => {
    const person = ctx.person(request);
    const revoked = (request.query as Record<string, unknown>)['revoked'] !== undefined;
    return feedsPage(request, reply, 200, await manageable(person), { revoked });
  });

  app.post('/account/feeds', { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const person = ctx.person(request);
    const store = feeds();
    const parsed = CreateForm.safeParse(formOf(request.body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? 'kind');
      const label = field === 'email' ? 'Email address' : field === 'team' ? 'Team' : 'Kind of feed';
      return feedsPage(request, reply, 400, await manageable(person), { error: `${label}: ${issue?.message ?? 'is not valid'}. No feed was created.` });
    }
    const subject = FeedSubjectInput.parse(parsed.data);
    if (!mayManageFeed(person, subject)) {
      request.log.warn({ user: person.id, subject: subject.kind, team: subject.team }, 'calendar feed refused');
      throw new ConsoleHttpError(
        403,
        subject.kind === 'worker'
          ? `Only an administrator or team ${subject.team}'s manager may create a worker's feed for that team: no feed was created.`
          : `${signedInLabel(person)} does not work with team ${subject.team}: no feed was created.`,
      );
    }
    // The same check as every way in to a case (common/teams.ts): a feed of a team the directory does not list would show nothing.
    const unknownTeam = teamProblem(await ctx.knownTeams(), subject.team);
    if (unknownTeam !== undefined) return feedsPage(request, reply, 400, await manageable(person), { error: `Team: ${unknownTeam}. No feed was created.` });
    const created = await store.create({ subject, createdBy: person.id, createdRole: person.role });
    request.log.info({ user: person.id, feed: created.feed.id, subject: subject.kind, team: subject.team }, 'calendar feed created');
    return feedsPage(request, reply, 200, await manageable(person), { created });
  });

  app.post('/account/feeds/:id/revoke', async (request, reply) => {
    const person = ctx.person(request);
    const store = feeds();
    const feed = await store.byId(String((request.params as { id?: string }).id ?? ''));
    if (!feed || !(feed.createdBy === person.id || mayManageFeed(person, feed.subject))) throw new ConsoleHttpError(404, 'There is no such feed among yours.');
    await store.revoke(feed.id, person.id);
    request.log.info({ user: person.id, feed: feed.id }, 'calendar feed revoked');
    return reply.redirect('/account/feeds?revoked=1', 303);
  });
}
