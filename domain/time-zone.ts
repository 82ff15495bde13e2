/** The legal time zone of every deadline (DOMAIN.md "How to count time"). Zod-free, for workflow code. */
export const LEGAL_ZONE = 'Europe/London';
