/**
 * The deadline engine: a pure function of a case's facts, its policy snapshots and the current
 * instant, answering what the case owes, by when, and which reminders, escalations and notices
 * are due now. The case workflow keeps the facts and calls `evaluateCase` after every change and
 * at `nextWakeAt`; nothing here reads a clock, a file or the environment.
 *
 * Each family of clocks (domain/engine/*.ts) walks the events in time order and opens and
 * resolves occurrences; `settle` then gives each occurrence its deadline under the policy in
 * force (with `policy-applied` and holds taken into account) and plans its messages.
 */
import type { ObligationKind } from './kinds';
import type { PolicySnapshot, ResolvedRule, RuleSource } from './policy';
import { resolveRule } from './policy-rules';
import type { WorkingDayCalendar } from './calendar';
import { complaintClocks } from './engine/complaints';
import { calendarOf, canonicalInstant, CaseContext } from './engine/context';
import { computeDueAt, extendByHold, extendByHoldInClockUnit, heldTime } from './engine/deadlines';
import { childProtectionClocks } from './engine/child-protection';
import { missingChildClocks, referralClocks, seriousIncidentClocks } from './engine/incidents-and-front-door';
import type { Draft, Ledger, Resolution } from './engine/ledger';
import { lookedAfterClocks } from './engine/looked-after';
import { meetingPreparationClocks } from './engine/meeting-preparation';
import { escalationLevelReached, planConferenceNotices, planEscalations, planReminders, type OpenClock } from './engine/messages';
import { riskTierClocks } from './engine/tier-clocks';
import type { CaseCheckpoint, CaseEvaluation, DueMessage, EvaluateCaseInput, FamilyName, Obligation } from './engine/types';

export type { CaseCheckpoint, CaseEvaluation, DueMessage, EvaluateCaseInput, Obligation, ObligationStatus, MessageType } from './engine/types';
export { computeDueAt } from './engine/deadlines';

/** Every family of clocks walked over the case's events (from the checkpoint, when there is one). */
function walk(input: EvaluateCaseInput) {
  const ctx = new CaseContext(input.facts, input.policies, input.now, input.checkpoint);
  const tier = riskTierClocks(ctx);
  const childProtection = childProtectionClocks(ctx);
  const preparation = meetingPreparationClocks(ctx);
  const lookedAfter = lookedAfterClocks(ctx);
  const ledgers: Record<FamilyName, Ledger> = {
    tier: tier.ledger,
    childProtection: childProtection.ledger,
    preparation: preparation.ledger,
    seriousIncident: seriousIncidentClocks(ctx),
    missing: missingChildClocks(ctx),
    referral: referralClocks(ctx),
    lookedAfter: lookedAfter.ledger,
    complaints: complaintClocks(ctx),
  };
  const families: CaseCheckpoint['families'] = {
    tier: tier.state(),
    childProtection: childProtection.state(),
    preparation: preparation.state(),
    lookedAfter: lookedAfter.state(),
  };
  /** When a policy boundary may next open or suspend a clock (conventions 2): a wake-up for the workflow. */
  const nextChange = (now: string) => [childProtection.nextChangeAfter(now), lookedAfter.nextChangeAfter(now)].filter((w): w is string => w !== undefined);
  return { ctx, ledgers, families, changes: preparation.changes, nextChange };
}

/** What the case owes now and what to send: see CaseEvaluation. Pure and deterministic. */
export function evaluateCase(input: EvaluateCaseInput): CaseEvaluation {
  const { ctx, ledgers, changes, nextChange } = walk(input);
  const sent = new Set(input.facts.sent.map((m) => m.messageId));
  const acknowledged = acknowledgementsOf(ctx);

  const drafts: Draft[] = FAMILY_ORDER.flatMap((family) => ledgers[family].all);
  if (ctx.closedAt !== undefined) {
    for (const draft of drafts) if (!draft.resolution) draft.resolution = { status: 'superseded', at: ctx.closedAt };
  }

  const obligations: Obligation[] = [];
  const messagesDue: DueMessage[] = [];
  const wakes: string[] = ctx.closedAt === undefined ? nextChange(ctx.now) : [];
  for (const draft of drafts) {
    const settled = settle(draft, ctx);
    if (!settled) continue;
    const { obligation, rule } = settled;
    obligations.push(obligation);
    if (obligation.status !== 'open' || obligation.onHold) continue;
    const clock: OpenClock = {
      caseId: ctx.caseId,
      obligationId: obligation.id,
      kind: obligation.kind,
      triggeredAt: obligation.triggeredAt,
      dueAt: obligation.dueAt,
      rule,
      acknowledged: acknowledged.get(obligation.id) ?? NONE,
      ...(obligation.meetingId === undefined ? {} : { meetingId: obligation.meetingId }),
    };
    for (const plan of [planReminders(clock, ctx.now, sent), planEscalations(clock, ctx.now, sent)]) {
      messagesDue.push(...plan.due);
      wakes.push(...plan.wakes);
    }
    if (obligation.dueAt > ctx.now) wakes.push(obligation.dueAt);
  }
  const notices = planConferenceNotices(ctx.caseId, changes, (at) => ctx.snapshotAt(at).conferenceNotice, ctx.now, sent);
  messagesDue.push(...notices.due);
  wakes.push(...notices.wakes);

  obligations.sort((a, b) => compare(a.dueAt, b.dueAt) || compare(a.id, b.id));
  messagesDue.sort((a, b) => compare(a.sendAt, b.sendAt) || compare(a.messageId, b.messageId));
  const open = obligations.filter((o) => o.status === 'open');
  const running = open.filter((o) => !o.onHold);
  const nextWakeAt = wakes.filter((w) => w > ctx.now).reduce<string | null>((min, w) => (min === null || w < min ? w : min), null);
  return {
    obligations,
    open,
    messagesDue,
    nextWakeAt,
    overdueCount: running.filter((o) => o.dueAt <= ctx.now).length,
    nextDueAt: running.reduce<string | null>((min, o) => (min === null || o.dueAt < min ? o.dueAt : min), null),
    warnings: ctx.warnings,
  };
}

/** The order obligations are listed in before sorting (as they always were). */
const FAMILY_ORDER: readonly FamilyName[] = ['tier', 'childProtection', 'preparation', 'seriousIncident', 'missing', 'referral', 'lookedAfter', 'complaints'];

/**
 * The case's live state at `at` (see CaseCheckpoint): the events up to `at` folded into the
 * families' state and the occurrences still open then. `input.facts.events` may hold later events
 * too (they are left out); `input.facts.sent` says which notices have gone. The case must not be
 * closed by then. Evaluating with it and only the events after `at` answers as evaluating all.
 */
export function checkpointCase(input: EvaluateCaseInput, at: string): CaseCheckpoint {
  const cut = canonicalInstant(at);
  if (input.checkpoint && cut < input.checkpoint.at) throw new Error(`cannot checkpoint at ${cut}, before the checkpoint it goes on from (${input.checkpoint.at})`);
  const events = input.facts.events.filter((e) => canonicalInstant(e.at) <= cut);
  const { ctx, ledgers, families, changes } = walk({ ...input, facts: { ...input.facts, events }, now: cut });
  if (ctx.closedAt !== undefined) throw new Error('a closed case has no live state to checkpoint');

  const open: CaseCheckpoint['open'] = [];
  const namedIds = new Set<string>();
  for (const family of FAMILY_ORDER) {
    for (const draft of ledgers[family].all) if (!draft.resolution) open.push({ family, draft: { ...draft } });
    for (const id of ledgers[family].namedIds()) namedIds.add(id);
  }
  const openIds = new Set(open.map((o) => o.draft.id));
  const stillToCome = families.preparation.meetings.map((m) => m.meetingId);
  const earliestOpen = open.reduce((min, o) => (o.draft.triggeredAt < min ? o.draft.triggeredAt : min), cut);
  const holds = ctx
    .allHolds()
    .filter((h) => h.end === undefined || h.end > earliestOpen)
    .map((h) => ({ ...h }));
  const sent = new Set(input.facts.sent.map((m) => m.messageId));
  const pendingChanges = changes.filter((change) => {
    const plan = planConferenceNotices(ctx.caseId, [change], (when) => ctx.snapshotAt(when).conferenceNotice, cut, sent);
    return plan.due.length > 0 || plan.wakes.length > 0;
  });
  // Acknowledgements of occurrences still open, and of any not opened yet (the rules refuse those,
  // but a fact is never dropped while it can still count); those of ended occurrences are done,
  // including one that ended before the checkpoint this goes on from (its id is still known), so
  // a checkpoint of a checkpoint carries what one from the opening carries.
  const acknowledged: Record<string, number[]> = {};
  for (const [id, levels] of acknowledgementsOf(ctx)) {
    if (openIds.has(id) || !FAMILY_ORDER.some((family) => ledgers[family].knows(id))) acknowledged[id] = [...levels].sort((x, y) => x - y);
  }
  return {
    at: cut,
    families,
    open,
    // Meeting preparation ids matter only while the meeting is still to come; complaint and
    // incident ids for good (they are few), so a repeated fact never opens a clock twice.
    namedIds: [...namedIds].filter((id) => !/^(conference-pre-meeting|iro-report)@/.test(id) || stillToCome.some((m) => id.startsWith(`${m}@`) || id.includes(`@${m}@`))).sort(),
    changes: pendingChanges,
    holds,
    applications: ctx.applications.slice(1).map((a) => ({ at: a.at, policyVersion: a.snapshot.version, mode: a.mode === 'start' ? 'forward' : a.mode })),
    acknowledged,
  };
}

/**
 * When one obligation is due, counted from `from` (for kinds counted back from a meeting, `from`
 * is the meeting), under the rule in force at `from`. Used by `caseclock due`.
 */
export function dueFor(policy: RuleSource, kind: ObligationKind, from: string, calendar: WorkingDayCalendar): { dueAt: string; rule: ResolvedRule } {
  const rule = resolveRule(policy, kind, from);
  return { dueAt: computeDueAt(rule, new Date(Date.parse(from)).toISOString(), calendar), rule };
}

const NONE: ReadonlySet<number> = new Set();

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function acknowledgementsOf(ctx: CaseContext): Map<string, Set<number>> {
  const acks = new Map<string, Set<number>>();
  for (const [id, levels] of Object.entries(ctx.checkpoint?.acknowledged ?? {})) acks.set(id, new Set(levels));
  for (const event of ctx.eventsOf('escalation-acknowledged')) {
    let levels = acks.get(event.obligationId);
    if (!levels) acks.set(event.obligationId, (levels = new Set()));
    levels.add(event.level);
  }
  return acks;
}

/**
 * The policy an occurrence is counted under: the snapshot in force when it was triggered, or a
 * later one applied with mode 'recompute' while it was still open (its deadline is then counted
 * again from the same trigger under the new rule; a kind the new policy switches off is superseded).
 */
function policyFor(draft: Draft, ctx: CaseContext): { snapshot: PolicySnapshot; rule: ResolvedRule; resolution?: Resolution } {
  const countedAt = draft.ruleAt ?? draft.triggeredAt;
  let snapshot = ctx.snapshotAt(countedAt);
  let rule = ctx.ruleUnder(snapshot, draft.kind, countedAt);
  let resolution = draft.resolution;
  for (const application of ctx.applications) {
    if (application.mode !== 'recompute' || application.at <= countedAt) continue;
    if (resolution && resolution.at <= application.at) break;
    snapshot = application.snapshot;
    rule = ctx.ruleUnder(snapshot, draft.kind, countedAt);
    if (!rule.enabled) {
      resolution = { status: 'superseded', at: application.at };
      break;
    }
  }
  return resolution ? { snapshot, rule, resolution } : { snapshot, rule };
}

/** An occurrence with its deadline, status and escalation level; undefined if it cannot be counted. */
function settle(draft: Draft, ctx: CaseContext): { obligation: Obligation; rule: ResolvedRule } | undefined {
  const { snapshot, rule, resolution } = policyFor(draft, ctx);
  const calendar = calendarOf(snapshot);
  let dueAt: string;
  let onHold = false;
  try {
    dueAt = computeDueAt(rule, draft.meetingAt ?? draft.triggeredAt, calendar, draft.variant);
    const held = heldTime(ctx.holdsFor(draft.kind), draft.triggeredAt, resolution?.at, ctx.now);
    onHold = held.onHoldNow;
    // A meeting's date governs preparation deadlines: holds pause their messages, not the meeting.
    if (rule.direction === 'after-trigger') {
      dueAt = (snapshot.conventions ?? 1) >= 2 ? extendByHoldInClockUnit(dueAt, held.periods, rule, calendar, draft.variant) : extendByHold(dueAt, held.heldMs, rule, calendar, draft.variant);
    }
  } catch (err) {
    ctx.warnings.push(`${draft.id}: cannot compute the deadline (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
  const status = resolution?.status ?? 'open';
  const until = resolution === undefined || resolution.at > ctx.now ? ctx.now : resolution.at;
  const obligation: Obligation = {
    id: draft.id,
    kind: draft.kind,
    title: rule.title,
    basis: rule.basis,
    triggeredAt: draft.triggeredAt,
    dueAt,
    status,
    onHold: status === 'open' && onHold,
    policyVersion: snapshot.version,
    escalationLevel: escalationLevelReached(rule, dueAt, until),
  };
  if (resolution) obligation.resolvedAt = resolution.at;
  if (resolution?.status === 'met' && resolution.at > dueAt) obligation.lateByMs = Date.parse(resolution.at) - Date.parse(dueAt);
  if (draft.meetingId !== undefined) obligation.meetingId = draft.meetingId;
  if (draft.complaintId !== undefined) obligation.complaintId = draft.complaintId;
  if (draft.incidentId !== undefined) obligation.incidentId = draft.incidentId;
  return { obligation, rule };
}
