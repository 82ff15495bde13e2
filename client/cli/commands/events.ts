/**
 * Commands that record what happened on a case: tier changes, visits, KIT calls and other
 * contacts, meetings, missing episodes, complaints, referrals, assessments, strategy discussions,
 * looked-after episodes and placements, waivers, holds, acknowledgements and closure.
 * Every one takes `--as` (who acted), `--at` (when it happened; default now) and `--json`.
 * Each is built from the case action's one declaration (client/actions/case-actions.ts), which
 * the console's forms are built from too.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { CaseEvent } from '../../../domain/facts';
import { actionBySlug } from '../../actions/case-actions';
import { CliError } from '../support';
import { commonOptions, type CommonOptions, instantOption, quoted } from './common';
import { recordFromOptions } from './record';

type Opts = CommonOptions & Record<string, string | boolean | undefined>;

/** A case (or incident) command with the options every recording command takes. */
function caseCommand(parent: Command, name: string, description: string, subject: 'case' | 'incident' = 'case'): Command {
  const command = parent.command(name).description(description).argument(`<${subject}Id>`, `the ${subject} id`);
  return commonOptions(command.option('--at <when>', 'when it happened, UK time as typed, e.g. "30/11/2026 10:30" (or an instant with an offset; default: now)'));
}

/** Picks the action word (`started`, `received`, ...) or refuses it with the valid ones. */
function verb<V extends string>(value: string, valid: readonly V[], what: string): V {
  if ((valid as readonly string[]).includes(value)) return value as V;
  throw new CliError(`unknown ${what} ${quoted(value)}; use one of: ${valid.join(', ')}`);
}

/** Commander's attribute for a flag: `--meeting` → `meeting`, `--seen-alone` → `seenAlone`. */
const attributeOf = (flag: string): string =>
  flag
    .slice(2)
    .split('-')
    .map((part, i) => (i === 0 ? part : `${part.charAt(0).toUpperCase()}${part.slice(1)}`))
    .join('');

/**
 * Whether a switch was given. Commander keeps `--no-x` as `x`, true unless `--no-x` is given
 * (then false); any other switch is its own attribute, true when given.
 */
const switchedOn =
  (o: Opts) =>
  (sw: { flag: string }): boolean =>
    sw.flag.startsWith('--no-') ? o[attributeOf(`--${sw.flag.slice(5)}`)] === false : o[attributeOf(sw.flag)] === true;

/**
 * A recording command built from the action's one declaration (client/actions/case-actions.ts):
 * its words, description, and a flag or argument for each of the form's fields; the event is
 * the action's fixed fields plus what was typed, validated by the action's schema.
 */
export function declaredCommand(parent: Command, slug: string): void {
  const action = actionBySlug(slug);
  const cli = action?.cli;
  const event = action?.event;
  const name = cli?.command[cli.command.length - 1];
  if (!action || !cli || !event || name === undefined) throw new Error(`case action ${slug} declares no command line`);
  const subject = action.subject;
  const command = caseCommand(parent, name, cli.description, subject);
  const inputs = Object.entries(cli.inputs);
  const positional = inputs.filter(([, i]) => 'argument' in i);
  for (const [, i] of inputs) {
    if ('argument' in i) command.argument(`<${i.argument}>`, i.help);
    else if ('switches' in i) for (const sw of i.switches) command.option(sw.flag, sw.help);
    else command.option(`${i.flag} <${i.value}>`, i.help);
  }
  // Date and time fields are read as UK local time as typed, as --at is (instantOption).
  const datetimes = new Set(action.fields(undefined).flatMap((f) => (f.type === 'datetime' ? [f.name] : [])));
  // How each field is called on the command line, for the one-line refusals.
  const names = Object.fromEntries(inputs.map(([field, i]) => [field, 'argument' in i ? `<${i.argument}>` : 'switches' in i ? (i.switches[0]?.flag ?? field) : i.flag]));
  command.action((caseId: string, ...rest: unknown[]) => {
    const o = rest[positional.length] as Opts;
    const values: Record<string, string> = {};
    for (const [field, i] of inputs) {
      if ('switches' in i) {
        const on = i.switches.filter(switchedOn(o));
        if (on.length > 1) throw new CliError(`${on.map((sw) => sw.flag).join(' and ')} contradict each other`);
        if (on[0]) values[field] = on[0].value;
        continue;
      }
      const value = 'argument' in i ? rest[positional.findIndex(([f]) => f === field)] : o[attributeOf(i.flag)];
      if (typeof value !== 'string') continue;
      if (!('argument' in i) && i.accepts && !i.accepts.test(value)) throw new CliError(`${i.flag} ${quoted(value)}: ${i.accepts.says}`);
      if (!('argument' in i) && datetimes.has(field)) {
        values[field] = instantOption(value, i.flag);
        continue;
      }
      // A word for one of the field's choices (`started` → `missing-started`), or a refusal listing the words.
      values[field] = 'argument' in i && i.words ? (i.words[verb(value, Object.keys(i.words), i.what ?? i.argument)] ?? value) : value;
    }
    // An incident's events carry its id.
    const fields = { ...event.build(values), ...(subject === 'incident' ? { incidentId: caseId } : {}) };
    return recordFromOptions(subject, caseId, event.schema as z.ZodType<CaseEvent>, fields, o, names);
  });
}

export function register(program: Command): void {
  declaredCommand(program, 'tier');

  declaredCommand(program, 'visit');

  declaredCommand(program, 'kit-call');
  declaredCommand(program, 'contact');

  const meeting = program.command('meeting').description('schedule, postpone, cancel or record meetings and conferences');
  for (const slug of ['meeting-schedule', 'meeting-postpone', 'meeting-cancel', 'meeting-held', 'pre-meeting']) declaredCommand(meeting, slug);

  declaredCommand(program, 'missing');

  declaredCommand(program, 'complaint');

  declaredCommand(program, 'referral');

  declaredCommand(program, 'assessment');

  declaredCommand(program, 'strategy');

  declaredCommand(program, 'looked-after');

  declaredCommand(program, 'placement');

  declaredCommand(program, 'waive');

  declaredCommand(program, 'hold');

  declaredCommand(program, 'resume');

  declaredCommand(program, 'ack');

  declaredCommand(program, 'close');
}
