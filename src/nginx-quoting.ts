// How text is written inside a double-quoted nginx token: shared by the renderer's encoders and by
// validation, which sizes values before anything is rendered.

/**
 * Escapes text for a double-quoted nginx token. nginx's lexer turns `\"`, `\'`, `\\` into the
 * character and `\t`, `\r`, `\n` into control characters, and keeps every other backslash
 * pair as is; so a backslash is doubled only where the lexer would consume it. Regexes stay
 * readable (`\d` is written `\d`) and the token means exactly `value`.
 */
export function quoteContent(value: string): string {
  if (value.indexOf('\\') < 0 && value.indexOf('"') < 0) return value;
  return value.replace(LEXER_ESCAPES, (m) => (m === '"' ? '\\"' : '\\\\'));
}
/** A quote, or a backslash the lexer would read as the start of an escape (before `"'\\trn` or at the end). */
const LEXER_ESCAPES = /\\(?=$|["'\\trn])|"/g;

/** Variables holding a literal `$` and `?` (geo constants main.hbs defines; names.ts lists them with the others). */
export const DOLLAR_VARIABLE = 'kongc_dollar';
export const QUESTION_VARIABLE = 'kongc_qmark';

/** A literal `$` would start a variable: it is spelled `${kongc_dollar}`. */
export function spellDollar(quoted: string): string {
  return quoted.indexOf('$') < 0 ? quoted : quoted.replace(/\$/g, `\${${DOLLAR_VARIABLE}}`);
}

/** A path of plain URI characters, which nginx sends upstream as written (proxy_pass's URI part). */
export function isPlainUriPath(value: string): boolean {
  return /^\/[A-Za-z0-9/._~-]*$/.test(value);
}
