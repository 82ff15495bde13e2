/**
 * The case-record activities: appends a case's new timeline entries to the case-record store
 * (store/case-record-store.ts), outside Temporal. Idempotent by each entry's own id, so a retried
 * attempt (or a worker that died after the commit) never writes an entry twice. The case's summary,
 * where it stands as of these entries, is replaced in the same transaction (cases begun before
 * summaries send none).
 *
 * A recorded send (`deliverAndRecordCaseMessage`) sends a message and then writes its delivery,
 * the entries that waited in the case for it and the summary in one transaction: one activity, and
 * one workflow task to hear of it, where a send and a write took two of each.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { answerWithin } from '../common/deadline';
import { CaseRecordConflict, CaseRecordInvalid, type CaseRecordEntryInput, type CaseRecordStore } from '../store/case-record-store';
import type { CaseSummary } from '../store/case-summary';
import { CASE_RECORD_REFUSED_TYPE } from '../workflows/failure-types';
import { deliveryRecordEntry, type Delivery } from '../workflows/messages';
import { HEARTBEAT_EVERY_MS, type DeliverInput, type DeliveryReceipt } from './notifications';

export interface CaseRecordDeps {
  store: Pick<CaseRecordStore, 'append' | 'entry'>;
  /** How a recorded send sends its message: the worker's own email activity. */
  deliver: (input: DeliverInput) => Promise<DeliveryReceipt>;
}

/**
 * An entry as the workflow builds it: plain JSON in `data` (typed loosely here; the store checks
 * every entry with its schema before anything is written).
 */
export type CaseRecordEntryDraft = Omit<CaseRecordEntryInput, 'data'> & { data: Record<string, unknown> };

export interface StoreEntriesResult {
  /** Entries written now. */
  stored: number;
  /** Entries an earlier attempt had already written, left as they were. */
  alreadyThere: number;
}

/** A message to send, and what to write with its delivery: all fixed when the send is scheduled, so every attempt writes the same. */
export interface RecordedSendInput extends DeliverInput {
  record: {
    subject: 'case' | 'incident';
    caseId: string;
    /** The entries waiting in the case when the send was scheduled (the outcome that made it due, most often). */
    entries: CaseRecordEntryDraft[];
    /** The delivery but for when it went and the mail server's answer; `entryId` is where it is stored. */
    delivery: Omit<Delivery, 'sentAt' | 'outcome' | 'smtpResponse' | 'entryId'> & { entryId: string; to: string };
    /** The case's summary as it stands once the message has gone (its writtenAt becomes the delivery's). */
    summary: CaseSummary;
  };
}

export interface RecordedSendResult {
  /** The delivery as stored (an earlier attempt's, if one wrote it), or as made when the store did not take it. */
  delivery: Delivery;
  /** Whether the store holds the delivery, the entries and the summary; if not, the case writes them itself. */
  recorded: boolean;
  /** Entries written now. */
  stored: number;
}

/** How long a recorded send waits on the store, well inside its start-to-close timeout (a minute). */
export const RECORD_LIMIT_MS = 20_000;

/** The store's answer, or a failure once RECORD_LIMIT_MS have passed without one. */
const fromStore = <T>(work: Promise<T>): Promise<T> => answerWithin(RECORD_LIMIT_MS, work, () => new Error(`the case record store did not answer within ${RECORD_LIMIT_MS} ms`));

export function createCaseRecordActivities(deps: CaseRecordDeps) {
  /** The delivery an earlier attempt stored, if any; a store that cannot say soon counts as none (the message must not wait on the store). */
  async function storedDelivery(entryId: string): Promise<Delivery | undefined> {
    try {
      const entry = await fromStore(deps.store.entry(entryId));
      // Written by an earlier attempt of this very send, from the same input.
      return entry === undefined ? undefined : (entry.data['delivery'] as unknown as Delivery);
    } catch (err) {
      log.warn('case record store not read before a retried send', { entryId, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  return {
    async storeCaseEntries(entries: CaseRecordEntryDraft[], summary?: CaseSummary): Promise<StoreEntriesResult> {
      try {
        const result = await deps.store.append(entries as CaseRecordEntryInput[], summary);
        log.info('case record entries stored', { caseId: entries[0]?.caseId, ...result });
        return result;
      } catch (err) {
        // Refused for good: the workflow keeps the entries and shows the problem; a retry of the
        // same batch would be refused again. Anything else (store down) is retried.
        if (err instanceof CaseRecordInvalid || err instanceof CaseRecordConflict) {
          throw ApplicationFailure.nonRetryable(err.message, CASE_RECORD_REFUSED_TYPE);
        }
        throw err;
      }
    },

    /**
     * Sends the message (retried, refused and withdrawn as `deliverCaseMessage` is), then writes its
     * delivery with the entries and summary in one transaction. A retry after an attempt that sent
     * and wrote (its answer lost with its worker) finds the delivery stored and sends nothing again.
     * The message never waits on the store: a write that fails leaves the record to the case.
     */
    async deliverAndRecordCaseMessage({ message, to, record }: RecordedSendInput): Promise<RecordedSendResult> {
      const info = Context.current().info;
      if (info.attempt > 1) {
        const earlier = await storedDelivery(record.delivery.entryId);
        if (earlier) return { delivery: earlier, recorded: true, stored: 0 };
      }
      const receipt = await deps.deliver({ message, to });
      // Temporal's time for this attempt, as the case's own clock reads it.
      const sentAt = new Date(info.currentAttemptScheduledTimestampMs).toISOString();
      const delivery: Delivery = { ...record.delivery, sentAt, outcome: 'delivered', smtpResponse: receipt.smtpResponse };
      const entries = [...record.entries, deliveryRecordEntry(record.subject, record.caseId, record.delivery.entryId, delivery)];
      // Heartbeats go on while the record is written, so Temporal does not take a slow write for a
      // dead worker and send the message again.
      const activity = Context.current();
      const alive = setInterval(() => activity.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        // A write given up on here may still land: the case's own write of the same entries then finds them there.
        const result = await fromStore(deps.store.append(entries as CaseRecordEntryInput[], { ...record.summary, writtenAt: sentAt }));
        log.info('message delivered and recorded', { caseId: record.caseId, messageId: message.messageId, ...result });
        return { delivery, recorded: true, stored: result.stored };
      } catch (err) {
        // Another attempt stored this delivery (and, in the same transaction, the rest): its delivery stands.
        if (err instanceof CaseRecordConflict) {
          const earlier = await storedDelivery(record.delivery.entryId);
          if (earlier) return { delivery: earlier, recorded: true, stored: 0 };
        }
        log.warn('message delivered; its record is left to the case', { caseId: record.caseId, messageId: message.messageId, error: err instanceof Error ? err.message : String(err) });
        return { delivery, recorded: false, stored: 0 };
      } finally {
        clearInterval(alive);
      }
    },
  };
}

export type CaseRecordActivities = ReturnType<typeof createCaseRecordActivities>;
