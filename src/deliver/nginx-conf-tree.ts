// The host's nginx configuration as nginx reads it: the main nginx.conf and every file its
// `include` directives reach (globs expanded as glob(3) does: sorted, dotfiles skipped), plus the
// main-context directives apply cares about (pid, daemon). Read only; nothing is written here.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { CommandFailure } from '../diagnostics.js';
import { statements, type Word } from './nginx-lexer.js';

export interface IncludeSite {
  /** The include argument in the source text (rewritten when the tree is copied). */
  word: Word;
  /** Absolute pattern: relative includes are relative to the main config's folder. */
  pattern: string;
  /** Files it loads, in nginx's order; the target is among them when it would be loaded. */
  matches: string[];
}

export interface ConfFile {
  path: string;
  text: string;
  includes: IncludeSite[];
}

export interface ConfTree {
  main: string;
  /** Where nginx resolves relative include paths: the main config's folder. */
  confPrefix: string;
  /** Every config file read, main first; the target itself is never read. */
  files: ConfFile[];
  /** The paths through which the tree loads the target (none: nginx never reads it). */
  targetSites: string[];
  /** Where the includes reach each companion file installed with the target (the stream include), by companion. */
  companionSites: Map<string, string[]>;
  /** Main-context directives, last value wins: `pid`, `daemon`. */
  mainDirectives: Map<string, string>;
}

const MAX_FILES = 2000;
const MAX_DEPTH = 32;

function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

function globSegment(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = seg.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Files matching an absolute glob pattern, sorted as glob(3) sorts them in the C locale;
 * `extra` (a file that does not exist yet) is counted in when it matches.
 */
export function expandGlob(pattern: string, extra?: string): string[] {
  const segments = pattern.split(sep).filter(Boolean);
  let paths: string[] = [sep];
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of paths) {
      if (!hasGlob(seg)) {
        next.push(join(dir, seg));
        continue;
      }
      const re = globSegment(seg);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) if ((!name.startsWith('.') || seg.startsWith('.')) && re.test(name)) next.push(join(dir, name));
    }
    paths = last ? next : next.filter((p) => isDir(p));
  }
  const files = paths.filter((p) => isFile(p));
  if (extra && !files.includes(extra) && matchesGlob(pattern, extra)) files.push(extra);
  return files.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

function matchesGlob(pattern: string, path: string): boolean {
  const ps = pattern.split(sep).filter(Boolean);
  const xs = path.split(sep).filter(Boolean);
  return ps.length === xs.length && ps.every((seg, i) => (hasGlob(seg) ? (!xs[i]!.startsWith('.') || seg.startsWith('.')) && globSegment(seg).test(xs[i]!) : seg === xs[i]));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * Reads the tree under `main`; `target` (absolute) is recognised by path or by real path, and so
 * is each of `companions` (files kongc installs with it): none of them is read.
 */
export function readConfTree(main: string, target: string, companions: string[] = []): ConfTree {
  const confPrefix = dirname(main);
  const namesOf = (p: string) => new Set([resolve(p), realOrSelf(p)]);
  const targetNames = namesOf(target);
  const is = (names: Set<string>, p: string) => names.has(resolve(p)) || names.has(realOrSelf(p));
  const isTarget = (p: string) => is(targetNames, p);
  const companionNames = companions.map((c) => ({ companion: c, names: namesOf(c) }));
  const tree: ConfTree = { main, confPrefix, files: [], targetSites: [], companionSites: new Map(companions.map((c) => [c, []])), mainDirectives: new Map() };

  const visit = (path: string, depth: number, blockDepth: number) => {
    if (tree.files.length >= MAX_FILES || depth > MAX_DEPTH) throw new CommandFailure(`${main}: more than ${MAX_FILES} included files or ${MAX_DEPTH} levels of include; is an include recursive?`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new CommandFailure(`cannot read ${path} (included by the nginx configuration): ${(e as Error).message}`);
    }
    const file: ConfFile = { path, text, includes: [] };
    tree.files.push(file);
    let level = blockDepth;
    for (const s of statements(text)) {
      if (s.closesBlock) {
        level--;
        continue;
      }
      if (s.opensBlock) {
        level++;
        continue;
      }
      if (level === 0 && (s.name === 'pid' || s.name === 'daemon') && s.words[1]) tree.mainDirectives.set(s.name, s.words[1].text);
      if (s.name !== 'include' || s.words.length !== 2) continue;
      const word = s.words[1]!;
      const pattern = isAbsolute(word.text) ? word.text : join(confPrefix, word.text);
      const matches = hasGlob(pattern) ? expandGlob(pattern, resolve(target)) : [pattern];
      file.includes.push({ word, pattern, matches });
      for (const m of matches) {
        const companion = companionNames.find((c) => is(c.names, m));
        if (isTarget(m)) tree.targetSites.push(m);
        else if (companion) tree.companionSites.get(companion.companion)!.push(m);
        else visit(m, depth + 1, level);
      }
    }
  };
  visit(main, 0, 0);
  return tree;
}
