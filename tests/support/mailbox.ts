/**
 * A real SMTP server in the test process (smtp-server), collecting every message it accepts,
 * parsed with mailparser. It can refuse chosen addresses for good (550) to test undeliverable mail,
 * and hold chosen messages unanswered so a drill can kill the sender mid-delivery.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createNotificationActivities, type NotificationActivities } from '../../activities/notifications';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  caseMessageId: string;
  /** Header X-CaseClock-Case: the case reference. */
  caseReference: string;
  /** When the server accepted it (its 250), in epoch milliseconds. */
  receivedAt: number;
}

export interface Mailbox {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Addresses refused with a permanent 550. */
  refuse: Set<string>;
  /** While true, every recipient is refused with a temporary 451 (server busy). */
  busy: boolean;
  /** Addresses answered with a temporary 451 (their mailbox server is struggling): senders retry. */
  defer: Set<string>;
  /**
   * Messages for which this returns true are held after their content arrives and before the
   * server answers. A message is delivered only once the server says 250 (RFC 5321 §4.1.1.4): if
   * the sender disconnects while its message is held, the message is discarded, as a real mail
   * server would; `release()` answers 250 to every held message still connected.
   */
  hold?: (mail: ReceivedMail) => boolean;
  /** Messages being held now. */
  held: ReceivedMail[];
  /** Held messages whose sender went away before the server answered: never delivered. */
  discarded: ReceivedMail[];
  release(): void;
  transport(): Transporter;
  /** CaseClock's email activities (activities/notifications.ts) sending to this mailbox. */
  activities(options?: { from?: string; consoleUrl?: string }): NotificationActivities;
  close(): Promise<void>;
  /** Resolves when `predicate` holds for the messages received so far. */
  waitFor(predicate: (messages: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
}

/** Starts on a random port, or on `port` (to bring a stopped server back where senders expect it). */
export async function startMailbox(port = 0): Promise<Mailbox> {
  const messages: ReceivedMail[] = [];
  const refuse = new Set<string>();
  /** Per held message's session: settles the hold with whether the sender is still there. */
  const waiting = new Map<string, (stillConnected: boolean) => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose(session) {
      waiting.get(session.id)?.(false);
    },
    onRcptTo(address, _session, callback) {
      if (mailbox.busy || mailbox.defer.has(address.address.toLowerCase())) {
        const err = new Error('try again later') as Error & { responseCode: number };
        err.responseCode = 451;
        return callback(err);
      }
      if (refuse.has(address.address.toLowerCase())) {
        const err = new Error('mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const header = (name: string) => {
            const v = mail.headers.get(name);
            return typeof v === 'string' ? v : '';
          };
          const received: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
            caseMessageId: header('x-caseclock-message'),
            caseReference: header('x-caseclock-case'),
            receivedAt: 0,
          };
          if (mailbox.hold?.(received)) {
            mailbox.held.push(received);
            const stillConnected = await new Promise<boolean>((resolve) => waiting.set(session.id, resolve));
            waiting.delete(session.id);
            mailbox.held.splice(mailbox.held.indexOf(received), 1);
            if (!stillConnected) {
              mailbox.discarded.push(received);
              return;
            }
          }
          received.receivedAt = Date.now();
          messages.push(received);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const boundPort = (server.server.address() as AddressInfo).port;
  const url = `smtp://127.0.0.1:${boundPort}`;
  const mailbox: Mailbox = {
    busy: false,
    defer: new Set(),
    held: [],
    discarded: [],
    release() {
      for (const settle of waiting.values()) settle(true);
    },
    url,
    port: boundPort,
    messages,
    refuse,
    transport: () => nodemailer.createTransport({ host: '127.0.0.1', port: boundPort, secure: false, ignoreTLS: true }),
    activities: ({ from = 'caseclock@test', consoleUrl = 'https://c' } = {}) => createNotificationActivities({ transport: mailbox.transport(), from, consoleUrl }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) throw new Error(`mail did not arrive; received: ${messages.map((m) => m.subject).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
  };
  return mailbox;
}
