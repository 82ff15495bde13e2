/** The legal time zone of every deadline (the README, "How time is counted"). Zod-free, for workflow code. */
export const LEGAL_ZONE = 'Europe/London';
