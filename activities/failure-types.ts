/**
 * Failure types shared by activities and workflows (workflow-safe: no Node built-ins).
 */

/** The SMTP server refused a message for good (5xx): retrying can never deliver it. */
export const PERMANENT_REJECTION_TYPE = 'SmtpPermanentRejection';
