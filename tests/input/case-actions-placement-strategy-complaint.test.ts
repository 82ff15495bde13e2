/**
 * The fields added to the case actions' one declaration (client/actions/case-actions.ts): a
 * placement's type and legal status, whether a strategy discussion started the section 47 enquiry,
 * a complaint's stage 3 steps, and a child in care review's number. The form turns each into the
 * event's value, refuses a bad one by the field's name, and shows a refusal by the case under it.
 * The command line built from the same declarations: cli-matrix.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { actionBySlug, type CaseAction, formErrorsFromRefusal, type Form } from '../../client/actions/case-actions';
import { CaseActionError } from '../../common/cases';
import { LEGAL_STATUSES, PLACEMENT_TYPES } from '../../domain/kinds';

const NOW = new Date('2026-04-01T10:00:00Z');
const action = (slug: string): CaseAction => {
  const found = actionBySlug(slug);
  if (!found) throw new Error(`no action ${slug}`);
  return found;
};
const parse = (slug: string, form: Form) => action(slug).parse(form, 'sw1', NOW, { subjectId: 'C-1' });
const eventOf = (slug: string, form: Form) => {
  const outcome = parse(slug, form);
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome.errors)}`);
  if (outcome.value.type !== 'event') throw new Error('not an event');
  return outcome.value.event;
};
const errorsOf = (slug: string, form: Form) => {
  const outcome = parse(slug, form);
  return outcome.ok ? {} : outcome.errors;
};
const choices = (slug: string, field: string) =>
  (
    action(slug)
      .fields(undefined)
      .find((f) => f.name === field)?.options ?? []
  ).map((o) => (typeof o === 'string' ? o : o.value));

describe('placement: type and legal status', () => {
  it('offers every placement type and legal status, both optional', () => {
    expect(choices('placement', 'placementType')).toEqual([...PLACEMENT_TYPES]);
    expect(choices('placement', 'legalStatus')).toEqual([...LEGAL_STATUSES]);
    const fields = action('placement').fields(undefined);
    expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(['placementId']);
  });

  it('records them on the event, and leaves them out when not chosen', () => {
    expect(eventOf('placement', { placementId: 'P1', placementType: 'with-parent', legalStatus: 'interim-care-order' })).toMatchObject({
      type: 'placement-started',
      placementId: 'P1',
      placementType: 'with-parent',
      legalStatus: 'interim-care-order',
    });
    const plain = eventOf('placement', { placementId: 'P1', placementType: '', legalStatus: ' ' });
    expect(plain).not.toHaveProperty('placementType');
    expect(plain).not.toHaveProperty('legalStatus');
  });

  it.each<[string, Form, string]>([
    ['an unknown placement type', { placementId: 'P1', placementType: 'foster-ish' }, 'placementType'],
    ['a placement type label instead of its code', { placementId: 'P1', placementType: 'Living with a parent' }, 'placementType'],
    ['an unknown legal status', { placementId: 'P1', legalStatus: 'section-21' }, 'legalStatus'],
  ])('%s: refused by that field, with the choices', (_name, form, field) => {
    expect(errorsOf('placement', form)).toEqual({ [field]: expect.stringMatching(/^must be one of: /) });
  });
});

describe('strategy discussion: whether the section 47 enquiry started at it', () => {
  it('yes and no become true and false; not said, it is left out', () => {
    expect(eventOf('strategy', { s47Started: 'yes' })).toMatchObject({ type: 'strategy-discussion', s47Started: true });
    expect(eventOf('strategy', { s47Started: 'no' })).toMatchObject({ type: 'strategy-discussion', s47Started: false });
    expect(eventOf('strategy', {})).not.toHaveProperty('s47Started');
  });

  it('anything else is refused by the field', () => {
    expect(errorsOf('strategy', { s47Started: 'maybe' })).toEqual({ s47Started: 'must be one of: yes, no' });
    expect(errorsOf('strategy', { s47Started: 'true' })).toEqual({ s47Started: 'must be one of: yes, no' });
  });
});

describe('complaint: stages 1 to 3, and the review panel', () => {
  it('takes stage 3, and the panel held and its report sent without a stage', () => {
    expect(eventOf('complaint', { what: 'complaint-received', complaintId: 'C3', stage: '3' })).toMatchObject({ type: 'complaint-received', complaintId: 'C3', stage: 3 });
    expect(eventOf('complaint', { what: 'complaint-responded', complaintId: 'C3', stage: '3' })).toMatchObject({ type: 'complaint-responded', stage: 3 });
    expect(eventOf('complaint', { what: 'complaint-panel-held', complaintId: 'C3' })).toEqual({ type: 'complaint-panel-held', complaintId: 'C3', at: NOW.toISOString(), by: 'sw1' });
    expect(eventOf('complaint', { what: 'complaint-panel-reported', complaintId: 'C3' })).toMatchObject({ type: 'complaint-panel-reported', complaintId: 'C3' });
    // A stage left chosen on the form is not part of a panel's event.
    expect(eventOf('complaint', { what: 'complaint-panel-held', complaintId: 'C3', stage: '2' })).not.toHaveProperty('stage');
  });

  it('offers stages 1, 2 and 3, and the panel steps among what happened', () => {
    expect(choices('complaint', 'stage')).toEqual(['1', '2', '3']);
    expect(choices('complaint', 'what')).toEqual(['complaint-received', 'complaint-extended', 'complaint-responded', 'complaint-panel-held', 'complaint-panel-reported']);
  });

  it.each<[string, Form, Record<string, string | RegExp>]>([
    ['received with no stage', { what: 'complaint-received', complaintId: 'C1' }, { stage: 'is required' }],
    ['responded with no stage', { what: 'complaint-responded', complaintId: 'C1' }, { stage: 'is required' }],
    ['extended with no stage', { what: 'complaint-extended', complaintId: 'C1', reason: 'r' }, { stage: 'is required' }],
    ['stage 4', { what: 'complaint-received', complaintId: 'C1', stage: '4' }, { stage: 'must be one of: 1, 2, 3' }],
    ['stage 0', { what: 'complaint-received', complaintId: 'C1', stage: '0' }, { stage: 'must be one of: 1, 2, 3' }],
    ['extended at stage 3', { what: 'complaint-extended', complaintId: 'C1', stage: '3', reason: 'r' }, { stage: /^must be 1 or 2/ }],
    ['a panel with no complaint id', { what: 'complaint-panel-held' }, { complaintId: 'is required' }],
    ['a report for complaint a/b', { what: 'complaint-panel-reported', complaintId: 'a/b' }, { complaintId: /letters, digits/ }],
  ])('%s: refused by that field', (_name, form, expected) => {
    const errors = errorsOf('complaint', form);
    for (const [field, says] of Object.entries(expected)) expect(errors[field], field).toMatch(says);
  });

  it('a refusal by the case (a panel on an unknown complaint) is shown by the complaint id', () => {
    const err = new CaseActionError('recordEvent refused: complaintId: no stage 3 complaint C9 on this case', 'refused', [
      { field: 'complaintId', message: 'no stage 3 complaint C9 on this case (record it received at stage 3 first)' },
    ]);
    expect(formErrorsFromRefusal(err, action('complaint'))).toEqual({ complaintId: 'no stage 3 complaint C9 on this case (record it received at stage 3 first)' });
  });
});

describe('meeting held: which child in care review it was', () => {
  it('a number from 1 to 200 on the event; empty, left out', () => {
    expect(eventOf('meeting-held', { meetingType: 'cic-review', reviewNumber: '1' })).toMatchObject({ type: 'meeting-held', reviewNumber: 1 });
    expect(eventOf('meeting-held', { meetingType: 'cic-review', reviewNumber: ' 200 ' })).toMatchObject({ reviewNumber: 200 });
    expect(eventOf('meeting-held', { meetingType: 'cic-review', reviewNumber: '' })).not.toHaveProperty('reviewNumber');
  });

  it.each(['0', '201', '1.5', '-1', 'two', '1e2', '9999'])('review number %j: refused by the field', (reviewNumber) => {
    expect(errorsOf('meeting-held', { meetingType: 'cic-review', reviewNumber })).toEqual({ reviewNumber: 'must be a whole number from 1 to 200' });
  });

  it('the case refuses it on another meeting type: shown by the field', () => {
    const err = new CaseActionError('recordEvent refused: reviewNumber: is for a child in care review only', 'refused', [{ field: 'reviewNumber', message: 'is for a child in care review only' }]);
    expect(formErrorsFromRefusal(err, action('meeting-held'))).toEqual({ reviewNumber: 'is for a child in care review only' });
  });
});
