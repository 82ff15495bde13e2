/**
 * Who an integration client is in CaseClock: the client's id at the council's identity provider,
 * recorded as `api.` and that id (a case event's `by`, the record of views). No password account
 * may have an id beginning `api.` (the users file refuses them), and a single sign-on id begins
 * `sso.`, so a client registered as `admin` is never the console's `admin`.
 */
export const API_ID_PREFIX = 'api.';

/** Longest client id that still fits a case event's `by` (SafeId, 64 characters) with the prefix. */
export const MAX_API_CLIENT_ID_LENGTH = 64 - API_ID_PREFIX.length;

/** The CaseClock user id under which the integration client `clientId` records what it sends. */
export const apiClientUserId = (clientId: string): string => `${API_ID_PREFIX}${clientId}`;

/** Whether a password account may not take this id: every id beginning `api.`, whatever its case. */
export const isReservedForApi = (id: string): boolean => /^api\./i.test(id);
