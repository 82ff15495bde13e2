/**
 * Commands that record what happened on a case: tier changes, visits, KIT calls and other
 * contacts, meetings, missing episodes, complaints, referrals, assessments, strategy discussions,
 * looked-after episodes and placements, waivers, holds, acknowledgements and closure.
 * Every one takes `--as` (who acted), `--at` (when it happened; default now) and `--json`.
 */
import { Command } from 'commander';
import {
  AssessmentCompleted,
  CaseClosed,
  ChildReturned,
  ComplaintExtended,
  ComplaintReceived,
  ComplaintResponded,
  ContactRecorded,
  EscalationAcknowledged,
  HoldEnded,
  HoldStarted,
  LookedAfterEnded,
  LookedAfterStarted,
  MeetingCancelled,
  MeetingHeld,
  MeetingPostponed,
  MeetingScheduled,
  MissingEpisodeStarted,
  ObligationWaived,
  PlacementStarted,
  PreMeetingHeld,
  ReferralDecided,
  ReferralReceived,
  ReturnInterviewHeld,
  StrategyDiscussion,
  TierSet,
} from '../../domain/facts';
import { MEETING_TYPES, OBLIGATION_KINDS, RISK_TIERS } from '../../domain/kinds';
import { CliError } from '../cli-support';
import { commonOptions, type CommonOptions, numeric, quoted } from './common';
import { recordFromOptions } from './record';

type Opts = CommonOptions & Record<string, string | boolean | undefined>;

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** A case command with the options every recording command takes. */
function caseCommand(parent: Command, name: string, description: string): Command {
  const command = parent.command(name).description(description).argument('<caseId>', 'the case id');
  return commonOptions(command.option('--at <instant>', 'when it happened, ISO-8601 with offset (default: now)'));
}

/** Picks the action word (`started`, `received`, ...) or refuses it with the valid ones. */
function verb<V extends string>(value: string, valid: readonly V[], what: string): V {
  if ((valid as readonly string[]).includes(value)) return value as V;
  throw new CliError(`unknown ${what} ${quoted(value)}; use one of: ${valid.join(', ')}`);
}

export function register(program: Command): void {
  caseCommand(program, 'tier', 'set or change the risk tier (the clocks restart from the new tier)')
    .argument('<tier>', RISK_TIERS.join('|'))
    .option('--reason <text>', 'why (required)')
    .action((caseId: string, tier: string, o: Opts) =>
      recordFromOptions('case', caseId, TierSet, { type: 'tier-set', tier, reason: str(o['reason']) }, o),
    );

  caseCommand(program, 'visit', 'record a visit to the child')
    .option('--seen-alone', 'the child was seen alone')
    .option('--not-seen-alone', 'the child was not seen alone')
    .action((caseId: string, o: Opts) => {
      if (o['seenAlone'] === true && o['notSeenAlone'] === true) throw new CliError('--seen-alone and --not-seen-alone contradict each other');
      const childSeenAlone = o['seenAlone'] === true ? true : o['notSeenAlone'] === true ? false : undefined;
      return recordFromOptions(
        'case',
        caseId,
        ContactRecorded,
        { type: 'contact', contactType: 'visit', ...(childSeenAlone === undefined ? {} : { childSeenAlone }) },
        o,
      );
    });

  caseCommand(program, 'kit-call', 'record a keeping-in-touch call').action((caseId: string, o: Opts) =>
    recordFromOptions('case', caseId, ContactRecorded, { type: 'contact', contactType: 'kit-call' }, o),
  );

  caseCommand(program, 'contact', 'record contact by another professional (counts as keeping in touch where policy says so)').action(
    (caseId: string, o: Opts) => recordFromOptions('case', caseId, ContactRecorded, { type: 'contact', contactType: 'other' }, o),
  );

  const meeting = program.command('meeting').description('schedule, postpone, cancel or record meetings and conferences');
  caseCommand(meeting, 'schedule', 'schedule a meeting')
    .option('--meeting <id>', 'meeting id (required)')
    .option('--type <type>', `${MEETING_TYPES.join('|')} (required)`)
    .option('--date <instant>', 'when it will take place (required)')
    .action((caseId: string, o: Opts) =>
      recordFromOptions(
        'case',
        caseId,
        MeetingScheduled,
        { type: 'meeting-scheduled', meetingId: str(o['meeting']), meetingType: str(o['type']), scheduledFor: str(o['date']) },
        o,
      ),
    );
  caseCommand(meeting, 'postpone', 'postpone a scheduled meeting (the deputy lead and head of service are told)')
    .option('--meeting <id>', 'meeting id (required)')
    .option('--date <instant>', 'the new date (required)')
    .option('--reason <text>', 'why (required)')
    .action((caseId: string, o: Opts) =>
      recordFromOptions(
        'case',
        caseId,
        MeetingPostponed,
        { type: 'meeting-postponed', meetingId: str(o['meeting']), newDate: str(o['date']), reason: str(o['reason']) },
        o,
      ),
    );
  caseCommand(meeting, 'cancel', 'cancel a scheduled meeting (the deputy lead and head of service are told)')
    .option('--meeting <id>', 'meeting id (required)')
    .option('--reason <text>', 'why (required)')
    .action((caseId: string, o: Opts) =>
      recordFromOptions('case', caseId, MeetingCancelled, { type: 'meeting-cancelled', meetingId: str(o['meeting']), reason: str(o['reason']) }, o),
    );
  caseCommand(meeting, 'held', 'record that a meeting took place')
    .option('--meeting <id>', 'meeting id, if it was scheduled')
    .option('--type <type>', `${MEETING_TYPES.join('|')} (required)`)
    .option('--outcome <outcome>', 'cp-plan|no-plan|plan-ended')
    .action((caseId: string, o: Opts) =>
      recordFromOptions(
        'case',
        caseId,
        MeetingHeld,
        {
          type: 'meeting-held',
          meetingType: str(o['type']),
          ...(o['meeting'] !== undefined ? { meetingId: str(o['meeting']) } : {}),
          ...(o['outcome'] !== undefined ? { outcome: str(o['outcome']) } : {}),
        },
        o,
      ),
    );
  caseCommand(meeting, 'pre-meeting', 'record the chair and social worker pre-meeting before a conference')
    .option('--meeting <id>', 'the conference\'s meeting id (required)')
    .action((caseId: string, o: Opts) =>
      recordFromOptions('case', caseId, PreMeetingHeld, { type: 'pre-meeting-held', meetingId: str(o['meeting']) }, o),
    );

  caseCommand(program, 'missing', 'a missing episode: the child went missing, returned, or had the return interview')
    .argument('<event>', 'started|returned|interview')
    .action((caseId: string, what: string, o: Opts) => {
      const v = verb(what, ['started', 'returned', 'interview'] as const, 'missing-episode event');
      if (v === 'started') return recordFromOptions('case', caseId, MissingEpisodeStarted, { type: 'missing-started' }, o);
      if (v === 'returned') return recordFromOptions('case', caseId, ChildReturned, { type: 'child-returned' }, o);
      return recordFromOptions('case', caseId, ReturnInterviewHeld, { type: 'return-interview-held' }, o);
    });

  caseCommand(program, 'complaint', 'a complaint: received, extended (stage 1 only, 10 to 20 working days) or responded')
    .argument('<event>', 'received|extended|responded')
    .option('--id <complaintId>', 'complaint id (required)')
    .option('--stage <n>', '1 or 2 (required)')
    .option('--reason <text>', 'why it was extended (extended only)')
    .action((caseId: string, what: string, o: Opts) => {
      const v = verb(what, ['received', 'extended', 'responded'] as const, 'complaint event');
      const stage = str(o['stage']);
      if (stage !== undefined && stage !== '1' && stage !== '2') throw new CliError(`--stage ${quoted(stage)}: must be 1 or 2`);
      const fields = { complaintId: str(o['id']), stage: numeric(stage) };
      if (v === 'received') return recordFromOptions('case', caseId, ComplaintReceived, { type: 'complaint-received', ...fields }, o);
      if (v === 'responded') return recordFromOptions('case', caseId, ComplaintResponded, { type: 'complaint-responded', ...fields }, o);
      return recordFromOptions('case', caseId, ComplaintExtended, { type: 'complaint-extended', ...fields, reason: str(o['reason']) }, o);
    });

  caseCommand(program, 'referral', 'a referral was received, or the decision on it made')
    .argument('<event>', 'received|decided')
    .action((caseId: string, what: string, o: Opts) =>
      verb(what, ['received', 'decided'] as const, 'referral event') === 'received'
        ? recordFromOptions('case', caseId, ReferralReceived, { type: 'referral-received' }, o)
        : recordFromOptions('case', caseId, ReferralDecided, { type: 'referral-decided' }, o),
    );

  caseCommand(program, 'assessment', 'the child and family assessment was completed')
    .argument('<event>', 'completed')
    .action((caseId: string, what: string, o: Opts) => {
      verb(what, ['completed'] as const, 'assessment event');
      return recordFromOptions('case', caseId, AssessmentCompleted, { type: 'assessment-completed' }, o);
    });

  caseCommand(program, 'strategy', 'a strategy discussion took place (starts the initial conference clock)').action(
    (caseId: string, o: Opts) => recordFromOptions('case', caseId, StrategyDiscussion, { type: 'strategy-discussion' }, o),
  );

  caseCommand(program, 'looked-after', 'the child became, or stopped being, looked after')
    .argument('<event>', 'started|ended')
    .action((caseId: string, what: string, o: Opts) =>
      verb(what, ['started', 'ended'] as const, 'looked-after event') === 'started'
        ? recordFromOptions('case', caseId, LookedAfterStarted, { type: 'looked-after-started' }, o)
        : recordFromOptions('case', caseId, LookedAfterEnded, { type: 'looked-after-ended' }, o),
    );

  caseCommand(program, 'placement', 'a looked-after child started a placement')
    .option('--id <placementId>', 'placement id (required)')
    .action((caseId: string, o: Opts) =>
      recordFromOptions('case', caseId, PlacementStarted, { type: 'placement-started', placementId: str(o['id']) }, o),
    );

  caseCommand(program, 'waive', 'waive one open obligation (see `caseclock show` for ids)')
    .argument('<obligationId>', 'the obligation id, e.g. kit-call@2026-03-02T10:00:00.000Z')
    .option('--reason <text>', 'why (required)')
    .action((caseId: string, obligationId: string, o: Opts) =>
      recordFromOptions('case', caseId, ObligationWaived, { type: 'obligation-waived', obligationId, reason: str(o['reason']) }, o),
    );

  caseCommand(program, 'hold', 'pause one clock (--kind) or every clock of the case')
    .option('--id <holdId>', 'hold id, to resume it later (required)')
    .option('--kind <kind>', `the obligation kind to pause (default: all): ${OBLIGATION_KINDS.join(', ')}`)
    .option('--reason <text>', 'why (required)')
    .action((caseId: string, o: Opts) =>
      recordFromOptions(
        'case',
        caseId,
        HoldStarted,
        { type: 'hold-started', holdId: str(o['id']), reason: str(o['reason']), ...(o['kind'] !== undefined ? { kind: str(o['kind']) } : {}) },
        o,
      ),
    );

  caseCommand(program, 'resume', 'end a hold').option('--id <holdId>', 'the hold id (required)').action((caseId: string, o: Opts) =>
    recordFromOptions('case', caseId, HoldEnded, { type: 'hold-ended', holdId: str(o['id']) }, o),
  );

  caseCommand(program, 'ack', 'acknowledge an escalation of an overdue obligation')
    .argument('<obligationId>', 'the obligation id')
    .option('--level <n>', 'the escalation level acknowledged (required)')
    .action((caseId: string, obligationId: string, o: Opts) => {
      const level = str(o['level']);
      if (level !== undefined && !/^[1-9]$/.test(level)) throw new CliError(`--level ${quoted(level)}: must be a whole number from 1 to 9`);
      return recordFromOptions(
        'case',
        caseId,
        EscalationAcknowledged,
        { type: 'escalation-acknowledged', obligationId, level: numeric(level) },
        o,
      );
    });

  caseCommand(program, 'close', 'close the case (its open obligations are superseded)')
    .option('--reason <text>', 'why (required)')
    .action((caseId: string, o: Opts) => recordFromOptions('case', caseId, CaseClosed, { type: 'case-closed', reason: str(o['reason']) }, o));
}
