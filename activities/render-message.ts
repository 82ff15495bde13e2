/**
 * The words of every CaseClock email, plain text and HTML. Pure: the same message always renders
 * the same way, so tests read it without a mail server. Emails carry the case reference, the
 * obligation, the deadline in local time and how soon or late it is (domain/wording.ts), the staff
 * member it is for and a console link; never the child's name or address, and no free text typed
 * about the child.
 */
import { meetingTypeLabel, personLabel } from '../domain/labels';
import { caseLink, dueIn, durationInWords, localTime, msPast, overdueBy } from '../domain/wording';

export interface CaseMessage {
  messageId: string;
  caseId: string;
  caseReference: string;
  team: string;
  type: 'reminder' | 'escalation' | 'notice';
  level: number;
  repeat: number;
  role: string;
  /** Instant the engine scheduled the message for. */
  sendAt: string;
  obligation?: { id: string; kind: string; title: string; dueAt: string; basis?: string };
  meeting?: { meetingId: string; meetingType: string; change: 'postponed' | 'cancelled'; scheduledFor?: string; newDate?: string };
  /** A notice that an escalated obligation was met by its deadline after all (the case system recorded it later). */
  metAfterAll?: { metAt: string };
  /** On a case that follows the council's case system: what the check before this escalation found. */
  caseSystem?: CaseSystemCheck;
}

/**
 * The case system asked just before an escalation (activities/ssd-sync.ts): whether it could be
 * read, and how fresh its data is (the SSD's own refresh time where it records one, else the last
 * successful read by the sync). Most councils refresh the SSD nightly, so a same-day visit may not
 * be in it yet: every escalation says so.
 */
export type CaseSystemCheck =
  | { checked: true; at: string; refreshedAt?: string; lastReadAt?: string }
  /** What is due is not something the SSD records (a KIT call, a report): nothing to look up. */
  | { checked: 'not-recorded-there'; at: string; refreshedAt?: string; lastReadAt?: string }
  | { checked: false; at: string; reason: string; refreshedAt?: string; lastReadAt?: string };

/** One sentence on the case system's check, for the escalation's text. */
export function caseSystemLine(check: CaseSystemCheck): string {
  const fresh = check.refreshedAt
    ? `its data was last refreshed ${localTime(check.refreshedAt)}`
    : check.lastReadAt
      ? `CaseClock last read it ${localTime(check.lastReadAt)}`
      : 'CaseClock has not read it successfully yet';
  if (check.checked === 'not-recorded-there') return `The council's case system does not record this, so it was not looked up (${fresh}).`;
  return check.checked
    ? `The council's case system was checked at ${localTime(check.at)} and does not record it either (${fresh}; a visit recorded there today may not be in it yet).`
    : `The council's case system could not be checked (${check.reason}): this escalation goes without that check (${fresh}).`;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/**
 * How far `at` is past `dueAt`, in the words of domain/wording.ts ("2 days 3 hours"), or
 * "not yet late" when it is not past. Kept for callers that add their own "late"/"overdue".
 */
export function lateness(dueAt: string, at: string): string {
  const ms = msPast(dueAt, at);
  return ms > 0 ? durationInWords(ms) : 'not yet late';
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * "now overdue" in the first minute after the deadline (an escalation goes at the deadline
 * itself, and "4 seconds overdue" is stale by the time anyone reads it), else "3 hours overdue".
 */
export function overdueInEmail(dueAt: string, at: string): string {
  return msPast(dueAt, at) < 60_000 ? 'now overdue' : overdueBy(dueAt, at);
}

/**
 * `attemptAt` is when this attempt to send goes out (a retried message goes later than its
 * `sendAt`): a reminder that goes after its deadline says the deadline has passed, and once a
 * message is a minute or more behind its plan, how late is measured then, so a message held up
 * by a mail fault never understates it.
 * `recipientName` is the staff member it goes to (never anyone in the family), named beside
 * their role.
 */
export function renderMessage(message: CaseMessage, consoleUrl: string, attemptAt: string = message.sendAt, recipientName?: string): RenderedMessage {
  // When it really goes (never before its plan): whether a reminder is late is decided by this.
  const sentAt = attemptAt > message.sendAt ? attemptAt : message.sendAt;
  // Durations are worded as of the plan when it goes within a minute of it: the few seconds an
  // activity takes to start would otherwise turn "due in 2 hours" into "due in 1 hour 59 minutes".
  const at = msPast(message.sendAt, sentAt) >= 60_000 ? sentAt : message.sendAt;
  const link = caseLink(consoleUrl, message.caseId);
  const ref = message.caseReference;
  const lines: string[] = [];
  let subject: string;
  const o = message.obligation;
  const recipient = personLabel(message.role, recipientName ? { [message.role]: { name: recipientName } } : {});

  if (message.type === 'notice' && message.metAfterAll && o) {
    subject = `[CaseClock] Met after all ${ref}: ${o.title}`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} was met on time after all, at ${localTime(message.metAfterAll.metAt)} (due by ${localTime(o.dueAt)}).`);
    lines.push("The council's case system recorded it after CaseClock escalated it to you. Nothing more is needed for it.");
  } else if (message.type === 'notice' && message.meeting) {
    const m = message.meeting;
    const meetingName = meetingTypeLabel(m.meetingType);
    subject = `[CaseClock] ${ref}: ${meetingName} ${m.change}`;
    lines.push(`The ${meetingName} ${m.meetingId} for case ${ref} (team ${message.team}) has been ${m.change}.`);
    if (m.scheduledFor) lines.push(`It was scheduled for ${localTime(m.scheduledFor)}.`);
    if (m.newDate) lines.push(`New date: ${localTime(m.newDate)}.`);
    lines.push('Please consider how ongoing risks to the child are being managed meanwhile.');
  } else if (o && message.type === 'reminder' && sentAt >= o.dueAt) {
    // The reminder could not go before the deadline (mail was failing): say what is true now.
    subject = `[CaseClock] Late reminder ${ref}: ${o.title} fell due ${localTime(o.dueAt)}, not yet recorded`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} fell due at ${localTime(o.dueAt)} and has not been recorded.`);
    lines.push(`It is ${overdueInEmail(o.dueAt, sentAt)}. This reminder could not be sent before the deadline.`);
    lines.push('Please record it in CaseClock when it is done.');
  } else if (o && message.type === 'reminder') {
    subject = `[CaseClock] Reminder ${ref}: ${o.title} due ${localTime(o.dueAt)}`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} is due by ${localTime(o.dueAt)} (${dueIn(o.dueAt, at)}).`);
    lines.push('Please record it in CaseClock when it is done.');
  } else if (o) {
    const late = overdueInEmail(o.dueAt, at);
    // A level that repeats (level 2, every day until someone acts) says which repeat this is.
    const repeat = message.repeat > 0 ? ` (repeat ${message.repeat})` : '';
    subject = `[CaseClock] OVERDUE level ${message.level}${repeat} ${ref}: ${o.title}, ${late}`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} was due by ${localTime(o.dueAt)} and has not been recorded.`);
    lines.push(`It is ${late}. Escalation level ${message.level}, to ${recipient}.`);
    if (message.repeat > 0) {
      lines.push(`This escalation has gone ${message.repeat === 1 ? 'once' : `${message.repeat} times`} before; it repeats until the obligation is met or waived, or the escalation is acknowledged.`);
    }
    if (message.caseSystem) lines.push(caseSystemLine(message.caseSystem));
    lines.push('Please make sure it happens, or acknowledge this escalation in CaseClock.');
  } else {
    subject = `[CaseClock] ${ref}: ${message.type}`;
    lines.push(`Case ${ref} (team ${message.team}) needs attention.`);
  }
  // No `basis` line: staff act on the deadline, and the citation of its source document is
  // noise in an email (the console and `caseclock due --json` keep it).
  lines.push(`Open the case: ${link}`);
  lines.push('', `Message ${message.messageId}`);

  const text = lines.join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    ...lines.filter((l) => l !== '').map((l) => (l.startsWith('Open the case: ') ? `<p><a href="${escapeHtml(link)}">Open case ${escapeHtml(ref)} in CaseClock</a></p>` : `<p>${escapeHtml(l)}</p>`)),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
