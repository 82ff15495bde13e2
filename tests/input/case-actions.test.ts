/**
 * The case actions' one declaration (client/actions/case-actions.ts), checked from the declarations
 * themselves: each form refuses a missing required field and an unknown choice by name, and a
 * refusal by the case lands on the form field that holds the input it names. The command line's
 * commands built from the same declarations are checked in cli-matrix.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CASE_ACTIONS, type CaseAction, formErrorsFromRefusal, type Form, startFormErrorsFromRefusal } from '../../client/actions/case-actions';
import { CaseActionError } from '../../common/cases';
import { initialTierProblems } from '../../workflows/inputs';

const NOW = new Date('2026-04-01T10:00:00Z');
const OBLIGATION = 'kit-call@2026-03-02T10:00:00.000Z';

/** A value each field accepts on the form, from its declaration. */
function sample(action: CaseAction, name: string): string {
  const spec = action.fields(undefined).find((f) => f.name === name);
  if (name === 'obligationId') return OBLIGATION;
  if (name === 'level') return '1';
  if (spec?.type === 'datetime') return '2026-03-01T10:00';
  const first = spec?.options?.[0];
  if (first !== undefined) return typeof first === 'string' ? first : first.value;
  return 'X1';
}

const eventActions = CASE_ACTIONS.filter((a) => a.event !== undefined);

describe.each(eventActions.map((a) => [a.slug, a] as const))('%s: the form from its declaration', (_slug, action) => {
  const fields = action.fields(undefined);
  const required = fields.filter((f) => f.required && f.type !== 'hidden');
  const full = (): Form => Object.fromEntries(required.map((f) => [f.name, sample(action, f.name)]));

  it.skipIf(required.length === 0).each(required.map((f) => [f.name] as const))('without %s: refused naming it', (name) => {
    const form = full();
    delete form[name];
    const outcome = action.parse(form, 'sw1', NOW, { subjectId: 'C-1' });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? {} : outcome.errors).toMatchObject({ [name]: 'is required' });
  });

  const selects = fields.filter((f) => f.type === 'select' && (f.options?.length ?? 0) > 0);
  it.skipIf(selects.length === 0).each(selects.map((f) => [f.name] as const))('an unknown %s: refused with the choices', (name) => {
    const outcome = action.parse({ ...full(), [name]: 'NOPE' }, 'sw1', NOW, { subjectId: 'C-1' });
    expect(outcome.ok ? {} : outcome.errors).toMatchObject({ [name]: expect.stringMatching(/must be one of|not one of the allowed values/) });
  });

  it('a refusal naming each of its fields is shown by that field; `by` and unknown fields are not', () => {
    const problems = [...fields.map((f) => ({ field: f.name, message: `bad ${f.name}` })), { field: 'by', message: 'bad by' }, { field: 'nowhere', message: 'x' }];
    const err = new CaseActionError('recordEvent refused: ...', 'refused', problems);
    expect(formErrorsFromRefusal(err, action)).toEqual(Object.fromEntries(fields.map((f) => [f.name, `bad ${f.name}`])));
  });
});

describe('refusal fields that the form calls by another name', () => {
  const bySlug = (slug: string) => CASE_ACTIONS.find((a) => a.slug === slug)!;

  it('an event type refused on a form that chooses what happened: shown by `what`', () => {
    const err = new CaseActionError('recordEvent refused: no missing episode is open on this case', 'refused', [{ field: 'type', message: 'no missing episode is open on this case' }]);
    expect(formErrorsFromRefusal(err, bySlug('missing'))).toEqual({ what: 'no missing episode is open on this case' });
    // A form with nothing to choose shows it over the form only.
    expect(formErrorsFromRefusal(err, bySlug('kit-call'))).toEqual({});
  });

  it('a reassignment refused on contact.email: shown by `email`', () => {
    const err = new CaseActionError('reassign refused: contact.email: must be an email address', 'refused', [{ field: 'contact.email', message: 'must be an email address' }]);
    expect(formErrorsFromRefusal(err, bySlug('reassign'))).toEqual({ email: 'must be an email address' });
  });

  it('opening a case that exists: shown by caseId; an incident that exists, by incidentId; a bad IRO email, by iro', () => {
    const exists = new CaseActionError('case C-1 already exists', 'already-exists', [{ field: 'caseId', message: 'already exists' }]);
    expect(startFormErrorsFromRefusal(exists, 'case')).toEqual({ caseId: 'already exists' });
    const incident = new CaseActionError('incident SI-1 already exists', 'already-exists', [{ field: 'incidentId', message: 'already exists' }]);
    expect(startFormErrorsFromRefusal(incident, 'incident')).toEqual({ incidentId: 'already exists' });
    const iro = new CaseActionError('open case refused: ...', 'invalid', [
      { field: 'details.contacts.iro', message: 'x' },
      { field: 'openedBy', message: 'y' },
    ]);
    expect(startFormErrorsFromRefusal(iro, 'case')).toEqual({ iro: 'x' });
  });

  it('a refusal of the whole case (closed) names no field', () => {
    const err = new CaseActionError('reassign refused: the case is closed', 'refused', [{ field: '', message: 'the case is closed' }]);
    expect(formErrorsFromRefusal(err, bySlug('reassign'))).toEqual({});
  });
});

describe('the opening rules, one place for every client', () => {
  it.each<[string, Parameters<typeof initialTierProblems>[0], Array<{ field: string; message: string }>]>([
    ['a tier with a reason', { tier: 'PRIORITY', reason: 'r' }, []],
    ['a tier without a reason', { tier: 'PRIORITY' }, [{ field: 'reason', message: 'is required with a tier' }]],
    ['a reason without a tier', { reason: 'r' }, [{ field: 'tier', message: 'is required when a reason is given' }]],
    ['a rating time without a tier', { ratedAt: '2026-03-01T10:00:00Z' }, [{ field: 'tier', message: 'is required when a rating time is given' }]],
    ['rated a minute ahead (clocks differ a little)', { tier: 'PRIORITY', reason: 'r', ratedAt: '2026-04-01T10:01:00Z' }, []],
    ['rated tomorrow', { tier: 'PRIORITY', reason: 'r', ratedAt: '2026-04-02T10:00:00Z' }, [{ field: 'ratedAt', message: 'is in the future' }]],
    ['rated in year 9999 (left to the schema)', { tier: 'PRIORITY', reason: 'r', ratedAt: '9999-01-01T10:00:00Z' }, []],
  ])('%s', (_name, choice, expected) => {
    expect(initialTierProblems(choice, NOW)).toEqual(expected);
  });
});
