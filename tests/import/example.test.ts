/**
 * The README's example import (docs/examples/import-example.csv), read as `caseclock import` reads
 * it and each case evaluated by the deadline engine as it opens, on the default national policy, on
 * 7 December 2026 (no Temporal): it opens with nothing overdue that is not truly overdue. In
 * particular its looked-after child, with two reviews behind it, owes its six-monthly review (not
 * a "second review within three months"), and its child on a plan has had its first review conference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImportFile } from '../../client/import/rows';
import { evaluateCase, type CaseEvaluation } from '../../domain/engine';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { openingOf } from '../../workflows/inputs';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLE = readFileSync(path.join(ROOT, 'docs/examples/import-example.csv'), 'utf8');
const NOW = new Date('2026-12-07T09:00:00Z');
const POLICY = loadDefaultSnapshot();

/** Each case of the example as it opens at NOW (its opening as the case workflow makes it). */
function evaluated(): Map<string, CaseEvaluation> {
  const file = readImportFile(EXAMPLE, 'admin', NOW);
  expect(file.problems).toEqual([]);
  const cases = new Map<string, CaseEvaluation>();
  for (const row of file.rows) {
    const opening = openingOf(row.input, NOW);
    expect(opening.problems).toEqual([]);
    cases.set(row.caseId, evaluateCase({ facts: { caseId: row.caseId, openedAt: opening.openedAt, events: opening.events, sent: [] }, policies: [POLICY], now: NOW.toISOString() }));
  }
  return cases;
}

describe('the README example import', () => {
  it('is the file the README shows', () => {
    const readme = readFileSync(path.join(ROOT, 'docs/import.md'), 'utf8');
    expect(readme).toContain(`\`\`\`csv\n${EXAMPLE}\`\`\`\n`);
  });

  it('reads with every row good and no warning', () => {
    const file = readImportFile(EXAMPLE, 'admin', NOW);
    expect(POLICY).toMatchObject({ id: 'national', version: '2026.2' });
    expect(file.rows.map((r) => r.caseId)).toEqual(['WCF-10001', 'WCF-10002', 'WCF-10003', 'WCF-10004']);
    expect(file.problems).toEqual([]);
    expect(file.warnings).toEqual([]);
  });

  it('opens with only what is truly overdue overdue', () => {
    const overdue = [...evaluated()].flatMap(([caseId, e]) => e.open.filter((o) => !o.onHold && o.dueAt < NOW.toISOString()).map((o) => [caseId, o.kind, o.dueAt]));
    expect(overdue).toEqual([
      // WCF-10001: PRIORITY, last visit 16/11/2026 10:30, fortnightly visit due 30/11/2026 10:30.
      ['WCF-10001', 'visit-priority', '2026-11-30T10:30:00.000Z'],
      // WCF-10003: VULNERABLE, no keeping-in-touch call in the file; its last contact is the visit of
      // 10/11/2026, so a call was due by 24/11/2026.
      ['WCF-10003', 'kit-call', '2026-11-24T00:00:00.000Z'],
    ]);
  });

  it('no case owes a second review or a first review conference: the next of each is the six-monthly one', () => {
    const cases = evaluated();
    for (const [, e] of cases) expect(e.open.map((o) => o.kind)).not.toEqual(expect.arrayContaining(['cic-review-second']));
    for (const [, e] of cases) expect(e.open.map((o) => o.kind)).not.toEqual(expect.arrayContaining(['first-review-conference']));
    // WCF-10003: looked after since 05/01/2026, two reviews held, the last on 01/07/2026: the next by 01/01/2027.
    expect(
      cases
        .get('WCF-10003')
        ?.open.filter((o) => o.kind.startsWith('cic-review'))
        .map((o) => [o.kind, o.dueAt]),
    ).toEqual([['cic-review', '2027-01-01T00:00:00.000Z']]);
    // WCF-10002: plan since 14/09/2026, its first review conference on 30/11/2026: the next by 30/05/2027
    // (the one booked for 15/03/2027 is in time).
    const conferences = cases.get('WCF-10002')?.obligations.filter((o) => o.kind.endsWith('review-conference'));
    expect(conferences?.map((o) => [o.kind, o.status, o.dueAt])).toEqual([
      ['first-review-conference', 'met', '2026-12-14T00:00:00.000Z'],
      ['review-conference', 'open', '2027-05-29T23:00:00.000Z'],
    ]);
  });
});
