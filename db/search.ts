/**
 * A search box's text as a LIKE pattern that finds it anywhere in a column. `%` and `_` typed by
 * a user are literal characters, not wildcards (a search for "100%" must not match everything),
 * so they and the escape character itself are escaped with MySQL's default escape, the backslash.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** The same for a prefix search (an ID card number typed from its start). */
export function prefixPattern(text: string): string {
  return `${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}
