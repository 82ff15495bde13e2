/**
 * Who is calling the integration API, and how a refusal travels: the types the token check
 * (auth.ts) and the routes share.
 */

/** An integration client signed in by the council's identity provider (OAuth 2.0 client credentials). */
export interface ApiCaller {
  /** The client's id at the identity provider: who recorded what it sends, on the timeline and in "Who viewed what". */
  clientId: string;
  /**
   * What its changes and views are recorded under (a case event's `by`): `api.` and the client id
   * (common/api-identity.ts), which no password account or single sign-on person can have.
   */
  by: string;
  /** Scopes both granted in the token and allowed by configuration: `caseclock:read`, `caseclock:<action>`. */
  scopes: ReadonlySet<string>;
  /** The teams whose cases it may read and change. */
  teams: 'all' | ReadonlySet<string>;
}

/** One field's refusal, as the console's forms and the command line name it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An RFC 9457 problem document (`application/problem+json`). */
export interface ApiProblem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Each field refused, when the body was the problem. */
  errors?: FieldProblem[];
}
