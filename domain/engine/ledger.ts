/**
 * The working record of obligation occurrences while the engine walks a case's events: each
 * family of clocks opens occurrences and resolves them (met, waived, superseded).
 */
import type { ObligationKind } from '../kinds';

export type Resolution = { status: 'met' | 'waived' | 'superseded'; at: string };

/** How the deadline is counted, when the rule offers more than one deadline. */
export type DeadlineVariant = 'standard' | 'extended' | 'long-term';

/** An occurrence before its deadline is computed. */
export interface Draft {
  id: string;
  kind: ObligationKind;
  triggeredAt: string;
  /** For kinds counted back from a meeting: the meeting's (possibly postponed) date. */
  meetingAt?: string;
  /**
   * The instant whose rules count it, when not its trigger: a clock owed again when the overlay
   * that switched it off ended counts from its last trigger under the rules in force at the end.
   */
  ruleAt?: string;
  variant: DeadlineVariant;
  meetingId?: string;
  complaintId?: string;
  incidentId?: string;
  resolution?: Resolution;
}

export type NewDraft = Omit<Draft, 'id' | 'variant' | 'resolution'> & { id?: string; variant?: DeadlineVariant };

/** One family's occurrences: every one ever opened, and those still open. */
export class Ledger {
  readonly all: Draft[] = [];
  readonly #open = new Map<string, Draft>();
  readonly #ids = new Set<string>();

  /**
   * A ledger going on from a checkpoint: the occurrences open then (copied, as the walk resolves
   * them), and the ids given by facts that were used before it.
   */
  static resume(open: readonly Draft[], namedIds: readonly string[]): Ledger {
    const ledger = new Ledger();
    for (const id of namedIds) ledger.#ids.add(id);
    for (const draft of open) {
      const copy: Draft = { ...draft };
      ledger.#ids.add(copy.id);
      ledger.all.push(copy);
      ledger.#open.set(copy.id, copy);
    }
    return ledger;
  }

  /** Ids of occurrences opened under an id given by the facts (not `kind@triggeredAt`). */
  namedIds(): string[] {
    return [...this.#ids].filter((id) => !/^[a-z0-9-]+@\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(id));
  }

  /** Whether an occurrence with this id was ever opened (or named by a fact before a checkpoint). */
  knows(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Opens an occurrence; returns undefined if one with the same id already exists. */
  open(draft: NewDraft): Draft | undefined {
    const id = draft.id ?? `${draft.kind}@${draft.triggeredAt}`;
    if (this.#ids.has(id)) return undefined;
    const created: Draft = { ...draft, id, variant: draft.variant ?? 'standard' };
    this.#ids.add(id);
    this.all.push(created);
    this.#open.set(id, created);
    return created;
  }

  resolve(draft: Draft, status: Resolution['status'], at: string): void {
    if (draft.resolution) return;
    draft.resolution = { status, at };
    this.#open.delete(draft.id);
  }

  /** Open occurrences, oldest first, optionally of some kinds only. */
  openOf(...kinds: ObligationKind[]): Draft[] {
    const result: Draft[] = [];
    for (const d of this.#open.values()) if (kinds.length === 0 || kinds.includes(d.kind)) result.push(d);
    return result;
  }

  /** Resolves every open occurrence of these kinds (all kinds when none are given). */
  resolveAll(status: Resolution['status'], at: string, ...kinds: ObligationKind[]): Draft[] {
    const resolved = this.openOf(...kinds);
    for (const d of resolved) this.resolve(d, status, at);
    return resolved;
  }

  /** Marks an open occurrence waived; returns it, or undefined if it is not open in this ledger. */
  waive(obligationId: string, at: string): Draft | undefined {
    const draft = this.#open.get(obligationId);
    if (draft) this.resolve(draft, 'waived', at);
    return draft;
  }
}
