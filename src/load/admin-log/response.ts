// Reads a recorded Admin API response that follows a call (JSON body, `// response` line,
// `HTTP/1.1 201 Created` block), tolerating elided or broken JSON (`...`, `..`, comments), to learn the
// id Kong gave the entity. Only top-level string fields are kept: that is all replay needs.

export interface RecordedResponse {
  /** 1-based line of the response's first `{`. */
  line: number;
  status: number | null;
  fields: Map<string, string>;
}

const STATUS = /^\s*HTTP\/[\d.]+\s+(\d{3})\b/;
const MAX_CHARS = 64 * 1024;

export function readResponse(after: { line: number; lines: string[] }): RecordedResponse | null {
  let status: number | null = null;
  for (let k = 0; k < after.lines.length; k++) {
    const l = after.lines[k]!;
    const s = STATUS.exec(l);
    if (s && status === null) {
      status = Number(s[1]);
      continue;
    }
    const brace = l.search(/\S/);
    if (brace < 0 || l[brace] !== '{') continue;
    const text = after.lines.slice(k).join('\n').slice(0, MAX_CHARS);
    return { line: after.line + k, status, fields: topLevelStrings(text.slice(brace)) };
  }
  return null;
}

/** One pass over an object's text: `"key": "value"` pairs at depth 1, whatever else is broken. */
function topLevelStrings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let key: string | null = null;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') {
        if (text[j] === '\\' && j + 1 < text.length) {
          s += text[j + 1];
          j += 2;
        } else s += text[j++];
      }
      i = j;
      if (depth !== 1) continue;
      if (expectValue && key !== null) {
        if (!out.has(key)) out.set(key, s);
        key = null;
        expectValue = false;
      } else key = s;
    } else if (c === ':' && depth === 1 && key !== null) expectValue = true;
    else if (c === ',' && depth === 1) {
      key = null;
      expectValue = false;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth > 1) expectValue = false;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth <= 0) break;
      key = null;
    }
  }
  return out;
}
