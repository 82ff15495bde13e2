/** What the console needs from single sign-on (client/console/oidc.ts provides it). */
import type { Role } from './auth';

export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcSignIn {
  /** Where to send the browser, and what the callback must match (kept in the session meanwhile). */
  begin(): Promise<{ url: string; pending: OidcPending }>;
  finish(callbackUrl: URL, pending: OidcPending): Promise<{ ok: true; user: { id: string; name: string; role: Role; team?: string; teams?: string[] } } | { ok: false; reason: string }>;
}
