/**
 * Email activities: reminders, escalations and notices over SMTP with nodemailer.
 * Built by a factory that takes the transport, so tests hand in a transport to a real SMTP server.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import { PERMANENT_REJECTION_TYPE } from '../workflows/failure-types';
import { renderMessage, type CaseMessage } from './render-message';

export interface NotificationDeps {
  transport: Transporter;
  from: string;
  /** Public URL of the console, for the link in each email. */
  consoleUrl: string;
}

export interface DeliverInput {
  message: CaseMessage;
  to: { email: string; name: string };
}

export interface DeliveryReceipt {
  messageId: string;
  /** The SMTP server's answer to the message, kept on the timeline as proof of delivery. */
  smtpResponse: string;
  accepted: string[];
}

/**
 * A stable RFC 5322 Message-ID from the case, obligation occurrence, type and level: a retried
 * activity sends the same id, so mail systems that de-duplicate by Message-ID show one copy.
 */
export function rfcMessageId(messageId: string): string {
  return `<${createHash('sha256').update(messageId).digest('hex').slice(0, 32)}@caseclock>`;
}

/** How often a sending activity tells Temporal it is alive (well inside the workflow's heartbeat timeout). */
export const HEARTBEAT_EVERY_MS = 3_000;

export function createNotificationActivities(deps: NotificationDeps) {
  return {
    async deliverCaseMessage({ message, to }: DeliverInput): Promise<DeliveryReceipt> {
      const activity = Context.current();
      // Temporal's time for this attempt (a retry goes later than planned), so the wording is true when it is sent.
      const attemptAt = new Date(activity.info.currentAttemptScheduledTimestampMs).toISOString();
      const rendered = renderMessage(message, deps.consoleUrl, attemptAt, to.name);
      // Heartbeats let Temporal notice a worker that died mid-send within the heartbeat timeout
      // and retry elsewhere, instead of waiting out the whole start-to-close timeout.
      activity.heartbeat();
      const alive = setInterval(() => activity.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const info = await deps.transport.sendMail({
          from: deps.from,
          to: { name: to.name, address: to.email },
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: rfcMessageId(message.messageId),
          headers: {
            'X-CaseClock-Message': message.messageId,
            'X-CaseClock-Case': message.caseReference,
          },
        });
        log.info('message delivered', { messageId: message.messageId, caseId: message.caseId, type: message.type });
        return {
          messageId: message.messageId,
          smtpResponse: String(info.response ?? ''),
          accepted: ((info.accepted ?? []) as Array<string | { address: string }>).map((a) => (typeof a === 'string' ? a : a.address)),
        };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const response = String((err as { response?: string }).response ?? (err as Error).message);
        if (typeof code === 'number' && code >= 500 && code < 600) {
          // The server refuses this for good: retrying would never succeed; the workflow shows it on the case.
          throw ApplicationFailure.nonRetryable(`SMTP server refused the message: ${response}`, PERMANENT_REJECTION_TYPE, {
            smtpResponse: response,
          });
        }
        if (activity.cancellationSignal.aborted) {
          // The case withdrew this send while the attempt was under way, and the mail server did
          // not take it: report it withdrawn, so the case stops retrying and records why.
          throw new CancelledFailure('withdrawn by the case before the mail server accepted it');
        }
        log.warn('message not delivered yet, will retry', { messageId: message.messageId, caseId: message.caseId, code });
        throw err;
      } finally {
        clearInterval(alive);
      }
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
