/**
 * The SSD's codes (those of the DfE's SSDA903 looked-after return and the CIN census) in CaseClock's
 * vocabulary. A code not listed here is reported by the mapping, never guessed.
 */
import type { LegalStatus, PlacementType } from '../kinds';

/**
 * SSDA903 placement types as regulation 28 tells them apart. Long-term fostering (U1, U4) is the
 * placement intended to last until 18 (28(2)(c)(i)); P1 is placed with a parent. The return has no
 * code for a connected person temporarily approved (regulation 24) or for a placement with a parent
 * before assessment (regulation 19): U2, U3 and P1 cover them with others, so they read as general
 * and with-parent, and those rhythms need recording in CaseClock itself.
 */
export const PLACEMENT_TYPE_OF_CODE: Readonly<Record<string, PlacementType>> = {
  U1: 'until-18',
  U4: 'until-18',
  P1: 'with-parent',
  ...Object.fromEntries(['U2', 'U3', 'U5', 'U6', 'A3', 'A4', 'A5', 'A6', 'H5', 'K1', 'K2', 'P2', 'P3', 'R1', 'R2', 'R3', 'R5', 'S1', 'Z1'].map((c) => [c, 'general' as const])),
};

/**
 * SSDA903 temporary moves (hospital, holiday, a carer's holiday, seven days or less): the child keeps
 * the placement they return to, so these start no placement and no visiting clock of their own.
 */
export const TEMPORARY_PLACEMENT_CODES: ReadonlySet<string> = new Set(['T0', 'T1', 'T2', 'T3', 'T4']);

/** SSDA903 legal statuses. D1 (freeing order) is the placement order's predecessor. */
export const LEGAL_STATUS_OF_CODE: Readonly<Record<string, LegalStatus>> = {
  C1: 'interim-care-order',
  C2: 'care-order',
  D1: 'placement-order',
  E1: 'placement-order',
  V2: 'accommodated',
  V3: 'accommodated',
  V4: 'accommodated',
  J1: 'other',
  J2: 'other',
  J3: 'other',
  L1: 'other',
  L2: 'other',
  L3: 'other',
};

/** CIN census reasons for closing a case, in words (the case-closed event's reason: codes, never typed text). */
export const CIN_CLOSE_REASONS: Readonly<Record<string, string>> = {
  RC1: 'adopted',
  RC2: 'died',
  RC3: 'child arrangements order',
  RC4: 'special guardianship order',
  RC5: 'transferred to another local authority',
  RC6: 'transferred to adult social care',
  RC7: 'services ceased for any other reason, including the child no longer in need',
  RC8: 'case closed after assessment, no further action',
  RC9: 'case closed after assessment, referred to early help',
};

/** SSDA903 reasons a looked-after episode began: only S starts a period of care; the rest continue one. */
export const STARTED_TO_BE_LOOKED_AFTER = 'S';
/** SSDA903 reason an episode ceased: X1, a new episode began the same day (the period of care goes on). */
export const EPISODE_CONTINUES = 'X1';

const has = (table: Readonly<Record<string, unknown>>, code: string) => Object.prototype.hasOwnProperty.call(table, code);

export const placementTypeOfCode = (code: string): PlacementType | undefined => (has(PLACEMENT_TYPE_OF_CODE, code) ? PLACEMENT_TYPE_OF_CODE[code] : undefined);
export const legalStatusOfCode = (code: string): LegalStatus | undefined => (has(LEGAL_STATUS_OF_CODE, code) ? LEGAL_STATUS_OF_CODE[code] : undefined);
export const closeReasonOfCode = (code: string): string | undefined => (has(CIN_CLOSE_REASONS, code) ? CIN_CLOSE_REASONS[code] : undefined);
