/**
 * Form fields before parsing: every field is capped at MAX_FIELD_CHARS with an error naming it,
 * and contacts ("Name <email>") are split in linear time. A pattern with adjacent quantifiers over
 * spaces once took seconds on `a` + 60,000 spaces + `x`, freezing the console for everyone.
 * The time bounds below are generous (linear code takes a few milliseconds); they catch only a
 * quadratic parser, which takes many seconds on these inputs.
 */
import { describe, expect, it } from 'vitest';
import { actionBySlug, localToInstant, MAX_FIELD_CHARS, overlongFields, parseContact, parseIncident, parseOpenCase, splitContact, ukToIsoLocal } from '../../client/actions/case-actions';
import { withoutTrailing } from '../../common/linear-text';
import { StaffContact } from '../../workflows/inputs';

const NOW = new Date('2026-04-01T10:00:00Z');
const SPACES = ' '.repeat(200_000);

/** Runs `fn`, failing if it takes longer than `ms` (far beyond what linear code needs). */
function within<T>(ms: number, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  expect(performance.now() - started).toBeLessThan(ms);
  return result;
}

describe('contacts written "Name <email>"', () => {
  it.each([
    ['Sam Worker <sam@council.example>', { name: 'Sam Worker', email: 'sam@council.example' }],
    ['  Sam Worker   <  sam@council.example  >  ', { name: 'Sam Worker', email: 'sam@council.example' }],
    ['Sam <Worker> <sam@council.example>', { name: 'Sam <Worker>', email: 'sam@council.example' }],
  ])('%j is split into name and email', (value, expected) => {
    expect(splitContact(value)).toEqual(expected);
  });

  it.each(['Sam Worker', '<sam@council.example>', 'Sam <>', 'Sam <a b@c.test>', 'Sam <a@b.test> x', 'Sam <a>b@c.test>'])('%j is not a contact', (value) => {
    expect(splitContact(value)).toBeUndefined();
    expect(parseContact(value)).toEqual({ error: expect.stringMatching(/Name <email>/) });
  });

  it('a 200,000-space run between name and the rest is refused in linear time', () => {
    expect(within(1_000, () => splitContact(`a${SPACES}x`))).toBeUndefined();
    expect(within(1_000, () => splitContact(`a${SPACES}<x`))).toBeUndefined();
    expect(within(1_000, () => splitContact(`a${SPACES}<b@c.test>`))).toEqual({ name: 'a', email: 'b@c.test' });
  });
});

describe('every form field is capped before it is parsed', () => {
  const hostile = `a${' '.repeat(60_000)}x`;

  it('opening a case with `worker` = a + 60,000 spaces + x: refused naming the field, at once', () => {
    const outcome = within(1_000, () => parseOpenCase({ caseId: 'C-1', reference: 'R-1', team: 'T', worker: hostile, policy: 'default' }, 'admin1', { now: NOW }));
    expect(outcome).toEqual({ ok: false, errors: { worker: `must be at most ${MAX_FIELD_CHARS} characters` } });
  });

  it('reporting an incident, and every case action, refuse an over-long field by name', () => {
    expect(parseIncident({ incidentId: 'SI-1', team: 'T', iro: hostile }, 'admin1', NOW, {})).toEqual({ ok: false, errors: { iro: expect.stringMatching(/at most/) } });
    for (const slug of ['visit', 'tier', 'reassign', 'apply-policy', 'meeting-schedule']) {
      const action = actionBySlug(slug);
      expect(action, slug).toBeDefined();
      expect(action?.parse({ reason: hostile, name: hostile }, 'sw1', NOW, { subjectId: 'C-1' }), slug).toMatchObject({ ok: false, errors: { reason: expect.stringMatching(/at most/) } });
    }
  });

  it('a field of exactly the cap passes the cap (the schema judges it)', () => {
    expect(overlongFields({ reason: 'r'.repeat(MAX_FIELD_CHARS) })).toEqual({});
    expect(overlongFields({ reason: 'r'.repeat(MAX_FIELD_CHARS + 1) })).toEqual({ reason: `must be at most ${MAX_FIELD_CHARS} characters` });
  });
});

describe('other input patterns are linear', () => {
  it('a codec server path with 200,000 trailing slashes, and with 200,000 slashes then a letter', () => {
    expect(within(1_000, () => withoutTrailing(`/decode${'/'.repeat(200_000)}`, '/'))).toBe('/decode');
    expect(within(1_000, () => withoutTrailing(`/${'/'.repeat(200_000)}x`, '/'))).toHaveLength(200_002);
  });

  it('a 1 MB email is refused by its length before the email pattern reads it', () => {
    const result = within(1_000, () => StaffContact.safeParse({ name: 'n', email: `${'a'.repeat(1_000_000)}!` }));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must be at most 254 characters']);
  });
});

describe('dates as people in the UK type them', () => {
  it('reads dd/mm/yyyy hh:mm in UK time, in winter and in summer', () => {
    expect(localToInstant('28/01/2026 10:00')).toEqual({ instant: '2026-01-28T10:00:00.000Z' });
    expect(localToInstant('1/7/2026 9:05')).toEqual({ instant: '2026-07-01T08:05:00.000Z' });
    expect(localToInstant('2026-07-01T09:05')).toEqual({ instant: '2026-07-01T08:05:00.000Z' }); // ISO still works
  });
  it('names what is wrong with a date that does not exist', () => {
    expect(localToInstant('31/06/2026 10:00')).toEqual({ error: expect.stringMatching(/not a real date and time/) });
    expect(localToInstant('29/03/2026 01:30')).toEqual({ error: expect.stringMatching(/does not exist in UK time/) });
  });
  it('turns a UK date into the ISO date the reports take, and leaves anything else for the schema', () => {
    expect(ukToIsoLocal('05/04/2026')).toBe('2026-04-05');
    expect(ukToIsoLocal('yesterday')).toBe('yesterday');
    expect(ukToIsoLocal(`1/1/2026${' '.repeat(50_000)}x`)).toBe(`1/1/2026${' '.repeat(50_000)}x`);
  });
});
