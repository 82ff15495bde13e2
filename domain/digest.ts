/**
 * The daily digest: one email a working day for each team manager and head of service, listing
 * what is overdue on their open cases and what falls due in the next few working days, most
 * urgent first. Pure: the cases, the moment and the window are passed in, so the same input
 * always gives the same digests and the same words.
 *
 * Who receives it: the team-manager and head-of-service contacts on each open case, grouped by
 * email address, so a manager gets the cases they manage and a head of service every case they
 * are head of service for. Only case references, team codes and obligation titles appear: never
 * a child's name (cases carry none) and no free text about the child.
 */
import { DateTime } from 'luxon';
import type { IsoDate, WorkingDayCalendar } from './calendar';
import { LEGAL_ZONE } from './time-zone';
import { dueIn } from './wording';

/** The roles that receive the digest. */
export const DIGEST_ROLES = ['team-manager', 'head-of-service'] as const;
export type DigestRole = (typeof DIGEST_ROLES)[number];

/** An open case as the digest reads it (from the case's state). */
export interface DigestCase {
  caseId: string;
  reference: string;
  team: string;
  tier: string | null;
  contacts: Partial<Record<string, { name: string; email: string }>>;
  open: Array<{ id: string; title: string; dueAt: string; onHold?: boolean }>;
}

/** One obligation in a digest. */
export interface DigestItem {
  caseId: string;
  reference: string;
  team: string;
  tier: string | null;
  obligationId: string;
  title: string;
  dueAt: string;
  onHold: boolean;
}

/** What one recipient receives. */
export interface RecipientDigest {
  /** Lower-cased: one digest per address, whatever case spelled it how. */
  email: string;
  /** The name on the first case that names this address. */
  name: string;
  roles: DigestRole[];
  teams: string[];
  /** Past their deadline at `generatedAt`, most overdue first. */
  overdue: DigestItem[];
  /** Due after `generatedAt` and by the end of the window, soonest first. */
  dueSoon: DigestItem[];
}

/** The UK local date ('YYYY-MM-DD') of an instant: the day a digest is for. */
export function ukDateOf(instant: Date | string): IsoDate {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const date = DateTime.fromMillis(ms, { zone: LEGAL_ZONE }).toISODate();
  if (date === null) throw new Error(`not an instant: ${String(instant)}`);
  return date;
}

/**
 * Whether a digest goes on `date`, and why not: weekends and bank holidays send nothing. A date
 * the calendar has no bank holidays for is not guessed at.
 */
export function digestDay(calendar: WorkingDayCalendar, date: IsoDate): { send: true } | { send: false; reason: string } {
  let working: boolean;
  try {
    working = calendar.isWorkingDay(date);
  } catch (err) {
    return { send: false, reason: `no digest: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (working) return { send: true };
  const holiday = calendar.bankHolidayName(date);
  if (holiday) return { send: false, reason: `no digest on ${date}: bank holiday (${holiday})` };
  const weekday = DateTime.fromISO(date, { zone: LEGAL_ZONE }).toFormat('cccc');
  return { send: false, reason: `no digest on ${date}: ${weekday}, not a working day` };
}

/** The end of the window: the end (23:59:59.999 UK time) of the Nth working day after `date`. */
export function digestWindowEnd(calendar: WorkingDayCalendar, date: IsoDate, workingDays: number): string {
  const noon = DateTime.fromISO(`${date}T12:00:00`, { zone: LEGAL_ZONE }).toUTC().toISO();
  if (noon === null) throw new Error(`not a date: ${date}`);
  if (workingDays === 0) return calendar.endOfWorkingDayOnOrAfter(noon);
  return calendar.addWorkingDays(noon, workingDays);
}

/** Most urgent first: the earliest deadline (the most overdue, then the soonest due); ties by reference and title. */
function byUrgency(a: DigestItem, b: DigestItem): number {
  return Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.reference.localeCompare(b.reference) || a.title.localeCompare(b.title) || a.obligationId.localeCompare(b.obligationId);
}

/**
 * Every recipient's digest, ordered by email address. A recipient whose cases have nothing
 * overdue and nothing due in the window gets no digest (there is nothing to act on).
 */
export function buildDigests(cases: readonly DigestCase[], window: { generatedAt: string; dueBy: string }): RecipientDigest[] {
  const now = Date.parse(window.generatedAt);
  const until = Date.parse(window.dueBy);
  const byEmail = new Map<string, RecipientDigest & { seen: Set<string> }>();
  for (const kase of cases) {
    const items: DigestItem[] = kase.open
      .filter((o) => Date.parse(o.dueAt) <= until)
      .map((o) => ({
        caseId: kase.caseId,
        reference: kase.reference,
        team: kase.team,
        tier: kase.tier,
        obligationId: o.id,
        title: o.title,
        dueAt: o.dueAt,
        onHold: o.onHold === true,
      }));
    for (const role of DIGEST_ROLES) {
      const contact = kase.contacts[role];
      if (!contact?.email) continue;
      const email = contact.email.trim().toLowerCase();
      let digest = byEmail.get(email);
      if (!digest) {
        digest = { email, name: contact.name, roles: [], teams: [], overdue: [], dueSoon: [], seen: new Set() };
        byEmail.set(email, digest);
      }
      if (!digest.roles.includes(role)) digest.roles.push(role);
      if (!digest.teams.includes(kase.team)) digest.teams.push(kase.team);
      // The same person as manager and head of service on one case sees its obligations once.
      for (const item of items) {
        const key = `${item.caseId}\u0000${item.obligationId}`;
        if (digest.seen.has(key)) continue;
        digest.seen.add(key);
        (Date.parse(item.dueAt) <= now ? digest.overdue : digest.dueSoon).push(item);
      }
    }
  }
  return [...byEmail.values()]
    .filter((d) => d.overdue.length + d.dueSoon.length > 0)
    .map(({ seen: _seen, ...d }) => ({
      ...d,
      roles: DIGEST_ROLES.filter((r) => d.roles.includes(r)),
      teams: [...d.teams].sort(),
      overdue: d.overdue.sort(byUrgency),
      dueSoon: d.dueSoon.sort(byUrgency),
    }))
    .sort((a, b) => a.email.localeCompare(b.email));
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

function localTime(instant: string): string {
  const local = DateTime.fromMillis(Date.parse(instant), { zone: LEGAL_ZONE });
  return `${local.toFormat('ccc d LLL yyyy, HH:mm')} ${local.offset === 60 ? 'BST' : 'GMT'}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function caseLink(consoleUrl: string, caseId: string): string {
  return `${consoleUrl}/cases/${encodeURIComponent(caseId)}`;
}

const ROLE_WORDS: Record<DigestRole, string> = { 'team-manager': 'team manager', 'head-of-service': 'head of service' };

/** The digest email's words, plain text and HTML: references, teams, titles, deadlines and links only. */
export function renderDigest(
  digest: RecipientDigest,
  options: { forDate: IsoDate; generatedAt: string; dueBy: string; workingDays: number; consoleUrl: string; /** Cases of these teams left out, and why. */ notIncluded?: string },
): RenderedDigest {
  const day = DateTime.fromISO(options.forDate, { zone: LEGAL_ZONE }).toFormat('cccc d LLLL yyyy');
  const subject = `[CaseClock] Daily digest ${options.forDate}: ${digest.overdue.length} overdue, ` + `${digest.dueSoon.length} due in the next ${options.workingDays} working day${options.workingDays === 1 ? '' : 's'}`;
  const line = (item: DigestItem) => {
    const hold = item.onHold ? ' (on hold)' : '';
    return `${item.reference} (team ${item.team}): ${item.title}, due ${localTime(item.dueAt)}, ${dueIn(item.dueAt, options.generatedAt)}${hold}`;
  };
  const intro = `Daily digest for ${day}, as ${digest.roles.map((r) => ROLE_WORDS[r]).join(' and ')} for team${digest.teams.length === 1 ? '' : 's'} ${digest.teams.join(', ')}.`;
  const sections: Array<{ heading: string; items: DigestItem[] }> = [
    { heading: `Overdue (${digest.overdue.length}), most overdue first`, items: digest.overdue },
    { heading: `Due by ${localTime(options.dueBy)} (${digest.dueSoon.length}), soonest first`, items: digest.dueSoon },
  ];
  const text: string[] = [intro, ...(options.notIncluded ? [`${options.notIncluded}.`] : []), ''];
  for (const s of sections) {
    text.push(`${s.heading}:`);
    if (s.items.length === 0) text.push('  none');
    for (const item of s.items) text.push(`- ${line(item)}`, `  ${caseLink(options.consoleUrl, item.caseId)}`);
    text.push('');
  }
  text.push('Please record each one in CaseClock when it is done.');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    ...(options.notIncluded ? [`<p><strong>${escapeHtml(options.notIncluded)}.</strong></p>`] : []),
    ...sections.flatMap((s) => [
      `<h3>${escapeHtml(s.heading)}</h3>`,
      s.items.length === 0
        ? '<p>None.</p>'
        : `<ol>\n${s.items.map((item) => `<li>${escapeHtml(line(item))}: <a href="${escapeHtml(caseLink(options.consoleUrl, item.caseId))}">open case ${escapeHtml(item.reference)}</a></li>`).join('\n')}\n</ol>`,
    ]),
    '<p>Please record each one in CaseClock when it is done.</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text: text.join('\n'), html };
}
