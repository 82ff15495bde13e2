/**
 * The console's live countdown (static/console.js, run in the browser) says how soon or how late
 * in exactly the words the server, the command line and the emails use (domain/wording.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { dueIn } from '../../domain/wording';

const SCRIPT = readFileSync(path.join(__dirname, '../../client/console/static/console.js'), 'utf8');

/** Runs console.js against one countdown element at `now`, and returns the text it wrote. */
function countdown(dueAt: string, now: number): string {
  const element = { textContent: '', getAttribute: () => dueAt, classList: { toggle: () => undefined } };
  let ready: (() => void) | undefined;
  const context = {
    Date: { now: () => now, parse: Date.parse },
    isNaN,
    Math,
    setInterval: () => 0,
    window: { confirm: () => true },
    document: {
      addEventListener: (_event: string, fn: () => void) => (ready = fn),
      querySelectorAll: (selector: string) => (selector.startsWith('time') ? [element] : []),
    },
  };
  vm.runInNewContext(SCRIPT, context);
  ready?.();
  return element.textContent;
}

describe('the live countdown', () => {
  const due = '2026-12-01T12:00:00.000Z';
  const offsets = [0, 400, 4_000, 59_999, 60_000, 178_000, 3_599_999, 3_600_000, 11_100_000, 86_399_999, 86_400_000, 187_200_000, 1_209_600_000];
  it.each(offsets.flatMap((ms) => [ms, -ms]))('%d ms from the deadline reads as the server says it', (offset) => {
    const now = Date.parse(due) + offset;
    expect(countdown(due, now)).toBe(dueIn(due, new Date(now).toISOString()));
  });
});
