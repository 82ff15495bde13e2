/**
 * What the console's forms are made of (client/console/actions.ts declares each action's fields;
 * views/fields.tsx renders them), and the escaping the tests compare pages against.
 */
/**
 * Text as the views write it into a page (content or a quoted attribute): what Preact's renderer
 * escapes, `&`, `<` and `"`. A lone `>` opens nothing, so it is left as it is. Tests compare pages with it.
 */
export const esc = (s: string | number | undefined | null): string =>
  (s === undefined || s === null ? '' : String(s)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'select' | 'datetime' | 'email' | 'hidden' | 'date';
  options?: ReadonlyArray<string | { value: string; label: string }>;
  required?: boolean;
  help?: string;
  /** Suggestions for a text field (meeting ids, hold ids, ...). */
  suggestions?: readonly string[];
  placeholder?: string;
}
