/**
 * The integration API's refusals as RFC 9457 problem documents (`application/problem+json`): a
 * type for each kind of refusal (listed in docs/api.md#problems), a title, the status, a detail
 * in words, and each field refused by its name in the request body, as the console's forms and
 * the command line name it.
 */
import type { FastifyReply } from 'fastify';
import type { CaseAction, FieldErrors } from '../../actions/case-actions';
import type { CaseActionError } from '../../../common/cases';
import type { ApiProblem, FieldProblem } from './caller';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Every kind of problem the routes answer with: its type URI, title and status. */
export const PROBLEMS = {
  'invalid-input': { status: 400, title: 'The request was not accepted' },
  'key-required': { status: 400, title: 'An event id or Idempotency-Key is required' },
  'not-found': { status: 404, title: 'Not found' },
  'refused-by-case': { status: 409, title: 'Refused by the case' },
  'already-exists': { status: 409, title: 'Already exists' },
  'no-summary': { status: 409, title: 'The case has no summary yet' },
  'still-running': { status: 409, title: 'A request with this key is still being processed' },
  closed: { status: 410, title: 'The case is closed' },
  'too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Send JSON' },
  'key-reused': { status: 422, title: 'This key was used with a different request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Temporal did not answer' },
  internal: { status: 500, title: 'CaseClock could not answer' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

/** A problem type is a URN: it names the kind for a program to act on, and no page needs to exist. */
export const problemType = (kind: ProblemKind): string => `urn:caseclock:problem:${kind}`;

export function problem(kind: ProblemKind, detail?: string, errors?: readonly FieldProblem[]): ApiProblem {
  const { status, title } = PROBLEMS[kind];
  return { type: problemType(kind), title, status, ...(detail !== undefined ? { detail } : {}), ...(errors && errors.length > 0 ? { errors: [...errors] } : {}) };
}

/** Field errors as the registry's parsers give them: each field named; `_form` (the request as a whole) goes to the detail. */
export function fromFieldErrors(errors: FieldErrors, kind: ProblemKind = 'invalid-input'): ApiProblem {
  const fields = Object.entries(errors)
    .filter(([field]) => field !== '_form')
    .map(([field, message]) => ({ field, message }));
  const named = fields.map((f) => `${f.field}: ${f.message}`);
  const whole = errors['_form'];
  return problem(kind, [...(whole ? [whole] : []), ...named].join('; ') || undefined, fields);
}

/**
 * A case's refusal: each problem by the body field that holds it (through the action's own map,
 * as the console's forms show it), else by the input's own path; the case's words as the detail.
 */
export function fromRefusal(err: CaseActionError, field: (inputField: string) => string | undefined): ApiProblem {
  const kind: ProblemKind = err.kind === 'not-found' ? 'not-found' : err.kind === 'already-exists' ? 'already-exists' : err.kind === 'invalid' ? 'invalid-input' : 'refused-by-case';
  const errors: FieldProblem[] = [];
  for (const p of err.problems) {
    const name = p.field === '' ? undefined : (field(p.field) ?? p.field);
    if (name !== undefined && !errors.some((e) => e.field === name)) errors.push({ field: name, message: p.message });
  }
  return problem(kind, err.message, errors);
}

/** The refusal's fields for one of the registry's actions. */
export const actionRefusal = (err: CaseActionError, action: CaseAction): ApiProblem => fromRefusal(err, (f) => action.refusalField(f));

export function sendProblem(reply: FastifyReply, p: ApiProblem, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .code(p.status)
    .headers({ 'cache-control': 'no-store', ...headers })
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(p));
}
