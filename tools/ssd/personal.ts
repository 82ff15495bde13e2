/**
 * The SSD columns that hold a child's personal data, which CaseClock must never read: names, dates
 * of birth, ethnicity, nationality, the NHS number, addresses and postcodes (the child's and the
 * placement's), the UPN, and the free text inside the outcome columns (their COMMENTS). The
 * synthetic council puts a canary in every one of them, so a test can prove none ever reaches
 * CaseClock's workflows, record, emails or feeds.
 */
import type { SsdTableName } from './schemas';

export const PERSONAL_COLUMNS = {
  ssd_person: ['pers_forename', 'pers_surname', 'pers_ethnicity', 'pers_dob', 'pers_common_child_id', 'pers_nationality'],
  ssd_address: ['addr_address_json', 'addr_address_postcode'],
  ssd_linked_identifiers: ['link_identifier_value'],
  ssd_cla_placement: ['clap_cla_placement_postcode'],
  ssd_s47_enquiry: ['s47e_s47_outcome_json'],
  ssd_initial_cp_conference: ['icpc_icpc_outcome_json'],
} as const satisfies Partial<Record<SsdTableName, readonly string[]>>;

/** Every text canary starts with this; an NHS-like canary is a number in the NHS's test range. */
export const CANARY = 'CANARY-';

/**
 * NHS numbers beginning 999 are never issued (the range is kept for testing); the canaries are
 * valid by the modulus 11 check, so a scanner for NHS numbers finds them too.
 */
export const NHS_CANARY = /^999\d{7}$/;

/** The check digit of a nine-digit NHS number body, or undefined where none is valid (10). */
export function nhsCheckDigit(body: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(body[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? undefined : check;
}

/** Whether a personal column's text value is a canary (dates are checked by their presence). */
export const isCanaryText = (value: string): boolean => value.includes(CANARY) || (NHS_CANARY.test(value) && nhsCheckDigit(value.slice(0, 9)) === Number(value[9]));
