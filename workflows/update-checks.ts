/**
 * The zod half of the case workflow's update validators: each update's input checked against its
 * schema, and required to be in normal form (what the schema gives back, as CaseClock's own
 * clients send it), so the handler can keep the input as sent without parsing it again.
 *
 * Loaded by workflow code only when a validator runs (a lazy `require` in ./case.ts), so a case
 * that is only keeping time never loads zod (docs/decisions/0003-shared-workflow-modules.md).
 */
import { canonicalJson } from '../domain/canonical-json';
import { CaseEvent } from '../domain/facts';
import { PolicySnapshotSchema } from '../domain/policy';
import { ApplyPolicyInput, CaseNoteInput, MoveTeamInput, ReassignInput, UpdateDetailsInput, WriteSummaryInput } from './inputs';
import { parseOrFail, refusal } from './validation';

/** The first path at which `sent` differs from `normal`, e.g. `at` or `details.contacts.iro.name`. */
function firstDifference(sent: unknown, normal: unknown, at: string[] = []): string[] {
  if (canonicalJson(sent) === canonicalJson(normal)) return [];
  if (sent !== null && normal !== null && typeof sent === 'object' && typeof normal === 'object' && !Array.isArray(sent)) {
    const keys = new Set([...Object.keys(sent), ...Object.keys(normal)]);
    for (const key of [...keys].sort()) {
      const inner = firstDifference((sent as Record<string, unknown>)[key], (normal as Record<string, unknown>)[key], [...at, key]);
      if (inner.length > 0) return inner;
    }
  }
  return at;
}

/** Parses `raw`, then refuses it unless it is already in the form the schema gives back. */
function normalForm<T>(parsed: T, raw: unknown, label: string): T {
  const diff = firstDifference(raw, parsed);
  if (canonicalJson(raw) !== canonicalJson(parsed)) {
    const field = diff.length > 0 ? diff.join('.') : '(input)';
    const normal = JSON.stringify(diff.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], parsed)) ?? 'nothing';
    throw refusal(label, [{ field, message: `not in normal form (send ${normal} as CaseClock's clients do)` }]);
  }
  return parsed;
}

export function checkRecordEvent(raw: unknown): CaseEvent {
  return normalForm(parseOrFail(CaseEvent, raw, 'recordEvent'), raw, 'recordEvent');
}

export function checkUpdateDetails(raw: unknown): UpdateDetailsInput {
  return normalForm(parseOrFail(UpdateDetailsInput, raw, 'updateDetails'), raw, 'updateDetails');
}

export function checkReassign(raw: unknown): ReassignInput {
  return normalForm(parseOrFail(ReassignInput, raw, 'reassign'), raw, 'reassign');
}

export function checkMoveTeam(raw: unknown): MoveTeamInput {
  return normalForm(parseOrFail(MoveTeamInput, raw, 'moveTeam'), raw, 'moveTeam');
}

export function checkNote(raw: unknown): CaseNoteInput {
  return normalForm(parseOrFail(CaseNoteInput, raw, 'recordNote'), raw, 'recordNote');
}

export function checkWriteSummary(raw: unknown): WriteSummaryInput {
  return normalForm(parseOrFail(WriteSummaryInput, raw, 'writeSummary'), raw, 'writeSummary');
}

export function checkApplyPolicy(raw: unknown): void {
  const input = parseOrFail(ApplyPolicyInput, raw, 'applyPolicy');
  normalForm(input, raw, 'applyPolicy');
  const snapshot = parseOrFail(PolicySnapshotSchema, input.snapshot, 'applyPolicy.snapshot');
  normalForm(snapshot, input.snapshot, 'applyPolicy.snapshot');
}
