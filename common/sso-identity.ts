/**
 * The user ids of people who sign in through single sign-on (OpenID Connect). They are keyed by
 * the identity provider's issuer and the subject it gives them (`sub`, unique and never reassigned
 * within an issuer), never by a name they choose or the provider lets them change: `sso.` and 32
 * hex digits of SHA-256 over issuer and subject. That fits a case event's `by` (SafeId: letters,
 * digits, dot, dash, underscore, at most 64), and no password account can ever have it, because
 * the users file refuses every id that begins with `sso.` (in any case). So someone the provider
 * calls `admin2` is never the local `admin2`: not in a session, the record of views, a case's
 * timeline, nor as the creator of a calendar feed. People are shown by the name the provider gave.
 */
import { createHash } from 'node:crypto';

export const SSO_ID_PREFIX = 'sso.';

/** The CaseClock user id of the person `subject` of the identity provider `issuer`. */
export function ssoUserId(issuer: string, subject: string): string {
  return `${SSO_ID_PREFIX}${createHash('sha256').update(`caseclock-sso\n${issuer}\n${subject}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Whether an id is a single sign-on id (as ssoUserId makes them). */
export const isSsoUserId = (id: string): boolean => /^sso\.[0-9a-f]{32}$/.test(id);

/** Whether a password account may not take this id: every id beginning `sso.`, whatever its case. */
export const isReservedForSso = (id: string): boolean => /^sso\./i.test(id);
