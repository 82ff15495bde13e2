/**
 * Failure types shared by activities and workflows (workflow-safe: no Node built-ins): part of the
 * workflow contract that activities may import (eslint.config.mjs).
 */

/** The SMTP server refused a message for good (5xx): retrying can never deliver it. */
export const PERMANENT_REJECTION_TYPE = 'SmtpPermanentRejection';

/**
 * The case-record store refused a batch for good (an entry it cannot take, or an entry id already
 * stored with other content): retrying the same batch can never succeed.
 */
export const CASE_RECORD_REFUSED_TYPE = 'CaseRecordRefused';
