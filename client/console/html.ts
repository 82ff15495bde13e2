/**
 * The escaping the views' renderer applies, for tests to compare pages against, and the field
 * declarations' type (client/actions/fields.ts) where the views import it.
 */
export type { FieldSpec } from '../actions/fields';

/**
 * Text as the views write it into a page (content or a quoted attribute): what Preact's renderer
 * escapes, `&`, `<` and `"`. A lone `>` opens nothing, so it is left as it is.
 */
export const esc = (s: string | number | undefined | null): string => (s === undefined || s === null ? '' : String(s)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
