/**
 * A second process for the case-record store tests (run with tsx). Connects, prints "ready",
 * waits for "go" on stdin so that two of them start at the same moment, then:
 *
 *   store-child.ts append URL ENTRIES.json forward|reverse BATCH   appends the entries in batches
 *   store-child.ts migrate URL                                      runs the migrations
 *
 * and prints one JSON line with what it did; any failure exits 1 with the message on stderr.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { migrateCaseRecordStore, openCaseRecordStore, type CaseRecordEntryInput } from '../../store/case-record-store';

function waitForGo(): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'go') {
        resolve(); // before close(), whose 'close' event would reject first
        lines.close();
      }
    });
    lines.once('close', () => reject(new Error('stdin closed before "go"')));
  });
}

async function main(): Promise<void> {
  const [mode, url, ...rest] = process.argv.slice(2);
  if (!url) throw new Error('usage: store-child.ts append|migrate URL ...');
  if (mode === 'migrate') {
    process.stdout.write('ready\n');
    await waitForGo();
    const applied = await migrateCaseRecordStore(url);
    process.stdout.write(`${JSON.stringify({ applied })}\n`);
    return;
  }
  if (mode === 'append') {
    const [file, order, batch] = rest;
    const entries = JSON.parse(readFileSync(String(file), 'utf8')) as CaseRecordEntryInput[];
    if (order === 'reverse') entries.reverse();
    const size = Number(batch ?? '10');
    const store = openCaseRecordStore(url, { poolSize: 2 });
    await store.caseRecord('warm-up'); // connected before the start signal
    process.stdout.write('ready\n');
    await waitForGo();
    let stored = 0;
    let alreadyThere = 0;
    for (let i = 0; i < entries.length; i += size) {
      const result = await store.append(entries.slice(i, i + size));
      stored += result.stored;
      alreadyThere += result.alreadyThere;
    }
    await store.close();
    process.stdout.write(`${JSON.stringify({ stored, alreadyThere })}\n`);
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
