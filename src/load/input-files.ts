// Which files an input argument names, as decK reads them: a file is itself; a folder is every
// *.yaml, *.yml and *.json file below it (sub-folders too), in name order.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { compareText } from '../text.js';

export const DECLARATIVE_FILE = /\.(?:ya?ml|json)$/i;

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** A file-system error in words ("no such file"), or its code when kongc has no words for it. */
export function errnoWords(e: unknown, fallback = 'cannot read file'): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && ERRNO_WORDS[code]) ?? `${fallback}: ${code ?? (e as Error).message ?? String(e)}`;
}

/** A file-system failure in words, for a diagnostic about the file as a whole (no position). */
export function fileProblem(file: string, e: unknown): Diagnostic {
  return { file, line: 0, column: 0, severity: 'error', code: 'io', path: '', message: errnoWords(e) };
}

/** Files named by the arguments (folders expanded); unreadable ones become diagnostics. */
export function expandInputPaths(paths: readonly string[]): { files: string[]; problems: Diagnostic[] } {
  const files: string[] = [];
  const problems: Diagnostic[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      problems.push(fileProblem(path, e));
      continue;
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const before = problems.length;
    const found = filesBelow(path, problems);
    if (found.length) files.push(...found);
    else if (problems.length === before) problems.push({ ...fileProblem(path, {}), message: 'folder holds no .yaml, .yml or .json file', hint: 'decK reads every *.yaml, *.yml and *.json below a folder; name the files so' });
  }
  return { files: [...new Set(files)], problems };
}

function filesBelow(dir: string, problems: Diagnostic[]): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name));
  } catch (e) {
    problems.push(fileProblem(dir, e));
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesBelow(p, problems));
    else if (DECLARATIVE_FILE.test(e.name) && (e.isFile() || e.isSymbolicLink())) out.push(p);
  }
  return out;
}
