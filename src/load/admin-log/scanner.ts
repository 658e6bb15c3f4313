// Finds the curl / HTTPie calls in a log (shell script, Markdown, runbook text) and joins each call's
// lines: trailing backslashes, quotes left open across lines, and the style where `-d` lines follow a
// curl line without a backslash. Everything else (prose, fences, comments, responses) is skipped.
import { InputError } from '../../diagnostics.js';
import { LIMITS } from '../limits.js';
import { utf8Within } from '../../text.js';
import { curlOptionTakesArg } from './curl.js';
import { lineEnd, shellWords } from './shell-words.js';

export interface LogCommand {
  dialect: 'curl' | 'httpie';
  /** 1-based line and column where the command starts. */
  line: number;
  column: number;
  /** 1-based last line of the command. */
  endLine: number;
  words: string[];
  unknownVars: string[];
  /** Text between this command and the next one: where a recorded response would be. */
  after: { line: number; lines: string[] };
}

export interface ScanProblem {
  line: number;
  column: number;
  message: string;
}

const MAX_JOINED_LINES = 500;
const MAX_RESPONSE_LINES = 400;
const FENCE = /^\s*(```|~~~)/;
/** A curl option at the start of a line that continues the previous curl line (seed style, no backslash). */
const CURL_CONTINUATION = /^(?:-[dFHXGu](?=[\s"'$@A-Za-z0-9=_-]|$)|--(?:data|data-raw|data-binary|data-ascii|data-urlencode|form|form-string|header|url|request|json|get|user)(?=[\s=]|$))/;
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

export function scanLog(file: string, text: string): { commands: LogCommand[]; problems: ScanProblem[] } {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  lines.forEach((l, i) => {
    if (!utf8Within(l, LIMITS.logLineBytes)) {
      throw new InputError([{ file, line: i + 1, column: 1, severity: 'error', code: 'limit', path: '', message: `line longer than ${LIMITS.logLineBytes} bytes`, hint: 'split the call over several lines with a trailing backslash' }]);
    }
  });
  const vars = new Map<string, string>();
  const commands: LogCommand[] = [];
  const problems: ScanProblem[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = commandStart(lines[i]!);
    if (!start) {
      const m = ASSIGNMENT.exec(lines[i]!);
      if (m) vars.set(m[1]!, shellWords(m[2]!, vars).words.join(' '));
      i++;
      continue;
    }
    let text = start.text;
    let last = i;
    let broken = false;
    let end = lineEnd(text, null);
    while (!start.inline) {
      const next = lines[last + 1];
      const within = last + 1 - i < MAX_JOINED_LINES && text.length <= LIMITS.logLineBytes;
      const nextUsable = next !== undefined && next.trim() !== '' && !FENCE.test(next) && within;
      if (end.quote) {
        // A quote may span lines (a JSON body), but not past a Markdown fence or the limits.
        if (next === undefined || FENCE.test(next) || !within) {
          broken = true;
          break;
        }
        text += '\n' + next;
        end = lineEnd(next, end.quote);
      } else if (end.backslash) {
        text = text.slice(0, -1);
        if (!nextUsable) break; // a dangling backslash before a blank line or a fence ends the call
        text += ' ' + next!.trim();
        end = lineEnd(next!.trim(), null);
      } else {
        const lineWords = shellWords(last === i ? start.text : lines[last]!, vars).words;
        const lastWord = lineWords[lineWords.length - 1] ?? '';
        const continues = start.dialect === 'curl' && nextUsable && (CURL_CONTINUATION.test(next!.trim()) || curlOptionTakesArg(lastWord));
        if (!continues) break;
        text += ' ' + next!.trim();
        end = lineEnd(next!.trim(), null);
      }
      last++;
    }
    if (broken) {
      problems.push({ line: i + 1, column: start.column, message: `${start.dialect === 'curl' ? 'curl' : 'HTTPie'} call with a quote that is never closed; skipped up to line ${last + 1}` });
      // To a shell, the lines inside the open quote belong to this call: do not rescan them.
      i = last + 1;
      continue;
    }
    const r = shellWords(text, vars);
    commands.push({ dialect: start.dialect, line: i + 1, column: start.column, endLine: last + 1, words: r.words, unknownVars: r.unknownVars, after: { line: last + 2, lines: [] } });
    i = last + 1;
  }
  commands.forEach((c, k) => {
    const stop = Math.min(k + 1 < commands.length ? commands[k + 1]!.line - 1 : lines.length, c.endLine + MAX_RESPONSE_LINES);
    c.after.lines = lines.slice(c.endLine, stop);
  });
  return { commands, problems };
}

/**
 * Recognizes the first line of a call: optional indentation, list marker, `$ ` prompt, or an inline
 * Markdown code span (`` `curl …`{{exec}} ``), then `curl` or HTTPie's `http`/`https`.
 */
function commandStart(line: string): { dialect: 'curl' | 'httpie'; text: string; column: number; inline: boolean } | null {
  const m = /^(\s*(?:[-*+]\s+|\d+[.)]\s+)?)(`(?!``))?((?:[\w.-]+@[\w.-]+:[^$\s]*)?\$\s*)?(?:sudo\s+)?/.exec(line)!;
  let rest = line.slice(m[0].length);
  const column = m[0].length + 1;
  const inline = Boolean(m[2]);
  if (inline) {
    const close = rest.indexOf('`');
    if (close >= 0) rest = rest.slice(0, close);
  }
  if (/^curl\s+(?:-|['"]?(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|\$|localhost|\d|\[|[\w.-]+[:/]))/.test(rest)) return { dialect: 'curl', text: rest, column, inline };
  if (/^https?\s+(?:-|[A-Z]+\s|:|\$|localhost|\d|[\w.-]+[:/])/.test(rest)) return { dialect: 'httpie', text: rest, column, inline };
  return null;
}
