/**
 * Text trimming in linear time, for input from outside (request paths, typed values). Patterns
 * such as `/\/+$/` or `/\s+$/` retry the run from every position, quadratic on a long run.
 */

/** `text` without any trailing run of `char` (one character). */
export function withoutTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
}
