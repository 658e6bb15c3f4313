// PCRE as nginx runs it, evaluated in JavaScript for `kongc explain`.
//
// nginx compiles regexes without PCRE's UTF mode, so a pattern and the subject are byte strings:
// here both are "binary" strings (one char per byte). The few PCRE spellings JavaScript reads
// differently are translated; anything else this cannot be sure of makes the pattern
// unevaluable (null), and explain says so instead of guessing.

/** A UTF-8 string as a binary string: one char per byte. */
export function bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A binary string back to text (invalid UTF-8 shows as U+FFFD). */
export function text(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}

export interface ByteRegex {
  /** Runs the regex; `groups[n]` is PCRE's capture n (undefined when it did not take part). */
  exec(subject: string): { index: number; length: number; groups: (string | undefined)[] } | null;
}

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  word: 'A-Za-z0-9_',
};

/**
 * Compiles a PCRE pattern (as text) for byte subjects; null when it uses syntax this cannot
 * translate faithfully. `caseless`: nginx's `~*`.
 */
export function byteRegex(pattern: string, caseless = false): ByteRegex | null {
  const src = bytes(pattern);
  let out = '';
  let flags = caseless ? 'i' : '';
  /** PCRE capture number → JS group number (atomic groups add JS groups of their own). */
  const groupMap: number[] = [0];
  let jsGroups = 0;
  /** Open groups: whether each is an atomic group (closed with a back-reference), and the caseless mode outside it. */
  const open: { atomic: number | null; outer: boolean }[] = [];
  /** PCRE's (?i) from here on: letters are spelled in both cases (JavaScript has no inline flags). */
  let fold = false;
  let i = 0;
  // A leading (?i) applies to the whole pattern, which a JS flag expresses.
  const lead = /^\(\?([a-z]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i') flags = 'i';
      else if (f === 's') flags += 's';
      else return null;
    }
    i = lead[0].length;
  }
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return null;
      if (n === 'z') out += '$';
      else if (n === 'Z') out += '(?=\\n?$)';
      else if (n === 'A') out += '^';
      else if (n === 'x' && src[i + 2] === '{') {
        const end = src.indexOf('}', i);
        const code = parseInt(src.slice(i + 3, end), 16);
        if (!(code <= 0xff)) return null;
        out += '\\x' + code.toString(16).padStart(2, '0');
        i = end + 1;
        continue;
      } else if ('QEhHRKXCGgk'.includes(n) || /[1-9]/.test(n)) return null;
      else out += c + n;
      i += 2;
      continue;
    }
    if (c === '[') {
      // A character class, copied with POSIX names translated; ']' first is literal in PCRE.
      let j = i + 1;
      let cls = '[';
      if (src[j] === '^') cls += src[j++];
      if (src[j] === ']') {
        cls += '\\]';
        j++;
      }
      for (; j < src.length && src[j] !== ']'; j++) {
        if (src[j] === '\\') {
          cls += src[j]! + (src[j + 1] ?? '');
          j++;
        } else if (src.startsWith('[:', j)) {
          const end = src.indexOf(':]', j);
          const name = src.slice(j + 2, end);
          if (end < 0 || !(name in POSIX)) return null;
          cls += POSIX[name];
          j = end + 1;
        } else if (src[j] === '[') cls += '\\[';
        else cls += src[j];
      }
      if (j >= src.length) return null;
      out += (fold ? foldClass(cls) : cls) + ']';
      i = j + 1;
      continue;
    }
    if (c === '(') {
      if (src[i + 1] === '?') {
        const rest = src.slice(i + 2);
        if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
          open.push({ atomic: null, outer: fold });
          out += '(?';
          i += 2;
          continue;
        }
        const inline = /^(-?)i(:|\))/.exec(rest);
        if (inline) {
          const on = inline[1] === '';
          if (inline[2] === ')') fold = on;
          else {
            open.push({ atomic: null, outer: fold });
            fold = on;
            out += '(?:';
          }
          i += 2 + inline[0].length;
          continue;
        }
        if (rest.startsWith('>')) {
          // Atomic: a lookahead captures what it matched, a back-reference consumes exactly that.
          jsGroups++;
          open.push({ atomic: jsGroups, outer: fold });
          out += '(?=(';
          i += 3;
          continue;
        }
        const named = /^(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(rest);
        if (named) {
          jsGroups++;
          groupMap.push(jsGroups);
          open.push({ atomic: null, outer: fold });
          out += '(';
          i += 2 + named[0].length;
          continue;
        }
        return null; // inline flags inside, conditionals, recursion, comments
      }
      if (src[i + 1] === '*') return null; // (*UTF8), (*ANYCRLF)…
      jsGroups++;
      groupMap.push(jsGroups);
      open.push({ atomic: null, outer: fold });
      out += '(';
      i++;
      continue;
    }
    if (c === ')') {
      const group = open.pop();
      if (!group) return null;
      out += group.atomic === null ? ')' : `))\\${group.atomic}`;
      fold = group.outer;
      i++;
      continue;
    }
    if (c === '$') {
      // PCRE's `$` also matches before a final newline.
      out += '(?=\\n?$)';
      i++;
      continue;
    }
    if ((c === '+' || c === '?') && i > 0 && /[*+?}]/.test(src[i - 1]!) && src[i - 2] !== '\\') {
      if (c === '+') return null; // possessive quantifier
    }
    out += fold && /[A-Za-z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    i++;
  }
  if (open.length) return null;
  let rx: RegExp;
  try {
    rx = new RegExp(out, flags);
  } catch {
    return null;
  }
  return {
    exec(subject) {
      const m = rx.exec(subject);
      if (!m) return null;
      return { index: m.index, length: m[0].length, groups: groupMap.map((g) => m[g]) };
    },
  };
}

/** A class body (`[a-z_`) with the other case of its letters and letter ranges added. */
function foldClass(cls: string): string {
  let extra = '';
  const body = cls.slice(cls.startsWith('[^') ? 2 : 1);
  for (const m of body.matchAll(/\\.|([A-Za-z])-([A-Za-z])|[A-Za-z]/g)) {
    if (m[0].startsWith('\\')) continue;
    if (m[1] && m[2]) extra += swapCase(m[1]) + '-' + swapCase(m[2]);
    else extra += swapCase(m[0]);
  }
  return cls + extra;
}

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}
