/**
 * The integration API's OpenAPI 3.1 document, served at /api/v1/openapi.json: made from the same
 * registry and zod schemas as the routes (schemas.ts), with zod's own z.toJSONSchema() (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as it is), so the document says what the routes take. Checked by
 * an OpenAPI validator in tests/console/api.test.ts.
 */
import { z } from 'zod';
import { RISK_TIERS } from '../../../domain/kinds';
import type { CaseAction } from '../../actions/case-actions';
import { PROBLEMS, type ProblemKind, problemType } from './problems';
import {
  actionBody,
  actionScope,
  API_CASE_ACTIONS,
  CaseAnswerSchema,
  CaseListingSchema,
  CaseSummaryOut,
  ObligationOut,
  OPEN_ACTION,
  openCaseBody,
  ProblemSchema,
  READ_SCOPE,
  TimelineEntrySchema,
  WriteAnswerSchema,
} from './schemas';

type Json = Record<string, unknown>;

/**
 * A zod schema as a JSON Schema for the document. zod puts a recursive schema (a JSON value) in
 * `$defs`, referred to from `#/$defs/...`; inside an OpenAPI document `#` is the document, so those
 * go to components.schemas under the component's name, and the references with them.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', name: string, components: Json): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out['$schema'];
  const defs = (out['$defs'] ?? {}) as Record<string, Json>;
  delete out['$defs'];
  const rename = (def: string) => `${name}_${def.replace(/[^A-Za-z0-9_]/g, '')}`;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/components/schemas/${rename(v.slice('#/$defs/'.length))}` : rewrite(v)]));
  };
  for (const [def, s] of Object.entries(defs)) components[rename(def)] = rewrite(s);
  return rewrite(out) as Json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

/** The refusals every authenticated route may answer, besides its own. */
const COMMON_PROBLEMS = {
  '401': problemResponse('No access token, or one that is not valid (expired, another issuer, another audience, a bad signature)'),
  '403': problemResponse('The client lacks the scope, or the team'),
  '429': problemResponse('Too many requests from this client: see Retry-After'),
};

const WRITE_PROBLEMS = {
  '400': problemResponse('The body was refused: each field named in `errors`; or no event id'),
  '404': problemResponse('No such case'),
  '409': problemResponse('Refused by the case (each field named in `errors`), or the same key is still being processed'),
  '410': problemResponse('The case is closed'),
  '413': problemResponse('The body is larger than 64 KB'),
  '415': problemResponse('The body is not application/json'),
  '422': problemResponse('The key was used before with a different request'),
  '503': problemResponse('The case did not answer in time: send it again with the same key'),
};

const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'The key the request is recorded under, when the body has no eventId (the same as it, when it has one)',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};
const CASE_ID_PARAMETER = { name: 'caseId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } };

/** The document, with `publicUrl` (the console's address) as its server when known. */
export function openApiDocument(publicUrl?: string): Json {
  const components: Json = {};
  const body = (action: CaseAction) => jsonSchema(actionBody(action), 'input', `${action.slug}Body`, components);

  components['Problem'] = jsonSchema(ProblemSchema, 'output', 'Problem', components);
  components['CaseListing'] = jsonSchema(CaseListingSchema, 'output', 'CaseListing', components);
  components['CaseSummary'] = jsonSchema(CaseSummaryOut, 'output', 'CaseSummary', components);
  components['Obligation'] = jsonSchema(ObligationOut, 'output', 'Obligation', components);
  components['TimelineEntry'] = jsonSchema(TimelineEntrySchema, 'output', 'TimelineEntry', components);
  components['CaseAnswer'] = jsonSchema(CaseAnswerSchema, 'output', 'CaseAnswer', components);
  components['WriteAnswer'] = jsonSchema(WriteAnswerSchema, 'output', 'WriteAnswer', components);

  const security = (scope: string) => [{ bearer: [scope] }];
  const paths: Json = {
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document', security: [], responses: { '200': { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
    '/cases': {
      get: {
        operationId: 'listCases',
        summary: 'Open cases of the teams the client may read, most overdue first',
        security: security(READ_SCOPE),
        parameters: [
          { name: 'team', in: 'query', required: false, schema: CASE_ID_PARAMETER.schema },
          { name: 'tier', in: 'query', required: false, schema: { type: 'string', enum: [...RISK_TIERS] } },
          { name: 'overdue', in: 'query', required: false, description: 'true: only cases with an overdue obligation', schema: { type: 'string', enum: ['true', 'false'] } },
        ],
        responses: {
          '200': { description: 'The cases', content: { 'application/json': { schema: { type: 'object', properties: { cases: { type: 'array', items: ref('CaseListing') } }, required: ['cases'] } } } },
          '400': problemResponse('A filter was refused'),
          ...COMMON_PROBLEMS,
        },
      },
      post: {
        operationId: 'openCase',
        summary: 'Open a case',
        description: 'The fields of the console\'s "Open a case" form. The case is recorded as opened by the client.',
        security: security(actionScope(OPEN_ACTION)),
        parameters: [IDEMPOTENCY_PARAMETER],
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(openCaseBody(), 'input', 'openBody', components) } } },
        responses: {
          '201': { description: 'Opened (or, for a key sent before, the first answer again with Idempotent-Replayed: true)', content: { 'application/json': { schema: ref('WriteAnswer') } } },
          ...WRITE_PROBLEMS,
          ...COMMON_PROBLEMS,
        },
      },
    },
    '/cases/{caseId}': {
      get: {
        operationId: 'readCase',
        summary: "A case's summary: status, tier, contacts, open obligations, next deadline",
        security: security(READ_SCOPE),
        parameters: [CASE_ID_PARAMETER],
        responses: {
          '200': { description: 'The summary', content: { 'application/json': { schema: ref('CaseSummary') } } },
          '404': problemResponse('No such case'),
          '409': problemResponse('No summary yet'),
          ...COMMON_PROBLEMS,
        },
      },
    },
    '/cases/{caseId}/obligations': {
      get: {
        operationId: 'caseObligations',
        summary: "A case's open obligations, earliest deadline first",
        security: security(READ_SCOPE),
        parameters: [CASE_ID_PARAMETER],
        responses: {
          '200': {
            description: 'The open obligations',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { caseId: { type: 'string' }, status: { type: 'string' }, obligations: { type: 'array', items: ref('Obligation') } }, required: ['caseId', 'obligations'] },
              },
            },
          },
          '404': problemResponse('No such case'),
          ...COMMON_PROBLEMS,
        },
      },
    },
    '/cases/{caseId}/timeline': {
      get: {
        operationId: 'caseTimeline',
        summary: "A case's timeline from the case record, oldest first",
        security: security(READ_SCOPE),
        parameters: [CASE_ID_PARAMETER],
        responses: {
          '200': {
            description: 'The timeline',
            content: { 'application/json': { schema: { type: 'object', properties: { caseId: { type: 'string' }, timeline: { type: 'array', items: ref('TimelineEntry') } }, required: ['caseId', 'timeline'] } } },
          },
          '404': problemResponse('No such case'),
          ...COMMON_PROBLEMS,
        },
      },
    },
  };
  for (const action of API_CASE_ACTIONS) {
    paths[`/cases/{caseId}/actions/${action.slug}`] = {
      post: {
        operationId: action.slug.replace(/-(.)/g, (_m, c: string) => c.toUpperCase()),
        summary: action.title,
        ...(action.cli ? { description: `As \`caseclock ${action.cli.command.join(' ')}\`: ${action.cli.description}.` } : {}),
        tags: [action.group],
        security: security(actionScope(action.slug)),
        parameters: [CASE_ID_PARAMETER, IDEMPOTENCY_PARAMETER],
        requestBody: { required: true, content: { 'application/json': { schema: body(action) } } },
        responses: {
          '200': { description: 'Recorded (or, for a key sent before, the first answer again with Idempotent-Replayed: true)', content: { 'application/json': { schema: ref('WriteAnswer') } } },
          ...WRITE_PROBLEMS,
          ...COMMON_PROBLEMS,
        },
      },
    };
  }

  const kinds = Object.entries(PROBLEMS)
    .map(([kind, p]) => `- \`${problemType(kind as ProblemKind)}\` (${p.status}): ${p.title}`)
    .join('\n');
  return {
    openapi: '3.1.0',
    info: {
      title: 'CaseClock integration API',
      version: '1',
      description: `Open cases, record what happened and read cases, as an OAuth 2.0 client of the council's identity provider (docs/api.md, docs/api-clients.md). Every write carries your event id (\`eventId\`, or an Idempotency-Key header): sent again, it is recorded once and answered the same. Refusals are RFC 9457 problem documents:\n\n${kinds}`,
    },
    servers: [{ url: `${(publicUrl ?? '').replace(/\/+$/, '')}/api/v1` }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "An access token from the council's identity provider (client credentials grant), with the scopes caseclock:read and caseclock:<action>",
        },
      },
      schemas: components,
    },
    security: [{ bearer: [] }],
    paths,
  };
}
