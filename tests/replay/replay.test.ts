/**
 * Replay safety: every history saved in tests/replay/histories/ (recorded by
 * tests/replay/record-histories.ts from real runs of the case, incident and SSD sync workflows) is replayed
 * against the current workflow code. A change that would make running cases fail on the next
 * worker deploy (an activity or timer added, removed or reordered, a changed condition that
 * alters the commands) fails here with Temporal's nondeterminism error.
 * See tests/replay/README.md for re-recording and for changing workflow code safely.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, type ReplayResult, type WorkflowBundlePath } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCaseWorkflows, installTestRuntime } from '../support/temporal-env';
import { historyFromJsonValue } from './history-json';
import type { HistoryFixture } from './record-histories';

const HISTORIES_DIR = path.join(__dirname, 'histories');
/** The scenarios record-histories.ts saves: losing one silently would hollow the test out. */
const EXPECTED = [
  'case-record-store-continue-as-new-run-1',
  'case-record-store-continue-as-new-run-2',
  'continue-as-new-run-1',
  'continue-as-new-run-2',
  'conventions-2',
  'daily-digest-bank-holiday',
  'daily-digest-working-day',
  'high-immediate-missed-escalated',
  'hold-and-resume',
  'imported-case',
  'incident-start-attributes',
  'independent-sends-continue-as-new-run-1',
  'independent-sends-continue-as-new-run-2',
  'independent-sends-outage',
  'lean-loop-continue-as-new-run-1',
  'lean-loop-continue-as-new-run-2',
  'lean-loop',
  'meetings',
  'opening-in-task',
  'priority-visits',
  'recorded-sends-continue-as-new-run-1',
  'recorded-sends-continue-as-new-run-2',
  'recorded-sends',
  'serious-incident',
  'settled-state-run-1',
  'settled-state-run-2',
  'small-answer-admin',
  'ssd-case-checked',
  'ssd-sync-run',
  'summary-opening',
  'undeliverable',
  'waiver-and-admin',
];

const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const fixtures = files.map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as HistoryFixture) }));

let bundle: WorkflowBundlePath;
/** Replay results by fixture file, in the order replayed. */
const results = new Map<string, ReplayResult>();

beforeAll(async () => {
  installTestRuntime();
  bundle = await bundleCaseWorkflows();
  const histories = fixtures.map((f) => ({ workflowId: f.workflowId, history: historyFromJsonValue(f.history) }));
  let i = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'caseclock-replay' }, histories)) {
    results.set(fixtures[i++]!.file, result);
  }
});

describe('saved histories replay against the current workflow code', () => {
  it('holds every recorded scenario', () => {
    expect(fixtures.map((f) => f.scenario)).toEqual(EXPECTED);
    expect(fixtures.map((f) => f.file)).toEqual(EXPECTED.map((s) => `${s}.json`));
  });

  it('replays every history it holds', () => {
    expect([...results.keys()]).toEqual(files);
  });

  it.each(fixtures.map((f) => [f.scenario, f] as const))('%s', (_name, fixture) => {
    const result = results.get(fixture.file);
    expect(result, `${fixture.file} was not replayed`).toBeDefined();
    // The error names the nondeterminism (e.g. "[TMPRL1100] Nondeterminism error: ...").
    expect(result?.error?.message ?? 'replayed cleanly', `${fixture.description} (${fixture.workflowType} ${fixture.workflowId})`).toBe('replayed cleanly');
    expect(result?.workflowId).toBe(fixture.workflowId);
  });
});
