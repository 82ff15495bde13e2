/**
 * The words of every CaseClock email, plain text and HTML. Pure: the same message always renders
 * the same way, so tests read it without a mail server. Emails carry the case reference, the
 * obligation, the deadline in local time, how late it is and a console link; never the child's
 * name or address, and no free text typed about the child.
 */
import { DateTime, Duration } from 'luxon';
import { LEGAL_ZONE } from '../domain/kinds';

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
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const ROLE_NAMES: Record<string, string> = {
  'allocated-worker': 'allocated worker',
  'team-manager': 'team manager',
  'group-manager': 'group manager',
  'head-of-service': 'head of service',
  'deputy-lead': 'deputy lead for safeguarding and quality assurance',
  iro: 'independent reviewing officer',
};

const MEETING_NAMES: Record<string, string> = {
  'core-group': 'core group meeting',
  icpc: 'initial child protection conference',
  'review-conference': 'review child protection conference',
  'cic-review': 'child-in-care review',
};

/** "Fri 3 Apr 2026, 10:00 BST": UK local time as staff read it (ICU only knows "GMT+1"). */
export function localTime(instant: string): string {
  const local = DateTime.fromISO(instant, { zone: 'utc' }).setZone(LEGAL_ZONE);
  return `${local.toFormat('ccc d LLL yyyy, HH:mm')} ${local.offset === 60 ? 'BST' : 'GMT'}`;
}

/** "2 days 3 hours": how far one instant is past another, in words staff read at a glance. */
export function lateness(dueAt: string, at: string): string {
  const ms = Date.parse(at) - Date.parse(dueAt);
  if (ms <= 0) return 'not yet late';
  const d = Duration.fromMillis(ms).shiftTo('days', 'hours', 'minutes');
  const parts: string[] = [];
  if (d.days >= 1) parts.push(`${Math.floor(d.days)} day${Math.floor(d.days) === 1 ? '' : 's'}`);
  if (Math.floor(d.hours) >= 1) parts.push(`${Math.floor(d.hours)} hour${Math.floor(d.hours) === 1 ? '' : 's'}`);
  if (parts.length === 0) {
    const minutes = Math.max(1, Math.floor(d.minutes));
    parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  }
  return parts.join(' ');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function caseLink(consoleUrl: string, caseId: string): string {
  return `${consoleUrl}/cases/${encodeURIComponent(caseId)}`;
}

/**
 * `attemptAt` is when this attempt to send goes out (a retried message goes later than its
 * `sendAt`): lateness is measured then, so a message held up by a mail fault never understates
 * how late things are, and a reminder sent after its deadline says the deadline has passed.
 */
export function renderMessage(message: CaseMessage, consoleUrl: string, attemptAt: string = message.sendAt): RenderedMessage {
  const at = attemptAt > message.sendAt ? attemptAt : message.sendAt;
  const link = caseLink(consoleUrl, message.caseId);
  const ref = message.caseReference;
  const lines: string[] = [];
  let subject: string;
  const o = message.obligation;

  if (message.type === 'notice' && message.meeting) {
    const m = message.meeting;
    const meetingName = MEETING_NAMES[m.meetingType] ?? m.meetingType;
    subject = `[CaseClock] ${ref}: ${meetingName} ${m.change}`;
    lines.push(`The ${meetingName} ${m.meetingId} for case ${ref} (team ${message.team}) has been ${m.change}.`);
    if (m.scheduledFor) lines.push(`It was scheduled for ${localTime(m.scheduledFor)}.`);
    if (m.newDate) lines.push(`New date: ${localTime(m.newDate)}.`);
    lines.push('Please consider how ongoing risks to the child are being managed meanwhile.');
  } else if (o && message.type === 'reminder' && at >= o.dueAt) {
    // The reminder could not go before the deadline (mail was failing): say what is true now.
    const late = lateness(o.dueAt, at);
    subject = `[CaseClock] Late reminder ${ref}: ${o.title} fell due ${localTime(o.dueAt)}, not yet recorded`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} fell due at ${localTime(o.dueAt)} and has not been recorded.`);
    lines.push(`It is ${late === 'not yet late' ? 'now' : late} overdue. This reminder could not be sent before the deadline.`);
    lines.push('Please record it in CaseClock when it is done.');
  } else if (o && message.type === 'reminder') {
    subject = `[CaseClock] Reminder ${ref}: ${o.title} due ${localTime(o.dueAt)}`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} is due by ${localTime(o.dueAt)}.`);
    lines.push('Please record it in CaseClock when it is done.');
  } else if (o) {
    // At level 1 the message goes at the deadline itself: "now overdue" rather than "0 minutes late".
    const justDue = Date.parse(at) - Date.parse(o.dueAt) < 60_000;
    const late = justDue ? 'now overdue' : `${lateness(o.dueAt, at)} late`;
    const repeat = message.repeat > 0 ? ` (reminder ${message.repeat + 1})` : '';
    subject = `[CaseClock] OVERDUE level ${message.level}${repeat} ${ref}: ${o.title}, ${late}`;
    lines.push(`Case ${ref} (team ${message.team}): ${o.title} was due by ${localTime(o.dueAt)} and has not been recorded.`);
    lines.push(`It is ${late}. Escalation level ${message.level}, to the ${ROLE_NAMES[message.role] ?? message.role}.`);
    lines.push('Please make sure it happens, or acknowledge this escalation in CaseClock.');
  } else {
    subject = `[CaseClock] ${ref}: ${message.type}`;
    lines.push(`Case ${ref} (team ${message.team}) needs attention.`);
  }
  if (o?.basis) lines.push(`Basis: ${o.basis}.`);
  lines.push(`Open the case: ${link}`);
  lines.push('', `Message ${message.messageId}`);

  const text = lines.join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    ...lines.filter((l) => l !== '').map((l) =>
      l.startsWith('Open the case: ')
        ? `<p><a href="${escapeHtml(link)}">Open case ${escapeHtml(ref)} in CaseClock</a></p>`
        : `<p>${escapeHtml(l)}</p>`,
    ),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
