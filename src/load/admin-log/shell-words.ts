// Splits one shell command line into words the way a POSIX shell does (quotes, escapes, $VAR),
// without running anything. One pass over the text, so any input is linear.

export interface ShellWords {
  words: string[];
  /** Why the text cannot end here: inside a quote, or after a trailing backslash. */
  open: 'quote' | 'backslash' | null;
  /** Variables the text used that the log never assigned (left as `$NAME` in the words). */
  unknownVars: string[];
}

const ANSI_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/**
 * Words of `text`. Stops at the first unquoted control operator or redirection (`|`, `;`, `&`, `>`, `<`)
 * and at an unquoted `#` that starts a word: what follows (`| jq`, `> out.json`, a comment) is not
 * part of the call. Unknown variables stay literal so a URL like `$KONG_ADMIN/services` keeps its path.
 */
export function shellWords(text: string, vars: ReadonlyMap<string, string> = new Map()): ShellWords {
  const words: string[] = [];
  const unknownVars: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = text.length;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  /** Reads `$NAME`, `${NAME}` (or a lone `$`) at i; returns the expansion and the next index. */
  const variable = (at: number): { value: string; next: number } => {
    let j = at + 1;
    let name = '';
    if (text[j] === '{') {
      // Bounded look-ahead keeps a line full of unclosed `${` linear.
      const rel = text.slice(j, j + 258).indexOf('}');
      if (rel < 0) return { value: '$', next: at + 1 };
      const close = j + rel;
      name = text.slice(j + 1, close);
      j = close + 1;
    } else {
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      name = text.slice(at + 1, j);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { value: text.slice(at, j) || '$', next: Math.max(j, at + 1) };
    const value = vars.get(name);
    if (value === undefined) {
      if (!unknownVars.includes(name)) unknownVars.push(name);
      return { value: text.slice(at, j), next: j };
    }
    return { value, next: j };
  };

  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      end();
      i++;
    } else if (c === '\\') {
      if (i + 1 >= n) return { words: finish(), open: 'backslash', unknownVars };
      if (text[i + 1] === '\n') i += 2; // line continuation
      else {
        word += text[i + 1];
        inWord = true;
        i += 2;
      }
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return { words: finish(), open: 'quote', unknownVars };
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '$' && text[i + 1] === "'") {
      const r = ansiC(text, i + 2);
      if (r === null) return { words: finish(), open: 'quote', unknownVars };
      word += r.value;
      inWord = true;
      i = r.next;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = text[j]!;
        if (d === '"') {
          closed = true;
          j++;
          break;
        }
        if (d === '\\' && j + 1 < n && '$`"\\\n'.includes(text[j + 1]!)) {
          if (text[j + 1] !== '\n') word += text[j + 1];
          j += 2;
        } else if (d === '$') {
          const v = variable(j);
          word += v.value;
          j = v.next;
        } else {
          word += d;
          j++;
        }
      }
      if (!closed) return { words: finish(), open: 'quote', unknownVars };
      i = j;
    } else if (c === '$') {
      const v = variable(i);
      word += v.value;
      inWord = true;
      i = v.next;
    } else if (c === '#' && !inWord) {
      break; // comment to the end
    } else if (c === '|' || c === ';' || c === '&' || c === '>' || c === '<') {
      // `2>` / `2>&1`: the digit belongs to the redirection, not to the previous word.
      if ((c === '>' || c === '<') && /^\d$/.test(word) && inWord) {
        word = '';
        inWord = false;
      }
      break;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  return { words: finish(), open: null, unknownVars };

  function finish(): string[] {
    end();
    return words;
  }
}

/** Body of a `$'…'` string starting at `from` (after the opening quote). */
function ansiC(text: string, from: number): { value: string; next: number } | null {
  let out = '';
  let j = from;
  while (j < text.length) {
    const d = text[j]!;
    if (d === "'") return { value: out, next: j + 1 };
    if (d !== '\\') {
      out += d;
      j++;
      continue;
    }
    const e = text[j + 1];
    if (e === undefined) return null;
    if (ANSI_ESCAPES[e] !== undefined) {
      out += ANSI_ESCAPES[e];
      j += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const max = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const m = /^[0-9A-Fa-f]+/.exec(text.slice(j + 2, j + 2 + max));
      if (!m) {
        out += '\\' + e;
        j += 2;
      } else {
        const cp = parseInt(m[0], 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
        j += 2 + m[0].length;
      }
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(text.slice(j + 1, j + 4))!;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      j += 1 + m[0].length;
    } else {
      out += '\\' + e;
      j += 2;
    }
  }
  return null;
}

export type Quote = null | "'" | '"' | "$'";

/**
 * How a line leaves the shell when it starts inside `quote`: still inside a quote, or ending in a
 * backslash that continues the command. Lets the scanner join lines in one pass instead of re-splitting
 * the growing command after every line.
 */
export function lineEnd(line: string, quote: Quote): { quote: Quote; backslash: boolean } {
  let q = quote;
  let wordStart = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q === "'") {
      if (c === "'") q = null;
      continue;
    }
    if (q === '"' || q === "$'") {
      if (c === '\\') i++;
      else if (c === (q === '"' ? '"' : "'")) q = null;
      continue;
    }
    if (c === '\\') {
      if (i === line.length - 1) return { quote: null, backslash: true };
      i++;
      wordStart = false;
      continue;
    }
    if (c === '#' && wordStart) break; // a comment: its apostrophes open nothing
    if (c === "'") q = "'";
    else if (c === '"') q = '"';
    else if (c === '$' && line[i + 1] === "'") {
      q = "$'";
      i++;
    }
    wordStart = ' \t|;&<>'.includes(c);
  }
  return { quote: q, backslash: false };
}
