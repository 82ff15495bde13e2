/**
 * The case's facts: who and what the case is, the policy versions frozen into it, the events
 * recorded, the messages delivered, the notes, and the settled part (checkpoint) standing for
 * older events. Everything here is carried across continue-as-new. Every change goes through a
 * `record*` method (events stamped with workflow time) and moves `revision` on, so nothing
 * changes silently: the engine's cache and the main loop watch it.
 */
import type { CaseCheckpoint } from '../../domain/engine';
import type { CaseEvent } from '../../domain/facts';
import type { RiskTier } from '../../domain/kinds';
import type { PolicySnapshot } from '../../domain/policy';
import { canonicalJson } from '../../domain/canonical-json';
import { frozenPolicy, type PolicyRef } from '../../domain/policy-library';
import { eventsStandingFor, type EarlierFacts } from '../../domain/settled';
import type { CaseDetails, CaseSource, CaseWorkflowInput, Delivery, RecordedEvent, TimelineEntry } from '../messages';

/** The part of a case's input (and of its next run's) that is its facts. */
export type CarriedFacts = Pick<CaseWorkflowInput, 'subject' | 'linkedCaseId' | 'caseId' | 'details' | 'openedAt' | 'openedBy' | 'source' | 'policies' | 'events' | 'deliveries' | 'notes'>;

/** What settling leaves of the case: see workflows/case-record/settle.ts. */
export interface Settlement {
  checkpoint: CaseCheckpoint;
  earlierFacts: EarlierFacts;
  events: RecordedEvent[];
  deliveries: Delivery[];
}

export class CaseFacts {
  readonly subject: 'case' | 'incident';
  readonly linkedCaseId: string | undefined;
  readonly caseId: string;
  private currentDetails: CaseDetails;
  readonly openedAt: string;
  readonly openedBy: string;
  /** The case system's child, when the SSD sync opened the case. */
  readonly source: CaseSource | undefined;
  /** As carried: library versions by reference, others whole. */
  private readonly policies: Array<PolicySnapshot | PolicyRef>;
  /** The same, each a snapshot (library versions shared with every other case). */
  private readonly policySnapshots: PolicySnapshot[];
  readonly events: RecordedEvent[];
  readonly deliveries: Delivery[];
  readonly notes: TimelineEntry[];
  /** The settled part of the case; undefined until it first settles. */
  private settledPart: CaseCheckpoint | undefined;
  private earlier: EarlierFacts | undefined;
  /** Moves on with every change of what the engine reads (adding a policy version alone does not). */
  revision = 0;

  constructor(input: CaseWorkflowInput) {
    this.subject = input.subject ?? 'case';
    this.linkedCaseId = input.linkedCaseId;
    this.caseId = input.caseId;
    this.currentDetails = input.details;
    this.openedAt = input.openedAt;
    this.openedBy = input.openedBy;
    this.source = input.source;
    this.policies = [...input.policies];
    this.policySnapshots = this.policies.map(snapshotOf);
    this.events = [...input.events];
    this.deliveries = [...input.deliveries];
    this.notes = [...input.notes];
    this.settledPart = input.checkpoint;
    this.earlier = input.earlierFacts;
  }

  /** The facts as the next run's input carries them: plain JSON. */
  carried(): CarriedFacts {
    return {
      subject: this.subject,
      ...(this.linkedCaseId ? { linkedCaseId: this.linkedCaseId } : {}),
      caseId: this.caseId,
      details: this.details,
      openedAt: this.openedAt,
      openedBy: this.openedBy,
      ...(this.source ? { source: this.source } : {}),
      policies: this.policies,
      events: this.events,
      deliveries: this.deliveries,
      notes: this.notes,
    };
  }

  get details(): CaseDetails {
    return this.currentDetails;
  }

  get snapshots(): readonly PolicySnapshot[] {
    return this.policySnapshots;
  }

  /** The settled part, if the case has settled. */
  get checkpoint(): CaseCheckpoint | undefined {
    return this.settledPart;
  }

  /** What the consistency rules still need of the settled events. */
  get earlierFacts(): EarlierFacts | undefined {
    return this.earlier;
  }

  /** The earliest instant an event may be dated: after the settled part (undefined: the opening). */
  get settledUntil(): string | undefined {
    return this.settledPart?.at;
  }

  /** Whether the case holds this very event (the same facts, whenever recorded) among those it carries. */
  holdsEvent(event: CaseEvent): boolean {
    const sought = canonicalJson(event);
    return this.events.some(({ recordedAt: _recordedAt, ...held }) => canonicalJson(held) === sought);
  }

  recordEvent(event: CaseEvent, now: string): void {
    this.events.push(Object.assign({}, event, { recordedAt: now }));
    this.revision++;
  }

  recordDelivery(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.revision++;
  }

  recordNote(note: TimelineEntry): void {
    this.notes.push(note);
    this.revision++;
  }

  /** New details and contacts, with the note that says so. */
  changeDetails(details: CaseDetails, note: TimelineEntry): void {
    this.currentDetails = details;
    this.recordNote(note);
  }

  /** A policy version to evaluate under (its `policy-applied` event is recorded beside it). */
  addPolicy(snapshot: PolicySnapshot): void {
    if (!this.policySnapshots.some((p) => p.version === snapshot.version)) {
      this.policies.push(snapshot);
      this.policySnapshots.push(snapshot);
    }
  }

  /** Older events and deliveries give way to the checkpoint standing for them; notes all go (they are stored). */
  settle(settlement: Settlement): void {
    this.settledPart = settlement.checkpoint;
    this.earlier = settlement.earlierFacts;
    this.events.splice(0, this.events.length, ...settlement.events);
    this.deliveries.splice(0, this.deliveries.length, ...settlement.deliveries);
    this.notes.splice(0, this.notes.length);
    this.revision++;
  }

  /** The events the consistency rules check a new one against: those standing for the settled part, then the carried ones. */
  eventsForRules(): RecordedEvent[] {
    const checkpoint = this.settledPart;
    return checkpoint ? [...eventsStandingFor(checkpoint, this.earlier ?? { firstAt: {} }, this.caseId), ...this.events] : this.events;
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
    let version = this.checkpoint?.applications.at(-1)?.policyVersion ?? this.policySnapshots[0]?.version ?? 'unknown';
    for (const e of this.events) if (e.type === 'policy-applied') version = e.policyVersion;
    return version;
  }

  /** Whether staff have acknowledged this escalation level of this obligation. */
  isAcknowledged(obligationId: string, level: number): boolean {
    if (this.checkpoint?.acknowledged[obligationId]?.includes(level)) return true;
    return this.events.some((e) => e.type === 'escalation-acknowledged' && e.obligationId === obligationId && e.level === level);
  }
}

/** A carried policy as a snapshot: a reference is looked up in the policy library. */
function snapshotOf(policy: PolicySnapshot | PolicyRef): PolicySnapshot {
  return 'baseline' in policy ? policy : frozenPolicy(policy);
}
