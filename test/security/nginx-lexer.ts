// A faithful model of nginx's configuration lexer (ngx_conf_read_token in src/core/ngx_conf_file.c),
// for tests: which words, statements and blocks nginx reads from a text, with the backslash
// unescaping nginx applies to every word. Throws where nginx reports a syntax error.

export interface Statement {
  words: string[];
  /** Words were quoted (the lexer unescapes both kinds alike; kept for location modifiers). */
  quoted: boolean[];
  kind: 'directive' | 'block';
  line: number;
  /** Names of the enclosing blocks, outermost first. */
  context: string[];
  /** Comments on the lines this statement spans are not recorded; comments are listed apart. */
}

export interface Lexed {
  statements: Statement[];
  comments: { line: number; text: string }[];
}

export class NginxSyntaxError extends Error {}

export function lexNginx(text: string): Lexed {
  const statements: Statement[] = [];
  const comments: { line: number; text: string }[] = [];
  const context: string[] = [];
  let words: string[] = [];
  let quoted: boolean[] = [];
  let line = 1;
  let startLine = 1;
  let i = 0;
  const n = text.length;
  const end = (kind: 'directive' | 'block') => {
    if (!words.length) throw new NginxSyntaxError(`line ${line}: unexpected "${kind === 'block' ? '{' : ';'}"`);
    statements.push({ words, quoted, kind, line: startLine, context: [...context] });
    if (kind === 'block') context.push(words[0]!);
    words = [];
    quoted = [];
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') {
      end('directive');
      i++;
      continue;
    }
    if (c === '{') {
      end('block');
      i++;
      continue;
    }
    if (c === '}') {
      if (words.length) throw new NginxSyntaxError(`line ${line}: unexpected "}"`);
      if (!context.length) throw new NginxSyntaxError(`line ${line}: unexpected "}"`);
      context.pop();
      i++;
      continue;
    }
    if (c === '#') {
      let j = i;
      while (j < n && text[j] !== '\n') j++;
      comments.push({ line, text: text.slice(i, j) });
      i = j;
      continue;
    }
    if (!words.length) startLine = line;
    // A word: quoted ("…" or '…') or bare. `\` escapes the next character in both.
    let raw = '';
    if (c === '"' || c === "'") {
      i++;
      for (;;) {
        if (i >= n) throw new NginxSyntaxError(`line ${line}: unexpected end of file, expecting ${c}`);
        const d = text[i]!;
        if (d === '\\' && i + 1 < n) {
          raw += d + text[i + 1]!;
          if (text[i + 1] === '\n') line++;
          i += 2;
          continue;
        }
        if (d === c) break;
        if (d === '\n') line++;
        raw += d;
        i++;
      }
      i++;
      const after = text[i];
      if (after !== undefined && !' \t\r\n;{)'.includes(after)) throw new NginxSyntaxError(`line ${line}: unexpected "${after}"`);
      words.push(unescape(raw));
      quoted.push(true);
      continue;
    }
    let variable = false;
    while (i < n) {
      const d = text[i]!;
      if (d === '{' && variable) {
        raw += d;
        i++;
        continue;
      }
      variable = false;
      if (d === '\\' && i + 1 < n) {
        raw += d + text[i + 1]!;
        if (text[i + 1] === '\n') line++;
        i += 2;
        continue;
      }
      if (d === '$') {
        variable = true;
        raw += d;
        i++;
        continue;
      }
      if (d === ' ' || d === '\t' || d === '\r' || d === '\n' || d === ';' || d === '{') break;
      raw += d;
      i++;
    }
    if (Buffer.byteLength(raw) > 4096) throw new NginxSyntaxError(`line ${line}: too long parameter`);
    words.push(unescape(raw));
    quoted.push(false);
  }
  if (words.length) throw new NginxSyntaxError('unexpected end of file, expecting ";" or "}"');
  if (context.length) throw new NginxSyntaxError('unexpected end of file, expecting "}"');
  return { statements, comments };
}

/** nginx unescapes `\"`, `\'`, `\\` and turns `\t`, `\r`, `\n` into control characters; other pairs stay. */
function unescape(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      if (next === '"' || next === "'" || next === '\\') {
        out += next;
        i++;
        continue;
      }
      if (next === 't' || next === 'r' || next === 'n') {
        out += next === 't' ? '\t' : next === 'r' ? '\r' : '\n';
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/**
 * The parts of an nginx complex value (proxy_set_header, return, map value, add_header): literal
 * text and variable names, as ngx_http_script_compile splits them (`$name`, `${name}`).
 */
export function complexParts(value: string): ({ text: string } | { variable: string })[] {
  const out: ({ text: string } | { variable: string })[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value[i] === '$') {
      const m = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(value.slice(i));
      if (m) {
        if (text) out.push({ text });
        text = '';
        out.push({ variable: m[1] ?? m[2]! });
        i += m[0].length;
        continue;
      }
    }
    text += value[i];
    i++;
  }
  if (text) out.push({ text });
  return out;
}
