/**
 * What every family of clocks needs while the engine walks a case: the events in time order,
 * the policy in force at any instant, the working-day calendar frozen into each policy snapshot,
 * and the holds. Built once per evaluation; pure.
 */
import { WorkingDayCalendar } from '../calendar';
import { localDateOf, startOfLocalDate } from '../durations';
import type { CaseEvent, CaseFacts, EventOf } from '../facts';
import type { ObligationKind } from '../kinds';
import { Ledger } from './ledger';
import type { CaseCheckpoint, FamilyName } from './types';
import type { PolicySnapshot, ResolvedRule } from '../policy';
import { resolveRuleOnDate } from '../policy-rules';

/** An instant in one canonical form (UTC, milliseconds, Z), so ids and comparisons agree. */
export function canonicalInstant(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`${JSON.stringify(instant)} is not an ISO-8601 instant`);
  return new Date(ms).toISOString();
}

function canonicalEvent(event: CaseEvent): CaseEvent {
  const at = canonicalInstant(event.at);
  switch (event.type) {
    case 'meeting-scheduled':
      return { ...event, at, scheduledFor: canonicalInstant(event.scheduledFor) };
    case 'meeting-postponed':
      return { ...event, at, newDate: canonicalInstant(event.newDate) };
    default:
      return { ...event, at };
  }
}

/** A policy version applied to the case from an instant. */
export interface PolicyApplication {
  at: string;
  snapshot: PolicySnapshot;
  mode: 'start' | 'forward' | 'recompute';
}

/** A period during which some clocks were paused. `end` is absent while it lasts. */
export interface HoldPeriod {
  start: string;
  end?: string;
}

const calendars = new WeakMap<PolicySnapshot, WorkingDayCalendar>();

/** The working-day calendar frozen into a snapshot (built once per snapshot object). */
export function calendarOf(snapshot: PolicySnapshot): WorkingDayCalendar {
  let calendar = calendars.get(snapshot);
  if (!calendar) {
    calendar = WorkingDayCalendar.fromHolidays(snapshot.bankHolidays);
    calendars.set(snapshot, calendar);
  }
  return calendar;
}

export class CaseContext {
  readonly caseId: string;
  readonly now: string;
  /** Events in time order (ties keep recorded order), up to and including the closure. */
  readonly events: CaseEvent[];
  readonly closedAt: string | undefined;
  readonly applications: PolicyApplication[];
  readonly warnings: string[] = [];
  readonly #holds: Array<{ holdId: string; kind?: ObligationKind; start: string; end?: string }> = [];
  /** Where this evaluation goes on from (undefined: from the case's opening). */
  readonly checkpoint: CaseCheckpoint | undefined;
  readonly #holdsByKind = new Map<ObligationKind, HoldPeriod[]>();
  readonly #rules = new Map<string, ResolvedRule>();

  constructor(facts: CaseFacts, policies: readonly PolicySnapshot[], now: string, checkpoint?: CaseCheckpoint) {
    const first = policies[0];
    if (!first) throw new Error('evaluateCase needs at least the policy snapshot the case started with');
    this.checkpoint = checkpoint;
    this.caseId = facts.caseId;
    this.now = canonicalInstant(now);
    const sorted = facts.events
      .map((event, index) => ({ event: canonicalEvent(event), index }))
      .sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : a.index - b.index))
      .map((e) => e.event);
    const closure = sorted.findIndex((e) => e.type === 'case-closed');
    this.events = closure === -1 ? sorted : sorted.slice(0, closure + 1);
    this.closedAt = closure === -1 ? undefined : sorted[closure]?.at;

    this.applications = [{ at: canonicalInstant(facts.openedAt), snapshot: first, mode: 'start' }];
    const applied = [...(checkpoint?.applications ?? []), ...this.eventsOf('policy-applied')];
    for (const event of applied) {
      const snapshot = policies.find((p) => p.version === event.policyVersion || `${p.id}@${p.version}` === event.policyVersion);
      if (!snapshot) {
        this.warnings.push(`policy-applied at ${event.at} names policy version "${event.policyVersion}", which was not supplied; ignored`);
        continue;
      }
      this.applications.push({ at: event.at, snapshot, mode: event.mode });
    }

    const started = new Map<string, { holdId: string; kind?: ObligationKind; start: string; end?: string }>();
    for (const hold of checkpoint?.holds ?? []) {
      const copy = { ...hold };
      started.set(hold.holdId, copy);
      this.#holds.push(copy);
    }
    for (const event of this.events) {
      if (event.type === 'hold-started' && !started.has(event.holdId)) {
        const hold = event.kind === undefined ? { holdId: event.holdId, start: event.at } : { holdId: event.holdId, kind: event.kind, start: event.at };
        started.set(event.holdId, hold);
        this.#holds.push(hold);
      } else if (event.type === 'hold-ended') {
        const hold = started.get(event.holdId);
        if (hold && hold.end === undefined) hold.end = event.at;
        else if (!hold) this.warnings.push(`hold-ended at ${event.at} names hold "${event.holdId}", which was never started; ignored`);
      }
    }
  }

  /** A family's ledger: empty from the opening, or going on from the checkpoint's open occurrences. */
  ledgerFor(family: FamilyName): Ledger {
    const checkpoint = this.checkpoint;
    if (!checkpoint) return new Ledger();
    return Ledger.resume(
      checkpoint.open.filter((o) => o.family === family).map((o) => o.draft),
      checkpoint.namedIds,
    );
  }

  /** Every hold known, with its id (for a checkpoint). */
  allHolds(): ReadonlyArray<{ holdId: string; kind?: ObligationKind; start: string; end?: string }> {
    return this.#holds;
  }

  eventsOf<T extends CaseEvent['type']>(type: T): Array<EventOf<T>> {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  /** The policy snapshot in force at an instant (the latest application at or before it). */
  snapshotAt(at: string): PolicySnapshot {
    let current = this.applications[0]!.snapshot;
    for (const application of this.applications) {
      if (application.at <= at) current = application.snapshot;
    }
    return current;
  }

  /** The rule of `kind` under a snapshot, with the overlays in force at `at`. */
  ruleUnder(snapshot: PolicySnapshot, kind: ObligationKind, at: string): ResolvedRule {
    const date = localDateOf(at);
    const key = `${snapshot.id}@${snapshot.version}|${kind}|${date}`;
    let rule = this.#rules.get(key);
    if (!rule) {
      rule = resolveRuleOnDate(snapshot, kind, date);
      this.#rules.set(key, rule);
    }
    return rule;
  }

  /** The rule in force for `kind` at `at`, or undefined when policy has switched the kind off. */
  ruleAt(kind: ObligationKind, at: string): ResolvedRule | undefined {
    const rule = this.ruleUnder(this.snapshotAt(at), kind, at);
    return rule.enabled ? rule : undefined;
  }

  /** Whether policy has this kind switched on at `at`. */
  enabled(kind: ObligationKind, at: string): boolean {
    return this.ruleAt(kind, at) !== undefined;
  }

  /** Whether the policy version in force at `at` has a rule for `kind` at all (kinds added later are missing from older versions). */
  known(kind: ObligationKind, at: string): boolean {
    return this.snapshotAt(at).baseline[kind] !== undefined;
  }

  /** The edition of the counting conventions of the policy version in force at `at` (domain/policy.ts, CONVENTIONS). */
  conventionsAt(at: string): number {
    return this.snapshotAt(at).conventions ?? 1;
  }

  #boundaries: string[] | undefined;
  /**
   * Every instant at which the rules in force can change: each overlay's first day and the day
   * after its last (00:00 Europe/London), and each later policy application, in time order.
   */
  policyBoundaries(): readonly string[] {
    if (this.#boundaries) return this.#boundaries;
    const instants = new Set<string>();
    for (const [i, application] of this.applications.entries()) {
      if (i > 0) instants.add(application.at);
      for (const overlay of application.snapshot.overlays) {
        instants.add(startOfLocalDate(overlay.startDate));
        if (overlay.endDate !== undefined) instants.add(startOfLocalDate(overlay.endDate, 1));
      }
    }
    this.#boundaries = [...instants].sort();
    return this.#boundaries;
  }

  /** Hold periods that pause clocks of `kind`, merged where they overlap, in time order. */
  holdsFor(kind: ObligationKind): HoldPeriod[] {
    let merged = this.#holdsByKind.get(kind);
    if (merged) return merged;
    const applicable = this.#holds.filter((h) => h.kind === undefined || h.kind === kind).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    merged = [];
    for (const hold of applicable) {
      const last = merged[merged.length - 1];
      if (last && (last.end === undefined || hold.start <= last.end)) {
        if (last.end !== undefined && (hold.end === undefined || hold.end > last.end)) {
          if (hold.end === undefined) delete last.end;
          else last.end = hold.end;
        }
      } else {
        merged.push(hold.end === undefined ? { start: hold.start } : { start: hold.start, end: hold.end });
      }
    }
    this.#holdsByKind.set(kind, merged);
    return merged;
  }
}
