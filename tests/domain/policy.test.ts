import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkingDayCalendar } from '../../domain/calendar';
import { OBLIGATION_KINDS } from '../../domain/kinds';
import { PolicySnapshotSchema, resolveRule, snapshotPolicy } from '../../domain/policy';
import { loadDefaultPolicy, loadPolicyFile, loadShippedPolicy, SHIPPED_POLICY_DIR } from '../../domain/policy-loader';

const national = () => JSON.parse(readFileSync(path.join(SHIPPED_POLICY_DIR, 'national.json'), 'utf8')) as Record<string, any>;
const dir = mkdtempSync(path.join(tmpdir(), 'caseclock-policy-'));
function writePolicy(name: string, doc: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

describe('the shipped national baseline', () => {
  const policy = loadDefaultPolicy();

  it('has a rule with a basis for every one of the 29 obligation kinds', () => {
    expect(OBLIGATION_KINDS).toHaveLength(29);
    expect(Object.keys(policy.baseline).sort()).toEqual([...OBLIGATION_KINDS].sort());
    for (const kind of OBLIGATION_KINDS) {
      const rule = policy.baseline[kind]!;
      expect(['regulation', 'statutory-guidance', 'local-protocol']).toContain(rule.basis.type);
      expect(rule.basis.reference.length).toBeGreaterThan(20);
      expect(rule.escalation[0]).toEqual({ level: 1, role: 'team-manager', after: 'PT0S' });
      expect(rule.escalation[1]?.role).toBe('head-of-service');
      expect(rule.escalation[1]?.repeatEvery).toBeDefined();
    }
  });

  it.each([
    ['initial-visit-high', { duration: 'PT24H' }],
    ['initial-visit-priority', { duration: 'P14D' }],
    ['visit-priority', { duration: 'P14D' }],
    ['kit-call', { duration: 'P14D' }],
    ['core-group', { duration: 'P8W' }],
    ['first-core-group', { workingDays: 10 }],
    ['icpc', { workingDays: 15 }],
    ['first-review-conference', { duration: 'P3M' }],
    ['review-conference', { duration: 'P6M' }],
    ['conference-pre-meeting', { workingDays: 2 }],
    ['iro-report', { duration: 'PT48H' }],
    ['serious-incident-notification', { workingDays: 5 }],
    ['rapid-review', { workingDays: 15 }],
    ['return-interview', { duration: 'PT72H' }],
    ['referral-decision', { workingDays: 1 }],
    ['assessment', { workingDays: 45 }],
    ['cic-review-first', { workingDays: 20 }],
    ['cic-review-second', { duration: 'P3M' }],
    ['cic-review', { duration: 'P6M' }],
    ['cic-visit-first', { duration: 'P1W' }],
    ['cic-visit', { duration: 'P6W' }],
    ['complaint-stage-1', { workingDays: 10 }],
    ['complaint-stage-2', { workingDays: 25 }],
  ] as const)('%s defaults to %j as the national baseline states', (kind, deadline) => {
    expect(policy.baseline[kind].deadline).toEqual(deadline);
  });

  it('carries the kind-specific options of the national baseline', () => {
    expect(policy.baseline['kit-call'].tiers).toEqual(['VULNERABLE', 'HIGH_IMMEDIATE']);
    expect(policy.baseline['complaint-stage-1'].extended).toEqual({ workingDays: 20 });
    expect(policy.baseline['complaint-stage-2'].extended).toEqual({ workingDays: 65 });
    expect(policy.baseline['cic-visit'].longTerm).toEqual({ after: 'P1Y', deadline: { duration: 'P3M' } });
    expect(policy.baseline['conference-pre-meeting'].direction).toBe('before-meeting');
    expect(policy.baseline['iro-report'].meetingTypes).toEqual(['cic-review']);
    expect(policy.conferenceNotice.roles).toEqual(['deputy-lead', 'head-of-service']);
    expect(policy.baseline['cic-review-first'].basis.type).toBe('regulation');
    expect(policy.baseline.icpc.basis.type).toBe('statutory-guidance');
  });
});

describe('the Worcestershire Phase 2 overlay', () => {
  const policy = loadShippedPolicy('worcestershire-phase2');

  it('extends the national baseline without repeating it', () => {
    const raw = JSON.parse(readFileSync(path.join(SHIPPED_POLICY_DIR, 'worcestershire-phase2.json'), 'utf8'));
    expect(raw.extends).toBe('national');
    expect(raw.rules).toBeUndefined();
    expect(policy.baseline).toEqual(loadDefaultPolicy().baseline);
    expect(Object.keys(raw.overlays[0].rules)).not.toContain('icpc');
    expect(Object.keys(raw.overlays[0].rules)).not.toContain('first-review-conference');
  });

  it('is in force from 1 June 2020 (London date), with a review in mid-July', () => {
    expect(policy.overlays[0]).toMatchObject({ startDate: '2020-06-01', reviewDate: '2020-07-13' });
    // 23:30 GMT on 31 May is 00:30 BST on 1 June.
    expect(resolveRule(policy, 'review-conference', '2020-05-31T22:59:59.999Z').enabled).toBe(true);
    expect(resolveRule(policy, 'review-conference', '2020-05-31T23:00:00.000Z').enabled).toBe(false);
  });

  it('replaces review conferences with eight-weekly core groups chaired by team managers (section 3a)', () => {
    const coreGroup = resolveRule(policy, 'core-group', '2020-06-10T09:00:00Z');
    expect(coreGroup.deadline).toEqual({ duration: 'P8W' });
    expect(coreGroup.reminderRole).toBe('team-manager');
    expect(coreGroup.basis.reference).toMatch(/section 3a/);
    expect(coreGroup.overlayIds).toEqual(['wcf-phase2-2020']);
    expect(resolveRule(policy, 'review-conference', '2020-06-10T09:00:00Z').basis.reference).toMatch(/section 3a/);
  });

  it('keeps initial and first review conferences in statutory timescales', () => {
    const icpc = resolveRule(policy, 'icpc', '2020-06-10T09:00:00Z');
    expect(icpc.deadline).toEqual({ workingDays: 15 });
    expect(icpc.basis.type).toBe('statutory-guidance');
    expect(icpc.overlayIds).toEqual([]);
    expect(resolveRule(policy, 'first-review-conference', '2020-06-10T09:00:00Z').enabled).toBe(true);
  });

  it('runs fortnightly KIT calls on every tier and counts other professionals (sections 1b, 3c)', () => {
    const kit = resolveRule(policy, 'kit-call', '2020-06-10T09:00:00Z');
    expect(kit.deadline).toEqual({ duration: 'P14D' });
    expect(kit.tiers).toEqual(['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE']);
    expect(kit.countOtherContacts).toBe(true);
    expect(resolveRule(policy, 'kit-call', '2020-05-20T09:00:00Z').countOtherContacts).toBe(false);
  });

  it('cites its own sections for the 24-hour visit, the two-week programme and complaints', () => {
    expect(resolveRule(policy, 'initial-visit-high', '2020-06-10T09:00:00Z')).toMatchObject({
      deadline: { duration: 'PT24H' },
      basis: { type: 'local-protocol' },
    });
    expect(resolveRule(policy, 'initial-visit-high', '2020-06-10T09:00:00Z').basis.reference).toMatch(/section 1b/);
    expect(resolveRule(policy, 'initial-visit-priority', '2020-06-10T09:00:00Z').deadline).toEqual({ duration: 'P14D' });
    expect(resolveRule(policy, 'complaint-stage-1', '2020-06-10T09:00:00Z').basis.reference).toMatch(/section 10/);
  });
});

describe('overlay dating', () => {
  const doc = {
    id: 'dated',
    version: '1',
    name: 'Dated overlays',
    extends: 'national',
    overlays: [
      {
        id: 'short',
        name: 'Short protocol',
        basis: { type: 'local-protocol', reference: 'Local memo 1' },
        startDate: '2026-01-10',
        endDate: '2026-01-20',
        rules: { 'kit-call': { deadline: { duration: 'P7D' } } },
      },
      {
        id: 'later',
        name: 'Later protocol',
        basis: { type: 'local-protocol', reference: 'Local memo 2' },
        startDate: '2026-01-15',
        reviewDate: '2026-03-01',
        rules: { 'kit-call': { deadline: { duration: 'P10D' } } },
      },
    ],
  };
  const file = writePolicy('dated.json', doc);
  writePolicy('national.json', national());
  const policy = loadPolicyFile(file);

  it('applies an overlay only from its start date to its end date inclusive', () => {
    expect(resolveRule(policy, 'kit-call', '2026-01-09T23:59:59Z').deadline).toEqual({ duration: 'P14D' });
    expect(resolveRule(policy, 'kit-call', '2026-01-10T00:00:00Z').deadline).toEqual({ duration: 'P7D' });
    expect(resolveRule(policy, 'kit-call', '2026-01-10T00:00:00Z').basis.reference).toBe('Local memo 1');
  });

  it('lets a later overlay win where two are in force, and ends the first after its end date', () => {
    expect(resolveRule(policy, 'kit-call', '2026-01-16T12:00:00Z').overlayIds).toEqual(['short', 'later']);
    expect(resolveRule(policy, 'kit-call', '2026-01-16T12:00:00Z').deadline).toEqual({ duration: 'P10D' });
    expect(resolveRule(policy, 'kit-call', '2026-01-21T12:00:00Z').overlayIds).toEqual(['later']);
  });

  it('keeps an overlay in force after its review date until it is ended', () => {
    expect(resolveRule(policy, 'kit-call', '2026-06-01T12:00:00Z').deadline).toEqual({ duration: 'P10D' });
  });

  it('leaves the fields an overlay does not change as in the baseline', () => {
    const rule = resolveRule(policy, 'kit-call', '2026-01-12T12:00:00Z');
    expect(rule.reminders).toEqual(policy.baseline['kit-call'].reminders);
    expect(rule.tiers).toEqual(policy.baseline['kit-call'].tiers);
  });
});

describe('policy snapshots', () => {
  it('freeze the bank holidays with the rules, and validate', () => {
    const policy = loadDefaultPolicy();
    const snapshot = snapshotPolicy(policy, WorkingDayCalendar.englandAndWales(), { fromYear: 2020 });
    expect(snapshot.bankHolidays[0]?.date).toBe('2020-01-01');
    expect(snapshot.bankHolidays.map((h) => h.date)).toContain('2020-05-08');
    expect(PolicySnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it("include the policy's extra bank holidays for later years", () => {
    const policy = { ...loadDefaultPolicy(), extraBankHolidays: [{ date: '2031-01-01', name: "New Year's Day" }] };
    const snapshot = snapshotPolicy(policy, WorkingDayCalendar.englandAndWales());
    expect(snapshot.bankHolidays[snapshot.bankHolidays.length - 1]).toEqual({ date: '2031-01-01', name: "New Year's Day" });
  });
});

describe('policy files with a mistake are refused, naming the field and the reason', () => {
  const broken = (mutate: (doc: Record<string, any>) => void) => {
    const doc = national();
    mutate(doc);
    return writePolicy(`broken-${Math.random().toString(36).slice(2)}.json`, doc);
  };

  it.each([
    ['a deadline that is not a duration', (d: any) => (d.rules['kit-call'].deadline.duration = 'fortnight'), /^policy file .*: rules\.kit-call\.deadline\.duration: must be an ISO-8601 duration such as P14D/],
    ['a zero deadline', (d: any) => (d.rules.icpc.deadline = { duration: 'PT0S' }), /rules\.icpc\.deadline\.duration: must be longer than zero/],
    ['both a duration and working days', (d: any) => (d.rules.icpc.deadline = { duration: 'P14D', workingDays: 15 }), /rules\.icpc\.deadline: must give exactly one of duration/],
    ['fractional working days', (d: any) => (d.rules.icpc.deadline = { workingDays: 1.5 }), /rules\.icpc\.deadline\.workingDays: must be a whole number/],
    ['a missing kind', (d: any) => delete d.rules['rapid-review'], /rules\.rapid-review: /],
    ['an unknown kind', (d: any) => (d.rules['tea-break'] = d.rules.icpc), /rules: Unrecognized key.*tea-break/],
    ['a misspelt field', (d: any) => (d.rules.icpc.deadlne = d.rules.icpc.deadline), /rules\.icpc: Unrecognized key.*deadlne/],
    ['an unknown basis type', (d: any) => (d.rules.icpc.basis.type = 'hearsay'), /rules\.icpc\.basis\.type: must be one of regulation/],
    ['an unknown role', (d: any) => (d.rules.icpc.escalation[1].role = 'mayor'), /rules\.icpc\.escalation\.1\.role: /],
    ['levels out of order', (d: any) => (d.rules.icpc.escalation[1].level = 3), /rules\.icpc\.escalation\.1\.level: must be 2/],
    ['a flood of repeats', (d: any) => (d.rules.icpc.escalation[1].repeatEvery = 'PT5M'), /rules\.icpc\.escalation\.1\.repeatEvery: must be at least PT1H/],
    ['an unknown tier', (d: any) => (d.rules['kit-call'].tiers = ['LOW']), /rules\.kit-call\.tiers\.0: /],
    ['a wrong direction', (d: any) => (d.rules['kit-call'].direction = 'before-meeting'), /rules\.kit-call\.direction: must be "after-trigger"/],
    ['a negative reminder', (d: any) => (d.rules['kit-call'].reminders = ['-P3D']), /rules\.kit-call\.reminders\.0: must be an ISO-8601 duration/],
  ])('%s', (_name, mutate, message) => {
    const file = broken(mutate);
    expect(() => loadPolicyFile(file)).toThrow(message);
  });

  it('an overlay ending before it starts', () => {
    const file = writePolicy('bad-overlay.json', {
      id: 'bad',
      version: '1',
      name: 'Bad',
      extends: 'national',
      overlays: [
        {
          id: 'o1',
          name: 'Backwards',
          basis: { type: 'local-protocol', reference: 'Memo' },
          startDate: '2026-05-01',
          endDate: '2026-04-01',
          rules: {},
        },
      ],
    });
    expect(() => loadPolicyFile(file)).toThrow(/overlays\.0\.endDate: must not be before startDate 2026-05-01/);
  });

  it('an overlay with an impossible date or an unknown field in a rule', () => {
    const file = writePolicy('bad-date.json', {
      id: 'bad',
      version: '1',
      name: 'Bad',
      extends: 'national',
      overlays: [
        {
          id: 'o1',
          name: 'Typo',
          basis: { type: 'local-protocol', reference: 'Memo' },
          startDate: '2026-02-30',
          reviewDate: '2026-04-01',
          rules: { icpc: { dedline: { workingDays: 20 } } },
        },
      ],
    });
    expect(() => loadPolicyFile(file)).toThrow(/overlays\.0\.startDate: must be a calendar date.*overlays\.0\.rules\.icpc: Unrecognized key/);
  });

  it('a file that is not JSON, a missing file, and a missing parent', () => {
    expect(() => loadPolicyFile(writePolicy('not-json.json', '{ "id": '))).toThrow(/^policy file .*not-json\.json: not valid JSON/);
    expect(() => loadPolicyFile(path.join(dir, 'absent.json'))).toThrow(/absent\.json: no such file/);
    const empty = writePolicy('empty.json', { id: 'o', version: '1', name: 'O', extends: 'national', overlays: [] });
    expect(() => loadPolicyFile(empty)).toThrow(/overlays: must have at least one overlay/);
    const overlay = { id: 'o1', name: 'Memo', basis: { type: 'local-protocol', reference: 'Memo' }, startDate: '2026-01-01', reviewDate: '2026-02-01', rules: {} };
    const orphan = writePolicy('orphan.json', { id: 'o', version: '1', name: 'O', extends: 'nowhere', overlays: [overlay] });
    expect(() => loadPolicyFile(orphan)).toThrow(/^policy file nowhere\.json: no such file$/);
  });
});
