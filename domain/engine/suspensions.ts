/**
 * Recurring clocks that an overlay switches off for a while (conventions 2, docs/policy.md,
 * "Overlays that end"). Under conventions 1 a clock whose next occurrence fell while its kind was
 * off was never opened again; here it is remembered, with the trigger it would have counted from,
 * and opened again when the rules switch the kind back on:
 * - when an overlay that switches the kind off comes into force (its first day, 00:00 Europe/London),
 *   an occurrence still running is superseded then and remembered from its own trigger;
 * - a trigger while the kind is off (the last review, the plan's start) is remembered instead of opening;
 * - a meeting the overlay's rule names as standing in (`standIn`) moves the remembered trigger to it;
 * - when the kind is on again (the day after the overlay's endDate, or a later policy version), the
 *   occurrence opens then, counted from the remembered trigger under the rules in force at that
 *   instant: it may be overdue at once, which is what the child is owed.
 * A family that ends (plan ended, no longer looked after) forgets its remembered clocks.
 */
import type { MeetingType, ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';

/** A clock waiting for its kind to be switched on again: the trigger it counts from. */
export interface SuspendedClock {
  kind: ObligationKind;
  from: string;
}

export class Suspensions {
  readonly #ctx: CaseContext;
  readonly #ledger: Ledger;
  readonly #kinds: readonly ObligationKind[];
  readonly #waiting: SuspendedClock[];
  /** Policy boundaries up to here have been swept. */
  #sweptTo: string;

  constructor(ctx: CaseContext, ledger: Ledger, kinds: readonly ObligationKind[], resumed: readonly SuspendedClock[] = []) {
    this.#ctx = ctx;
    this.#ledger = ledger;
    this.#kinds = kinds;
    this.#waiting = resumed.map((s) => ({ ...s }));
    this.#sweptTo = ctx.checkpoint?.at ?? '';
  }

  /** Opens an occurrence of `kind` from `at`, or remembers it when its kind is off then under conventions 2. */
  open(kind: ObligationKind, at: string): void {
    if (this.#ctx.enabled(kind, at)) {
      this.#ledger.open({ kind, triggeredAt: at });
    } else if (this.#ctx.conventionsAt(at) >= 2 && this.#ctx.known(kind, at)) {
      this.#remember(kind, at);
    }
  }

  /** A meeting was held: it stands in for each remembered clock whose rule (as in force now) says so. */
  standIn(meetingType: MeetingType, at: string): void {
    for (const waiting of this.#waiting) {
      if (this.#ctx.ruleUnder(this.#ctx.snapshotAt(at), waiting.kind, at).standIn === meetingType && at > waiting.from) waiting.from = at;
    }
  }

  /** Forgets remembered clocks of these kinds (the family ended, or started afresh). */
  forget(...kinds: ObligationKind[]): void {
    for (let i = this.#waiting.length - 1; i >= 0; i--) if (kinds.includes(this.#waiting[i]!.kind)) this.#waiting.splice(i, 1);
  }

  /** Applies every policy boundary after the last one swept and up to `until` (an event's instant, or now). */
  sweep(until: string): void {
    for (const boundary of this.#ctx.policyBoundaries()) {
      if (boundary <= this.#sweptTo) continue;
      if (boundary > until) break;
      this.#atBoundary(boundary);
      this.#sweptTo = boundary;
    }
  }

  /** The next boundary after `now` at which something here may change (a wake-up for the workflow). */
  nextChangeAfter(now: string): string | undefined {
    if (this.#waiting.length === 0 && this.#ledger.openOf(...this.#kinds).length === 0) return undefined;
    // Only where conventions 2 count: a case on an edition 1 version keeps the wake-ups it always had.
    return this.#ctx.policyBoundaries().find((b) => b > now && this.#ctx.conventionsAt(b) >= 2);
  }

  state(): SuspendedClock[] {
    return this.#waiting.map((s) => ({ ...s }));
  }

  #remember(kind: ObligationKind, from: string): void {
    const same = this.#waiting.find((s) => s.kind === kind);
    if (same) same.from = from > same.from ? from : same.from;
    else this.#waiting.push({ kind, from });
  }

  #atBoundary(at: string): void {
    if (this.#ctx.conventionsAt(at) < 2) return;
    for (const draft of this.#ledger.openOf(...this.#kinds)) {
      if (this.#ctx.enabled(draft.kind, at) || !this.#ctx.known(draft.kind, at)) continue;
      this.#ledger.resolve(draft, 'superseded', at);
      this.#remember(draft.kind, draft.triggeredAt);
    }
    for (let i = 0; i < this.#waiting.length;) {
      const waiting = this.#waiting[i]!;
      if (!this.#ctx.enabled(waiting.kind, at)) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      // Its own id: an occurrence superseded when the overlay began may have had `kind@from`.
      this.#ledger.open({ id: `${waiting.kind}@${waiting.from}@${at}`, kind: waiting.kind, triggeredAt: waiting.from, ruleAt: at });
    }
  }
}
