/**
 * `caseclock due <kind> --from <when> [--policy <file>] [--json]`: when one obligation is due
 * if its clock starts at `--from` (UK local time as typed, or an instant with an offset; for kinds
 * counted back from a meeting, `--from` is the meeting), under the shipped national policy or a
 * policy file, exactly as the deadline engine counts it.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CalendarCoverageError, WorkingDayCalendar } from '../../../domain/calendar';
import { toLocalIso } from '../../../domain/durations';
import { isoDurationInWords } from '../../../domain/wording';
import { dueFor } from '../../../domain/engine';
import { readUkDateTime } from '../../../domain/as-typed';
import { LEGAL_ZONE, OBLIGATION_KINDS, type ObligationKind } from '../../../domain/kinds';
import type { Basis, Deadline, EscalationStep, Policy } from '../../../domain/policy';
import { loadDefaultPolicy, loadPolicyFile, PolicyError } from '../../../domain/policy-loader';
import { CliError, output } from '../support';
import { quoted } from './common';

const DueOptions = z.object({
  kind: z.string().refine((k): k is ObligationKind => (OBLIGATION_KINDS as readonly string[]).includes(k), {
    error: (issue) => `unknown obligation kind ${quoted(String(issue.input))}; valid kinds: ${OBLIGATION_KINDS.join(', ')}`,
  }),
  // UK local time as typed, or an instant with an offset, as every date option (domain/as-typed.ts).
  from: z.string({ error: '--from is required, e.g. --from "28/03/2026 20:30"' }).transform((value, ctx) => {
    const read = readUkDateTime(value);
    if (read.ok) return read.instant;
    ctx.issues.push({ code: 'custom', input: value, message: `--from ${quoted(value)} ${read.problem}` });
    return z.NEVER;
  }),
  policy: z.string().min(1, '--policy needs a file path').optional(),
  json: z.boolean().default(false),
});

export interface DueReport {
  kind: ObligationKind;
  title: string;
  /** The trigger (or, for kinds counted back from a meeting, the meeting). */
  from: string;
  fromLocal: string;
  dueAt: string;
  dueLocal: string;
  direction: 'after-trigger' | 'before-meeting';
  rule: { deadline: Deadline; reminders: string[]; escalation: EscalationStep[]; overlays: string[] };
  basis: Basis;
  policy: { id: string; version: string; name: string };
}

/** Validates the input and works out the deadline; throws CliError with one line on bad input. */
export function dueReport(rawKind: unknown, rawOptions: Record<string, unknown>): DueReport {
  const parsed = DueOptions.safeParse({ ...rawOptions, kind: rawKind });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(issue?.message ?? 'invalid input');
  }
  const { kind, from, policy: policyFile } = parsed.data;
  const policy = loadPolicy(policyFile);
  let result: ReturnType<typeof dueFor>;
  try {
    result = dueFor(policy, kind as ObligationKind, from, WorkingDayCalendar.englandAndWales(policy.extraBankHolidays));
  } catch (err) {
    if (err instanceof CalendarCoverageError) throw new CliError(`--from ${quoted(String(rawOptions['from']))}: ${err.message}`);
    throw err;
  }
  const { rule, dueAt } = result;
  if (!rule.enabled) {
    const by = rule.overlayIds.length > 0 ? ` by overlay ${rule.overlayIds.join(', ')}` : '';
    throw new CliError(`${kind} is switched off${by} in policy ${policy.id} ${policy.version} on ${localDate(from)}`);
  }
  return {
    kind: rule.kind,
    title: rule.title,
    from,
    fromLocal: toLocalIso(from),
    dueAt,
    dueLocal: toLocalIso(dueAt),
    direction: rule.direction,
    rule: { deadline: rule.deadline, reminders: rule.reminders, escalation: rule.escalation, overlays: rule.overlayIds },
    basis: rule.basis,
    policy: { id: policy.id, version: policy.version, name: policy.name },
  };
}

function loadPolicy(file: string | undefined): Policy {
  try {
    return file === undefined ? loadDefaultPolicy() : loadPolicyFile(file);
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(err.message);
    throw err;
  }
}

function localDate(instant: string): string {
  return DateTime.fromISO(instant, { zone: LEGAL_ZONE }).toFormat('yyyy-MM-dd');
}

function readable(instant: string): string {
  return DateTime.fromISO(instant, { zone: LEGAL_ZONE }).setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ');
}

function describeDeadline(report: DueReport): string {
  const d = report.rule.deadline;
  const amount = d.workingDays !== undefined ? `${d.workingDays} working day${d.workingDays === 1 ? '' : 's'}` : isoDurationInWords(d.duration ?? '');
  return report.direction === 'before-meeting' ? `${amount} before the meeting` : `${amount} after the trigger`;
}

/** The text output: no citation of the rule's source document (that stays in --json). */
export function formatDueReport(r: DueReport): string {
  const overlays = r.rule.overlays.length > 0 ? ` (overlays: ${r.rule.overlays.join(', ')})` : '';
  return [
    `${r.kind}: ${r.title}`,
    `  ${r.direction === 'before-meeting' ? 'meeting' : 'from   '} ${readable(r.from)}  (${r.from})`,
    `  due     ${readable(r.dueAt)}  (${r.dueAt})`,
    `  rule    ${describeDeadline(r)}`,
    `  policy  ${r.policy.id} ${r.policy.version}${overlays}`,
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('due')
    .description('when an obligation is due if its clock starts at --from (for meeting preparation, --from is the meeting)')
    .argument('<kind>', `obligation kind: ${OBLIGATION_KINDS.join(', ')}`)
    .option('--from <when>', 'UK local time, e.g. "28/03/2026 20:30" (or an instant with an offset)')
    .option('--policy <file>', 'policy JSON file (default: the shipped national baseline)')
    .option('--json', 'print one JSON object')
    .action((kind: string, options: Record<string, unknown>) => {
      const report = dueReport(kind, options);
      output(options['json'] === true, report, () => formatDueReport(report));
    });
}
