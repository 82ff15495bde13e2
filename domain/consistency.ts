/**
 * Whether an event may be recorded on a case, given what the case already holds. Zod checks the
 * shape of an event; these rules check that it makes sense here: nothing before the case opened or
 * in the future, no meeting recorded twice, no waiver of an obligation that is not open.
 * Pure, so the workflow's update validators and the console use the same rules.
 */
import type { CaseEvent } from './facts';

export interface Problem {
  /** The input field at fault, as the user would name it (e.g. `meetingId`). */
  field: string;
  message: string;
}

export interface CaseSoFar {
  /** A child's case, or a serious incident (which records only incident events). */
  subject: 'case' | 'incident';
  openedAt: string;
  events: readonly CaseEvent[];
  /** Open obligations with the highest escalation level each has reached. */
  open: ReadonlyArray<{ id: string; escalationLevel: number }>;
}

/**
 * How far in the future a time typed as past may be: the clocks of the console, the command line
 * and the worker differ a little, and forms have minute precision. The one grace every client and
 * the workflows' validators use.
 */
export const FUTURE_GRACE_MS = 5 * 60 * 1000;

/** Whether `instant` is later than `now` by more than FUTURE_GRACE_MS (an unparseable instant is not: the schema refuses it). */
export function isInTheFuture(instant: string, now: string | Date): boolean {
  const at = Date.parse(instant);
  return !Number.isNaN(at) && at > new Date(now).getTime() + FUTURE_GRACE_MS;
}

const CONFERENCES = new Set(['icpc', 'review-conference']);
const INCIDENT_EVENTS = new Set<CaseEvent['type']>(['incident-reported', 'incident-notified', 'rapid-review-completed']);
/** Events that make sense on an incident as on a case. */
const SHARED_EVENTS = new Set<CaseEvent['type']>(['obligation-waived', 'escalation-acknowledged', 'hold-started', 'hold-ended', 'case-closed']);

export function problemsWithEvent(kase: CaseSoFar, event: CaseEvent, now: string): Problem[] {
  const problems: Problem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const events = kase.events;

  if (events.some((e) => e.type === 'case-closed')) {
    problem('type', 'the case is closed: nothing more can be recorded');
    return problems;
  }
  const incidentEvent = INCIDENT_EVENTS.has(event.type);
  if (kase.subject === 'incident' && !incidentEvent && !SHARED_EVENTS.has(event.type)) {
    problem('type', `${event.type} is recorded on the case, not on the incident`);
    return problems;
  }
  if (event.at < kase.openedAt) problem('at', `is before the case was opened (${kase.openedAt})`);
  if (isInTheFuture(event.at, now)) problem('at', 'is in the future');

  const meetings = meetingsOf(events);
  const meetingId = 'meetingId' in event ? event.meetingId : undefined;
  const meeting = meetingId !== undefined ? meetings.get(meetingId) : undefined;

  /** Out of order: the event is dated before the event it follows from (e.g. a hold ending before it started). */
  const notBefore = (earlierAt: string | undefined, what: string) => {
    if (earlierAt !== undefined && event.at < earlierAt) problem('at', `is before ${what} (${earlierAt})`);
  };
  /** When the earliest recorded event that matches happened. */
  const firstOf = (match: (e: CaseEvent) => boolean): string | undefined => {
    let first: string | undefined;
    for (const e of events) if (match(e) && (first === undefined || e.at < first)) first = e.at;
    return first;
  };
  if (meeting && event.type !== 'meeting-scheduled') notBefore(meeting.scheduledAt, `meeting ${meetingId} was scheduled`);

  switch (event.type) {
    case 'meeting-scheduled':
      if (meeting) problem('meetingId', `meeting ${event.meetingId} is already recorded`);
      if (event.scheduledFor <= event.at) problem('scheduledFor', 'must be after the time it was scheduled');
      break;
    case 'meeting-postponed':
    case 'meeting-cancelled':
      if (!meeting) problem('meetingId', `no meeting ${event.meetingId} is scheduled on this case`);
      else if (meeting.state !== 'scheduled') problem('meetingId', `meeting ${event.meetingId} is already ${meeting.state}`);
      if (event.type === 'meeting-postponed' && event.newDate <= event.at) problem('newDate', 'must be after the postponement');
      break;
    case 'meeting-held':
      if (event.meetingId !== undefined) {
        if (!meeting) problem('meetingId', `no meeting ${event.meetingId} is scheduled on this case`);
        else if (meeting.state !== 'scheduled') problem('meetingId', `meeting ${event.meetingId} is already ${meeting.state}`);
        else if (meeting.meetingType !== event.meetingType) problem('meetingType', `meeting ${event.meetingId} is a ${meeting.meetingType}, not a ${event.meetingType}`);
      }
      if (event.outcome === 'cp-plan' && event.meetingType !== 'icpc') problem('outcome', 'only an initial conference starts a plan');
      if (event.reviewNumber !== undefined && event.meetingType !== 'cic-review') problem('reviewNumber', 'is for a child in care review only');
      break;
    case 'pre-meeting-held':
      if (!meeting) problem('meetingId', `no meeting ${event.meetingId} is scheduled on this case`);
      else if (!CONFERENCES.has(meeting.meetingType)) problem('meetingId', `meeting ${event.meetingId} is not a conference`);
      break;
    case 'report-submitted':
      if (!meeting) problem('meetingId', `no meeting ${event.meetingId} is scheduled on this case`);
      else if (event.reportType === 'iro-report' && meeting.meetingType !== 'cic-review') problem('meetingId', `meeting ${event.meetingId} is not a child-in-care review`);
      break;
    case 'child-returned': {
      const last = lastOf(events, ['missing-started', 'child-returned']);
      if (last?.type !== 'missing-started') problem('type', 'no missing episode is open on this case');
      else notBefore(last.at, 'the child went missing');
      break;
    }
    case 'return-interview-held':
      if (!events.some((e) => e.type === 'child-returned')) problem('type', 'the child has not been recorded as returned');
      else
        notBefore(
          firstOf((e) => e.type === 'child-returned'),
          'the child was recorded as returned',
        );
      break;
    case 'referral-decided':
    case 'assessment-completed':
      if (!events.some((e) => e.type === 'referral-received')) problem('type', 'no referral is recorded on this case');
      else
        notBefore(
          firstOf((e) => e.type === 'referral-received'),
          'the referral was received',
        );
      break;
    case 'complaint-received': {
      const known = events.filter((e) => e.type === 'complaint-received' && e.complaintId === event.complaintId && e.stage === event.stage);
      if (known.length > 0) problem('complaintId', `complaint ${event.complaintId} is already recorded at stage ${event.stage}`);
      break;
    }
    case 'complaint-responded':
    case 'complaint-extended': {
      const stage3 = event.stage === 3 ? stageThree(kase, event.complaintId) : undefined;
      const received = stage3?.requested ?? events.some((e) => e.type === 'complaint-received' && e.complaintId === event.complaintId && e.stage === event.stage);
      if (!received) problem('complaintId', `no stage ${event.stage} complaint ${event.complaintId} on this case`);
      else
        notBefore(
          firstOf((e) => e.type === 'complaint-received' && e.complaintId === event.complaintId && e.stage === event.stage),
          `complaint ${event.complaintId} was received`,
        );
      const responded = events.some((e) => e.type === 'complaint-responded' && e.complaintId === event.complaintId && e.stage === event.stage);
      if (responded) problem('complaintId', `complaint ${event.complaintId} already has its stage ${event.stage} response`);
      // At stage 3 the authority responds to the panel's recommendations: the report comes first.
      else if (stage3?.requested && !stage3.reported) problem('complaintId', `the review panel's report on complaint ${event.complaintId} is not recorded yet`);
      else if (stage3) notBefore(stage3.reportedAt, `the review panel's report on complaint ${event.complaintId} was sent`);
      break;
    }
    case 'complaint-panel-held': {
      const stage3 = stageThree(kase, event.complaintId);
      if (!stage3.requested) problem('complaintId', `no stage 3 complaint ${event.complaintId} on this case (record it received at stage 3 first)`);
      else if (stage3.held) problem('complaintId', `the review panel on complaint ${event.complaintId} is already recorded`);
      else notBefore(stage3.requestedAt, `complaint ${event.complaintId} was received at stage 3`);
      break;
    }
    case 'complaint-panel-reported': {
      const stage3 = stageThree(kase, event.complaintId);
      if (!stage3.requested) problem('complaintId', `no stage 3 complaint ${event.complaintId} on this case (record it received at stage 3 first)`);
      else if (!stage3.held) problem('complaintId', `the review panel on complaint ${event.complaintId} is not recorded yet`);
      else if (stage3.reported) problem('complaintId', `the review panel's report on complaint ${event.complaintId} is already recorded`);
      else notBefore(stage3.heldAt, `the review panel on complaint ${event.complaintId} met`);
      break;
    }
    case 'placement-started':
    case 'looked-after-ended': {
      const last = lastOf(events, ['looked-after-started', 'looked-after-ended']);
      if (last?.type !== 'looked-after-started') problem('type', 'the child is not recorded as looked after');
      else
        notBefore(
          firstOf((e) => e.type === 'looked-after-started'),
          'the child became looked after',
        );
      break;
    }
    case 'looked-after-started':
      if (lastOf(events, ['looked-after-started', 'looked-after-ended'])?.type === 'looked-after-started') problem('type', 'the child is already recorded as looked after');
      break;
    case 'obligation-waived':
      if (!kase.open.some((o) => o.id === event.obligationId)) problem('obligationId', `no open obligation ${event.obligationId}`);
      break;
    case 'escalation-acknowledged': {
      const open = kase.open.find((o) => o.id === event.obligationId);
      if (!open) problem('obligationId', `no open obligation ${event.obligationId}`);
      else if (open.escalationLevel < event.level) problem('level', `obligation ${event.obligationId} has not been escalated to level ${event.level}`);
      break;
    }
    case 'hold-started':
      if (events.some((e) => e.type === 'hold-started' && e.holdId === event.holdId)) problem('holdId', `hold ${event.holdId} already exists`);
      break;
    case 'hold-ended': {
      const started = events.find((e) => e.type === 'hold-started' && e.holdId === event.holdId);
      const ended = events.some((e) => e.type === 'hold-ended' && e.holdId === event.holdId);
      if (!started) problem('holdId', `no hold ${event.holdId} on this case`);
      else if (ended) problem('holdId', `hold ${event.holdId} has already ended`);
      else notBefore(started.at, `hold ${event.holdId} started`);
      break;
    }
    case 'policy-applied':
      problem('type', 'apply a policy with the applyPolicy action, which carries the policy itself');
      break;
    case 'incident-reported':
      if (kase.subject === 'case') problem('type', 'report a serious incident as an incident of its own');
      else if (events.some((e) => e.type === 'incident-reported')) problem('type', 'the incident is already reported');
      break;
    case 'incident-notified':
    case 'rapid-review-completed': {
      if (kase.subject === 'case') {
        problem('type', 'serious incidents are recorded on the incident, not on the case');
        break;
      }
      const before = event.type === 'incident-notified' ? 'incident-reported' : 'incident-notified';
      if (!events.some((e) => e.type === before)) problem('type', `record ${before} first`);
      else
        notBefore(
          firstOf((e) => e.type === before),
          `the ${before} event`,
        );
      if (events.some((e) => e.type === event.type)) problem('type', `${event.type} is already recorded`);
      break;
    }
    default:
      break;
  }
  return problems;
}

/** How far a stage 3 complaint has gone: requested (received at stage 3), panel held, report sent. */
interface StageThreeSoFar {
  requested: boolean;
  held: boolean;
  reported: boolean;
  requestedAt?: string;
  heldAt?: string;
  reportedAt?: string;
}

/**
 * A stage 3 complaint's steps, from its events, or from the clock the case has open for it when
 * the events are settled into a checkpoint (a case keeps its last 90 days of events): an open
 * panel clock (`complaint-stage-3-panel@<id>`) stands for the request, an open report clock for
 * the panel too, an open response clock for the report.
 */
function stageThree(kase: CaseSoFar, complaintId: string): StageThreeSoFar {
  const first = (type: CaseEvent['type'], match: (e: CaseEvent) => boolean = () => true): string | undefined => {
    let at: string | undefined;
    for (const e of kase.events) if (e.type === type && 'complaintId' in e && e.complaintId === complaintId && match(e) && (at === undefined || e.at < at)) at = e.at;
    return at;
  };
  const clock = (kind: string) => kase.open.some((o) => o.id === `${kind}@${complaintId}`);
  const requestedAt = first('complaint-received', (e) => 'stage' in e && e.stage === 3);
  const heldAt = first('complaint-panel-held');
  const reportedAt = first('complaint-panel-reported');
  const reported = reportedAt !== undefined || clock('complaint-stage-3-response');
  const held = heldAt !== undefined || reported || clock('complaint-stage-3-report');
  const requested = requestedAt !== undefined || held || clock('complaint-stage-3-panel');
  return {
    requested,
    held,
    reported,
    ...(requestedAt !== undefined ? { requestedAt } : {}),
    ...(heldAt !== undefined ? { heldAt } : {}),
    ...(reportedAt !== undefined ? { reportedAt } : {}),
  };
}

interface MeetingSoFar {
  meetingType: string;
  state: 'scheduled' | 'held' | 'cancelled';
  /** When it was scheduled (nothing about the meeting can have happened before). */
  scheduledAt: string;
}

function meetingsOf(events: readonly CaseEvent[]): Map<string, MeetingSoFar> {
  const meetings = new Map<string, MeetingSoFar>();
  for (const e of events) {
    if (e.type === 'meeting-scheduled') meetings.set(e.meetingId, { meetingType: e.meetingType, state: 'scheduled', scheduledAt: e.at });
    else if (e.type === 'meeting-cancelled') {
      const m = meetings.get(e.meetingId);
      if (m) m.state = 'cancelled';
    } else if (e.type === 'meeting-held' && e.meetingId !== undefined) {
      const m = meetings.get(e.meetingId);
      if (m) m.state = 'held';
    }
  }
  return meetings;
}

function lastOf(events: readonly CaseEvent[], types: readonly CaseEvent['type'][]): CaseEvent | undefined {
  let last: CaseEvent | undefined;
  for (const e of events) if (types.includes(e.type) && (last === undefined || e.at >= last.at)) last = e;
  return last;
}

/**
 * `field: message; ...` on one line. Messages may quote ids the user typed (an obligation id may
 * hold any character): control and line-separator characters are shown as `\uXXXX`.
 */
export function describeProblems(problems: readonly Problem[]): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = (s: string) => s.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return problems.map((p) => `${p.field}: ${oneLine(p.message)}`).join('; ');
}
