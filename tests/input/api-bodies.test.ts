/**
 * The integration API's pieces that need no server: its OpenAPI document (valid OpenAPI 3.1 by
 * the validator, one path per action), how a JSON body becomes the form the registry's parser reads
 * (each field's kind from the body's own schema), the idempotency key and the request's hash, and
 * field errors as a problem document. tests/console/api.test.ts runs them end to end.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf, requestHash, updateIdOf } from '../../client/console/api/idempotency';
import { openApiDocument } from '../../client/console/api/openapi';
import { fromFieldErrors } from '../../client/console/api/problems';
import { actionBody, API_CASE_ACTIONS, fieldKinds, formFromBody, openCaseBody } from '../../client/console/api/schemas';

const kindsOf = (slug: string) => {
  const action = API_CASE_ACTIONS.find((a) => a.slug === slug);
  if (!action) throw new Error(`no action ${slug}`);
  return fieldKinds(actionBody(action));
};

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, with a path for every case action and its own scope', async () => {
    const doc = openApiDocument('https://caseclock.council.example');
    const validator = new Validator();
    const result = await validator.validate(doc as Parameters<Validator['validate']>[0]);
    expect(result, JSON.stringify(result.errors ?? []).slice(0, 3000)).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    const paths = doc['paths'] as Record<string, { post?: { security: unknown } }>;
    for (const a of API_CASE_ACTIONS) expect(paths[`/cases/{caseId}/actions/${a.slug}`]?.post?.security, a.slug).toEqual([{ bearer: [`caseclock:${a.slug}`] }]);
    expect(doc['servers']).toEqual([{ url: 'https://caseclock.council.example/api/v1' }]);
  });

  it('a validator finds a document that is broken (the check can fail)', async () => {
    const doc = openApiDocument();
    const broken = { ...doc, paths: { '/cases': { get: { responses: 'none' } } } };
    expect((await new Validator().validate(broken as Parameters<Validator['validate']>[0])).valid).toBe(false);
  });
});

describe('a JSON body as the form', () => {
  it('each field takes the kind its schema documents', () => {
    expect(kindsOf('visit')).toMatchObject({ childSeenAlone: 'boolean', at: 'string', eventId: 'string' });
    expect(kindsOf('ack')).toMatchObject({ level: 'number', obligationId: 'string' });
    expect(kindsOf('complaint')).toMatchObject({ stage: 'number', what: 'string', complaintId: 'string' });
    expect(kindsOf('meeting-held')).toMatchObject({ reviewNumber: 'number' });
    expect(kindsOf('details')).toMatchObject({ worker: 'contact', iro: 'contact' });
    expect(fieldKinds(openCaseBody())).toMatchObject({ caseId: 'string', worker: 'contact', tier: 'string' });
  });

  it('numbers, yes/no booleans and contacts become the form as typed; eventId is not a field', () => {
    expect(formFromBody({ eventId: 'e1', childSeenAlone: true, at: '2026-03-28T10:00:00Z' }, kindsOf('visit'))).toEqual({ form: { childSeenAlone: 'yes', at: '2026-03-28T10:00:00Z' }, errors: {} });
    expect(formFromBody({ level: 2, obligationId: 'x@y' }, kindsOf('ack')).form).toEqual({ level: '2', obligationId: 'x@y' });
    expect(formFromBody({ worker: { name: 'Sam Worker', email: 'sam@council.test' } }, kindsOf('details')).form).toEqual({ worker: 'Sam Worker <sam@council.test>' });
    expect(formFromBody({ reason: null }, kindsOf('close')).form).toEqual({});
  });

  it.each([
    ['a field the action does not have', 'close', { colour: 'red' }, 'colour', /not a field/],
    ['a number where text goes', 'close', { reason: 42 }, 'reason', /must be a string/],
    ['a boolean where text goes', 'close', { reason: true }, 'reason', /must be a string/],
    ['a list', 'close', { reason: ['r'] }, 'reason', /must be a string/],
    ['a number for a yes/no', 'visit', { childSeenAlone: 1 }, 'childSeenAlone', /true or false/],
    ['an infinite level', 'ack', { level: 1e400 }, 'level', /must be a number/],
    ['a contact with a third field', 'details', { worker: { name: 'a', email: 'b@c.d', phone: '1' } }, 'worker', /Name <email>/],
  ] as const)('%s: refused by name', (_name, slug, body, field, says) => {
    expect(formFromBody(body, kindsOf(slug)).errors[field]).toMatch(says);
  });

  it('a body that is not an object is refused as a whole', () => {
    for (const body of [[], 'x', 3, null]) expect(formFromBody(body, kindsOf('close')).errors).toEqual({ _form: 'the body must be a JSON object' });
  });
});

describe('the key and the request', () => {
  it('from eventId or the Idempotency-Key header, the same when both are sent', () => {
    expect(idempotencyKeyOf(undefined, 'visit-1')).toEqual({ key: 'visit-1' });
    expect(idempotencyKeyOf('visit-1', undefined)).toEqual({ key: 'visit-1' });
    expect(idempotencyKeyOf('visit-1', 'visit-1')).toEqual({ key: 'visit-1' });
    for (const [header, eventId] of [
      [undefined, undefined],
      ['a', 'b'],
      [undefined, 'has space'],
      [undefined, 42],
      [undefined, 'x'.repeat(256)],
      [['a', 'a'], undefined],
    ] as const) {
      expect('problem' in idempotencyKeyOf(header as string | string[] | undefined, eventId), JSON.stringify([header, eventId])).toBe(true);
    }
  });

  it('the same body in another key order is the same request; another body, path or method is not', () => {
    const h = requestHash('POST', '/cases/C-1/actions/visit', { eventId: 'e', at: 'x', childSeenAlone: true });
    expect(requestHash('POST', '/cases/C-1/actions/visit', { childSeenAlone: true, at: 'x', eventId: 'e' })).toBe(h);
    expect(requestHash('POST', '/cases/C-1/actions/visit', { eventId: 'e', at: 'x', childSeenAlone: false })).not.toBe(h);
    expect(requestHash('POST', '/cases/C-2/actions/visit', { eventId: 'e', at: 'x', childSeenAlone: true })).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a key's update id is the client's own and bounded", () => {
    expect(updateIdOf('a', 'k')).not.toBe(updateIdOf('b', 'k'));
    expect(updateIdOf('a', 'x'.repeat(255)).length).toBeLessThan(80);
  });
});

describe('problems', () => {
  it('field errors name each field; the request as a whole goes to the detail', () => {
    expect(fromFieldErrors({ _form: 'give at least one contact to change', worker: 'must be an email address' })).toEqual({
      type: 'urn:caseclock:problem:invalid-input',
      title: 'The request was not accepted',
      status: 400,
      detail: 'give at least one contact to change; worker: must be an email address',
      errors: [{ field: 'worker', message: 'must be an email address' }],
    });
  });
});
