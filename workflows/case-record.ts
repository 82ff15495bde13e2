/**
 * The state of one case inside its workflow: the facts recorded, the policy snapshots frozen into
 * it, and the messages delivered. Every change goes through `record*`, which stamps workflow time,
 * so the timeline misses nothing. Deadlines come from the pure engine; this class only keeps facts.
 */
import { checkpointCase, evaluateCase, type CaseCheckpoint, type CaseEvaluation, type DueMessage, type Obligation } from '../domain/engine';
import { canonicalInstant as canonical } from '../domain/engine/context';
import { eventsStandingFor, foldEarlierFacts, type EarlierFacts } from '../domain/settled';
import { problemsWithEvent, type Problem } from '../domain/consistency';
import type { CaseEvent } from '../domain/facts';
import type { RiskTier } from '../domain/kinds';
import type { PolicySnapshot } from '../domain/policy';
import { frozenPolicy, type PolicyRef } from '../domain/policy-library';
import type { CaseMessage } from '../activities/render-message';
import type { CaseRecordEntryDraft } from '../activities/case-record';
import {
  type CaseDetails,
  type CaseAnswer,
  type CaseState,
  type CaseWorkflowInput,
  type Delivery,
  describeMessageKind,
  type ObligationOutcome,
  type RecordedEvent,
  type StoredMarks,
  type TimelineEntry,
} from './messages';

/**
 * How long a case keeps its events open to late recording: at continue-as-new, what happened
 * before this many days ago is settled into the checkpoint (events dated before then are refused).
 */
export const SETTLE_AFTER_DAYS = 90;

/** Most entries written to the case-record store at once (a case migrating its past writes several batches). */
export const STORE_BATCH_ENTRIES = 200;

/** One batch on its way to the case-record store, and the marks it reaches once stored. */
export interface StoreBatch {
  entries: CaseRecordEntryDraft[];
  reaches: Pick<StoredMarks, 'events' | 'deliveries' | 'notes'> & { outcomes: number; outcomesTaken: number };
}

export class CaseRecord {
  readonly subject: 'case' | 'incident';
  readonly linkedCaseId: string | undefined;
  readonly caseId: string;
  details: CaseDetails;
  readonly openedAt: string;
  readonly openedBy: string;
  /** As carried: library versions by reference, others whole. */
  private readonly policies: Array<PolicySnapshot | PolicyRef>;
  /** The same, each a snapshot (library versions shared with every other case). */
  private readonly snapshots: PolicySnapshot[];
  readonly events: RecordedEvent[];
  readonly deliveries: Delivery[];
  readonly notes: TimelineEntry[];
  /** Set by every change; the main loop re-evaluates when it sees it. */
  changed = false;
  /**
   * Messages being sent now (their activity started, no outcome yet), by message id. The engine
   * counts them as sent, so none is asked for twice; never carried across continue-as-new,
   * which waits until this is empty.
   */
  private readonly sending = new Map<string, DueMessage>();
  private cached?: { now: string; evaluation: CaseEvaluation };
  /** What the case-record store holds of this case; see StoredMarks. */
  private stored: StoredMarks;
  /** Outcomes noted, oldest first, not yet stored. */
  private outcomesToStore: ObligationOutcome[];
  /** Whether this run writes its record to the case-record store (runs of older code do not). */
  keepsStoreRecord = false;
  /** The settled part of the case (see `settle`); undefined until it first settles. */
  private checkpoint: CaseCheckpoint | undefined;
  private earlierFacts: EarlierFacts | undefined;
  /** Store numbering of the first entry of each list. */
  private entryBase: { events: number; deliveries: number; notes: number };

  constructor(input: CaseWorkflowInput) {
    this.subject = input.subject ?? 'case';
    this.linkedCaseId = input.linkedCaseId;
    this.caseId = input.caseId;
    this.details = input.details;
    this.openedAt = input.openedAt;
    this.openedBy = input.openedBy;
    this.policies = [...input.policies];
    this.snapshots = this.policies.map(snapshotOf);
    this.events = [...input.events];
    this.deliveries = [...input.deliveries];
    this.notes = [...input.notes];
    this.stored = input.stored ?? { events: 0, deliveries: 0, notes: 0, outcomes: 0, lastOutcome: {} };
    this.outcomesToStore = [...(input.outcomesToStore ?? [])];
    this.checkpoint = input.checkpoint;
    this.earlierFacts = input.earlierFacts;
    this.entryBase = input.entryBase ?? { events: 0, deliveries: 0, notes: 0 };
  }

  /** What the case carries across continue-as-new: nothing lost, plain JSON. */
  toInput(): CaseWorkflowInput {
    return {
      subject: this.subject,
      ...(this.linkedCaseId ? { linkedCaseId: this.linkedCaseId } : {}),
      caseId: this.caseId,
      details: this.details,
      openedAt: this.openedAt,
      openedBy: this.openedBy,
      policies: this.policies,
      events: this.events,
      deliveries: this.deliveries,
      notes: this.notes,
      ...(this.keepsStoreRecord ? { stored: this.stored, outcomesToStore: this.outcomesToStore } : {}),
      ...(this.checkpoint ? { checkpoint: this.checkpoint, earlierFacts: this.earlierFacts ?? { firstAt: {} }, entryBase: this.entryBase } : {}),
    };
  }

  /**
   * Settles everything up to `cut` into the checkpoint, so the case carries only its live state
   * and its events after `cut`: a case open for eighteen years carries no more than one open for
   * one. Only when the store holds the whole record (what is settled is read from there); returns
   * whether it settled. Deliveries stay while the engine may still plan their messages (their
   * obligation still open, or a conference notice still pending); notes all go (they are stored).
   */
  settle(cut: string, now: string): boolean {
    if (!this.keepsStoreRecord || this.closed || this.entriesWaitingForStore > 0 || this.sending.size > 0) return false;
    if (cut <= this.openedAt || (this.checkpoint && cut <= this.checkpoint.at)) return false;
    const settling = this.events.filter((e) => canonical(e.at) <= cut);
    if (settling.length === 0) return false;
    const checkpoint = checkpointCase(
      {
        ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}),
        facts: { caseId: this.caseId, openedAt: this.openedAt, events: this.events, sent: this.deliveries },
        policies: this.snapshots,
        now,
      },
      cut,
    );
    const openIds = new Set(checkpoint.open.map((o) => o.draft.id));
    const pendingNotices = checkpoint.changes.map((c) => `${this.caseId}/notice/${c.meetingId}/${c.change}@${c.at}/`);
    const keepEvents = this.events.filter((e) => canonical(e.at) > cut);
    const keepDeliveries = this.deliveries.filter(
      (d) => d.sentAt > cut || (d.obligationId !== undefined && openIds.has(d.obligationId)) || pendingNotices.some((p) => d.messageId.startsWith(p)),
    );
    // Everything here is stored (checked above): the store numbering goes on where it was.
    this.entryBase = {
      events: this.entryBase.events + this.events.length - keepEvents.length,
      deliveries: this.entryBase.deliveries + this.deliveries.length - keepDeliveries.length,
      notes: this.entryBase.notes + this.notes.length,
    };
    this.earlierFacts = foldEarlierFacts(this.earlierFacts, settling);
    this.checkpoint = checkpoint;
    this.events.splice(0, this.events.length, ...keepEvents);
    this.deliveries.splice(0, this.deliveries.length, ...keepDeliveries);
    this.notes.splice(0, this.notes.length);
    this.stored = { ...this.stored, events: keepEvents.length, deliveries: keepDeliveries.length, notes: 0 };
    this.touch();
    // Outcomes are remembered only for occurrences the engine can still report.
    const still = new Set(this.evaluate(now).obligations.map((o) => o.id));
    this.stored.lastOutcome = Object.fromEntries(Object.entries(this.stored.lastOutcome).filter(([id]) => still.has(id)));
    return true;
  }

  /** The earliest instant an event may be dated: after the settled part (undefined: the opening). */
  get settledUntil(): string | undefined {
    return this.checkpoint?.at;
  }

  /**
   * Notes each obligation whose status or deadline changed since it was last noted (a new one
   * included), for the case record: the reports read outcomes from the store, never from Temporal.
   */
  noteOutcomes(obligations: readonly Obligation[], now: string): void {
    if (!this.keepsStoreRecord) return;
    const team = this.details.team;
    const tier = this.tier ?? 'UNRATED';
    for (const o of obligations) {
      // While on hold an occurrence's deadline moves with time: noted once on hold, then once resumed.
      const key = `${o.status}|${o.onHold ? 'on hold' : o.dueAt}`;
      if (this.stored.lastOutcome[o.id] === key) continue;
      this.stored.lastOutcome[o.id] = key;
      this.outcomesToStore.push({
        at: o.resolvedAt ?? now,
        recordedAt: now,
        team,
        tier,
        obligation: {
          id: o.id,
          kind: o.kind,
          title: o.title,
          triggeredAt: o.triggeredAt,
          dueAt: o.dueAt,
          status: o.status,
          ...(o.lateByMs === undefined ? {} : { lateByMs: o.lateByMs }),
          ...(o.resolvedAt === undefined ? {} : { resolvedAt: o.resolvedAt }),
        },
      });
    }
  }

  /**
   * The oldest entries the case-record store does not hold yet (at most STORE_BATCH_ENTRIES), or
   * undefined when it holds everything. Entry ids are the entry's place in the case's own lists,
   * which only ever grow, so a batch sent again carries the same ids and the store keeps one copy.
   */
  nextStoreBatch(): StoreBatch | undefined {
    const entries: CaseRecordEntryDraft[] = [];
    const room = () => STORE_BATCH_ENTRIES - entries.length;
    const prefix = `${this.subject}:${this.caseId}`;
    const common = { caseId: this.caseId, subject: this.subject } as const;
    const reaches = { ...this.stored, outcomesTaken: 0 };
    for (; reaches.events < this.events.length && room() > 0; reaches.events++) {
      const event = this.events[reaches.events]!;
      entries.push({
        ...common,
        entryId: `${prefix}:event:${this.entryBase.events + reaches.events}`,
        kind: event.type === 'policy-applied' ? 'policy' : 'event',
        at: event.at,
        recordedAt: event.recordedAt ?? event.at,
        by: event.by,
        summary: describeEvent(event),
        data: { event },
      });
    }
    for (; reaches.deliveries < this.deliveries.length && room() > 0; reaches.deliveries++) {
      const delivery = this.deliveries[reaches.deliveries]!;
      entries.push({
        ...common,
        entryId: `${prefix}:message:${this.entryBase.deliveries + reaches.deliveries}`,
        kind: 'message',
        at: delivery.sentAt,
        recordedAt: delivery.sentAt,
        by: 'caseclock',
        summary: describeDelivery(delivery),
        data: { delivery },
      });
    }
    for (; reaches.notes < this.notes.length && room() > 0; reaches.notes++) {
      const note = this.notes[reaches.notes]!;
      entries.push({
        ...common,
        entryId: `${prefix}:note:${this.entryBase.notes + reaches.notes}`,
        kind: 'note',
        at: note.at,
        recordedAt: note.recordedAt,
        by: note.by,
        summary: note.summary,
        data: { entry: note.entry },
      });
    }
    for (; reaches.outcomesTaken < this.outcomesToStore.length && room() > 0; reaches.outcomesTaken++) {
      const outcome = this.outcomesToStore[reaches.outcomesTaken]!;
      entries.push({
        ...common,
        entryId: `${prefix}:outcome:${reaches.outcomes + reaches.outcomesTaken}`,
        kind: 'outcome',
        at: outcome.at,
        recordedAt: outcome.recordedAt,
        by: 'caseclock',
        summary: describeOutcome(outcome),
        // seq orders one obligation's outcomes (several may be noted at one workflow instant).
        data: { seq: reaches.outcomes + reaches.outcomesTaken, team: outcome.team, tier: outcome.tier, obligation: outcome.obligation },
      });
    }
    if (entries.length === 0) return undefined;
    return { entries, reaches: { ...reaches, outcomes: reaches.outcomes + reaches.outcomesTaken } };
  }

  /** The store has a batch: the marks move on (nothing else changes, so no re-evaluation). */
  batchStored(batch: StoreBatch): void {
    const { events, deliveries, notes, outcomes, outcomesTaken } = batch.reaches;
    this.stored = { events, deliveries, notes, outcomes, lastOutcome: this.stored.lastOutcome };
    this.outcomesToStore = this.outcomesToStore.slice(outcomesTaken);
    this.changed = true;
  }

  /** Entries the store does not hold yet (for the case page: a store that is down shows here). */
  get entriesWaitingForStore(): number {
    return (
      this.events.length - this.stored.events +
      (this.deliveries.length - this.stored.deliveries) +
      (this.notes.length - this.stored.notes) +
      this.outcomesToStore.length
    );
  }

  /**
   * The engine's answer at `now`. Between wake-ups nothing the engine answers moves with time
   * alone (every instant at which something falls due is a wake-up), so an evaluation stays good
   * from its instant until its `nextWakeAt` or the next change, and the case is evaluated at most
   * once per wake-up, however often the loop turns (a send ending, a write to the store). A held
   * occurrence's deadline moves with time, so then only the same instant reuses it.
   */
  evaluate(now: string): CaseEvaluation {
    const cached = this.cached;
    if (cached && (cached.now === now || this.stillGood(cached, now))) return cached.evaluation;
    const evaluation = evaluateCase({
      facts: { caseId: this.caseId, openedAt: this.openedAt, events: this.events, sent: this.sentOrSending() },
      policies: this.snapshots,
      now,
      ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}),
    });
    this.cached = { now, evaluation };
    return evaluation;
  }

  private stillGood(cached: { now: string; evaluation: CaseEvaluation }, now: string): boolean {
    const { nextWakeAt, open } = cached.evaluation;
    return now > cached.now && (nextWakeAt === null || now < nextWakeAt) && !open.some((o) => o.onHold);
  }

  problemsWith(event: CaseEvent, now: string): Problem[] {
    const checkpoint = this.checkpoint;
    const events = checkpoint ? [...eventsStandingFor(checkpoint, this.earlierFacts ?? { firstAt: {} }, this.caseId), ...this.events] : this.events;
    const problems = problemsWithEvent({ subject: this.subject, openedAt: this.openedAt, events, open: this.evaluate(now).open }, event, now);
    if (checkpoint && event.at <= checkpoint.at && !problems.some((p) => p.field === 'at')) {
      problems.push({
        field: 'at',
        message: `is on or before ${checkpoint.at}: the case's clocks are settled up to then (it keeps ${SETTLE_AFTER_DAYS} days open to late recording)`,
      });
    }
    return problems;
  }

  recordEvent(event: CaseEvent, now: string): void {
    this.events.push(Object.assign({}, event, { recordedAt: now }));
    this.touch();
  }

  /** Delivered, given up on, or being sent now: what the engine must not ask for again. */
  private sentOrSending(): Array<{ messageId: string; sentAt: string }> {
    if (this.sending.size === 0) return this.deliveries;
    return [...this.deliveries, ...[...this.sending.values()].map((due) => ({ messageId: due.messageId, sentAt: due.sendAt }))];
  }

  /** A message's send has started; it stays in flight until `finishSending`. */
  startSending(due: DueMessage): void {
    this.sending.set(due.messageId, due);
    // In flight, a message counts as sent; that changes only what is due now (every message in
    // flight is past its time, so no wake-up moves), so the cached evaluation drops it instead
    // of the case being evaluated again.
    const cached = this.cached;
    if (cached) {
      const messagesDue = cached.evaluation.messagesDue.filter((m) => m.messageId !== due.messageId);
      this.cached = { now: cached.now, evaluation: { ...cached.evaluation, messagesDue } };
    }
  }

  isSending(messageId: string): boolean {
    return this.sending.has(messageId);
  }

  /** Whether staff have acknowledged this escalation level of this obligation. */
  isAcknowledged(obligationId: string, level: number): boolean {
    if (this.checkpoint?.acknowledged[obligationId]?.includes(level)) return true;
    return this.events.some((e) => e.type === 'escalation-acknowledged' && e.obligationId === obligationId && e.level === level);
  }

  /** Messages in flight now, oldest first. */
  inFlight(): DueMessage[] {
    return [...this.sending.values()];
  }

  /**
   * A send has ended: with a delivery (delivered, or undeliverable for good), or withdrawn with a
   * note because what it was about no longer needs it. In one step, so the message is never
   * neither in flight nor recorded.
   */
  finishSending(messageId: string, outcome: { delivery: Delivery } | { withdrawn: TimelineEntry }): void {
    this.sending.delete(messageId);
    if ('delivery' in outcome) this.recordDelivery(outcome.delivery);
    else this.recordNote(outcome.withdrawn);
  }

  recordDelivery(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.touch();
  }

  recordNote(note: TimelineEntry, change?: () => void): void {
    change?.();
    this.notes.push(note);
    this.touch();
  }

  addPolicy(snapshot: PolicySnapshot): void {
    if (!this.snapshots.some((p) => p.version === snapshot.version)) {
      this.policies.push(snapshot);
      this.snapshots.push(snapshot);
    }
  }

  private touch(): void {
    this.changed = true;
    this.cached = undefined;
  }

  get closed(): boolean {
    return this.events.some((e) => e.type === 'case-closed');
  }

  get tier(): RiskTier | null {
    let tier: RiskTier | null = this.checkpoint?.families.tier.tier ?? null;
    let at = '';
    for (const e of this.events) if (e.type === 'tier-set' && e.at >= at) ({ tier, at } = e);
    return tier;
  }

  get policyVersion(): string {
    let version = this.checkpoint?.applications.at(-1)?.policyVersion ?? this.snapshots[0]?.version ?? 'unknown';
    for (const e of this.events) if (e.type === 'policy-applied') version = e.policyVersion;
    return version;
  }

  state(now: string): CaseState {
    const evaluation = this.evaluate(now);
    return {
      subject: this.subject,
      ...(this.linkedCaseId ? { linkedCaseId: this.linkedCaseId } : {}),
      caseId: this.caseId,
      details: this.details,
      openedAt: this.openedAt,
      status: this.closed ? 'closed' : 'open',
      tier: this.tier,
      policyVersion: this.policyVersion,
      open: evaluation.open,
      overdueCount: evaluation.overdueCount,
      nextDueAt: evaluation.nextDueAt,
      nextWakeAt: evaluation.nextWakeAt,
      undeliverable: this.deliveries.filter((d) => d.outcome === 'undeliverable'),
      sending: this.inFlight().map((d) => ({ messageId: d.messageId, type: d.type, level: d.level, role: d.role, sendAt: d.sendAt })),
      ...(this.keepsStoreRecord ? { waitingForStore: this.entriesWaitingForStore, notYetInRecord: this.notYetInRecord() } : {}),
      warnings: evaluation.warnings,
    };
  }

  /** The small answer an update gives: see CaseAnswer. */
  answer(now: string): CaseAnswer {
    const evaluation = this.evaluate(now);
    return {
      caseId: this.caseId,
      status: this.closed ? 'closed' : 'open',
      tier: this.tier,
      openCount: evaluation.open.length,
      overdueCount: evaluation.overdueCount,
      nextDueAt: evaluation.nextDueAt,
      ...(this.keepsStoreRecord ? { waitingForStore: this.entriesWaitingForStore } : {}),
      warnings: evaluation.warnings,
    };
  }

  /** The email for one due message, with what it is about, and the person it goes to. */
  messageFor(due: DueMessage, now: string): { message: CaseMessage; to?: { email: string; name: string } } {
    const obligation = due.obligationId ? this.evaluate(now).obligations.find((o) => o.id === due.obligationId) : undefined;
    const meetingEvent = due.meetingId ? this.meetingChange(due.meetingId) : undefined;
    const contact = this.details.contacts[due.role];
    return {
      message: {
        messageId: due.messageId,
        caseId: this.caseId,
        caseReference: this.details.reference,
        team: this.details.team,
        type: due.type,
        level: due.level,
        repeat: due.repeat,
        role: due.role,
        sendAt: due.sendAt,
        ...(obligation
          ? {
              obligation: {
                id: obligation.id,
                kind: obligation.kind,
                title: obligation.title,
                dueAt: obligation.dueAt,
                basis: obligation.basis.reference,
              },
            }
          : {}),
        ...(meetingEvent ? { meeting: meetingEvent } : {}),
      },
      ...(contact ? { to: { email: contact.email, name: contact.name } } : {}),
    };
  }

  private meetingChange(meetingId: string): CaseMessage['meeting'] | undefined {
    let scheduled: Extract<CaseEvent, { type: 'meeting-scheduled' }> | undefined;
    let scheduledFor: string | undefined;
    let change: CaseMessage['meeting'] | undefined;
    for (const e of this.events) {
      if (e.type === 'meeting-scheduled' && e.meetingId === meetingId) {
        scheduled = e;
        scheduledFor = e.scheduledFor;
      } else if (e.type === 'meeting-postponed' && e.meetingId === meetingId && scheduled) {
        change = { meetingId, meetingType: scheduled.meetingType, change: 'postponed', scheduledFor, newDate: e.newDate };
        scheduledFor = e.newDate;
      } else if (e.type === 'meeting-cancelled' && e.meetingId === meetingId && scheduled) {
        change = { meetingId, meetingType: scheduled.meetingType, change: 'cancelled', scheduledFor };
      }
    }
    return change;
  }

  /** The timeline entries from where the store's record ends, with the ids they are stored under. */
  private notYetInRecord(): TimelineEntry[] {
    const prefix = `${this.subject}:${this.caseId}`;
    const entries: TimelineEntry[] = [];
    for (let i = this.stored.events; i < this.events.length; i++) {
      const event = this.events[i]!;
      entries.push({ entryId: `${prefix}:event:${this.entryBase.events + i}`, ...eventEntry(event) });
    }
    for (let i = this.stored.deliveries; i < this.deliveries.length; i++) {
      entries.push({ entryId: `${prefix}:message:${this.entryBase.deliveries + i}`, ...deliveryEntry(this.deliveries[i]!) });
    }
    for (let i = this.stored.notes; i < this.notes.length; i++) entries.push({ entryId: `${prefix}:note:${this.entryBase.notes + i}`, ...this.notes[i]! });
    return entries;
  }

  timeline(): TimelineEntry[] {
    const entries: TimelineEntry[] = [
      ...this.events.map(eventEntry),
      ...this.deliveries.map(deliveryEntry),
      ...this.notes,
    ];
    return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}

function eventEntry(event: RecordedEvent): TimelineEntry {
  return {
    at: event.at,
    recordedAt: event.recordedAt ?? event.at,
    by: event.by,
    entry: event.type === 'policy-applied' ? 'policy' : 'event',
    summary: describeEvent(event),
    event,
  };
}

function deliveryEntry(delivery: Delivery): TimelineEntry {
  return { at: delivery.sentAt, recordedAt: delivery.sentAt, by: 'caseclock', entry: 'message', summary: describeDelivery(delivery), delivery };
}

/** A carried policy as a snapshot: a reference is looked up in the policy library. */
function snapshotOf(policy: PolicySnapshot | PolicyRef): PolicySnapshot {
  return 'baseline' in policy ? policy : frozenPolicy(policy);
}

export function describeEvent(e: CaseEvent): string {
  switch (e.type) {
    case 'tier-set':
      return `Risk tier set to ${e.tier}`;
    case 'contact':
      return e.contactType === 'visit'
        ? `Visit${e.childSeenAlone === undefined ? '' : e.childSeenAlone ? ' (child seen alone)' : ' (child not seen alone)'}`
        : e.contactType === 'kit-call'
          ? 'Keeping-in-touch call'
          : 'Other contact';
    case 'meeting-scheduled':
      return `${e.meetingType} ${e.meetingId} scheduled for ${e.scheduledFor}`;
    case 'meeting-postponed':
      return `Meeting ${e.meetingId} postponed to ${e.newDate}`;
    case 'meeting-cancelled':
      return `Meeting ${e.meetingId} cancelled`;
    case 'meeting-held':
      return `${e.meetingType}${e.meetingId ? ` ${e.meetingId}` : ''} held${e.outcome ? ` (${e.outcome})` : ''}`;
    case 'obligation-waived':
      return `Obligation ${e.obligationId} waived`;
    case 'escalation-acknowledged':
      return `Escalation level ${e.level} of ${e.obligationId} acknowledged`;
    case 'hold-started':
      return `Clock ${e.kind ?? '(all)'} put on hold (${e.holdId})`;
    case 'hold-ended':
      return `Hold ${e.holdId} ended`;
    case 'policy-applied':
      return `Policy ${e.policyVersion} applied (${e.mode})`;
    case 'case-closed':
      return 'Case closed';
    default:
      return e.type.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }
}

function describeOutcome({ obligation: o }: ObligationOutcome): string {
  const what = `${o.title} (${o.id})`;
  if (o.status === 'open') return `${what} due by ${o.dueAt}`;
  if (o.status === 'met') return o.lateByMs ? `${what} met after its deadline ${o.dueAt}` : `${what} met on time`;
  return `${what} ${o.status}`;
}

function describeDelivery(d: Delivery): string {
  const what = describeMessageKind(d);
  return d.outcome === 'delivered'
    ? `${what} sent to ${d.role}${d.kind ? ` (${d.kind})` : ''}`
    : `${what} to ${d.role} could not be delivered: ${d.reason ?? 'unknown reason'}`;
}
