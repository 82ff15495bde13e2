/**
 * The sync from the council's case system (SSD): `ssd reconcile`, the console's reconciliation page
 * (/admin/reconciliation) on the command line: the reviews the case system planned on other dates
 * than CaseClock's deadlines, the visits, reviews and conferences recorded in CaseClock that it lacks,
 * and the children whose team or worker CaseClock does not know. Reads only; as text, --json or --csv.
 */
import type { Command } from 'commander';
import { SECTION_ORDER, type ReconciliationRow } from '../../../domain/ssd/reconcile';
import { redactUrl } from '../../../store/case-record-store';
import { SsdSourceError } from '../../../store/ssd-source';
import { openStore } from '../../case-record';
import { openReconciliationSources, readReconciliation, reconciliationCsv, type Reconciliation } from '../../reconciliation';
import { CliError, output } from '../support';
import { commonOptions, firstLine, loadConfig } from './common';

const HEADINGS = {
  'dates-disagree': 'Dates that disagree',
  'caseclock-only': 'Recorded in CaseClock, not in the case system',
  'not-known-in-caseclock': 'Teams and workers CaseClock does not know',
} as const;

function rowLine(r: ReconciliationRow): string {
  const dates = [r.sourceDate === null ? '' : `case system ${r.sourceDate}`, r.caseclockDate === null ? '' : `CaseClock ${r.caseclockDate}`].filter(Boolean).join(', ');
  return `  ${r.caseId ?? `(no case) person ${r.personId}`}  ${r.team ?? '-'}  ${r.what}${dates ? `  [${dates}]` : ''}`;
}

function text(result: Reconciliation): string {
  const lines = [`read at ${result.readAt}${result.run ? `; teams and workers from sync run ${result.run.id}` : '; no sync run has finished yet'}`];
  for (const section of SECTION_ORDER) {
    lines.push(`${HEADINGS[section]} (${result.counts[section]})`);
    const rows = result.rows.filter((r) => r.section === section);
    lines.push(...(rows.length > 0 ? rows.map(rowLine) : ['  nothing to reconcile']));
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  const ssd = program.command('ssd').description("the sync from the council's case system (CASECLOCK_SSD_SOURCE)");

  commonOptions(ssd.command('reconcile').description('what only CaseClock can see: planned reviews on other dates, events the case system lacks, teams and workers CaseClock does not know'), false)
    .option('--csv', 'print the rows as CSV, as the console downloads them')
    .action(async (o: { json?: boolean; csv?: boolean }) => {
      if (o.json === true && o.csv === true) throw new CliError('--json and --csv: choose one');
      const config = loadConfig();
      const store = openStore(config);
      const sources = openReconciliationSources(config, store);
      try {
        if (!sources) throw new CliError('CASECLOCK_SSD_SOURCE is not set: there is no case system to reconcile with', 78);
        let result: Reconciliation;
        try {
          result = await readReconciliation(sources);
        } catch (err) {
          if (err instanceof SsdSourceError) throw new CliError(`cannot read the case system: ${firstLine(err)}`, 69);
          throw new CliError(`cannot read the reconciliation from ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}`, 69);
        }
        if (o.csv === true) process.stdout.write(reconciliationCsv(result.rows));
        else output(o.json === true, result, () => text(result));
      } finally {
        await sources?.close().catch(() => undefined);
        await store.close().catch(() => undefined);
      }
    });
}
