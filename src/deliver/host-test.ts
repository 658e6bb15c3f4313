// `apply --dry-run`: `nginx -t` on a temporary copy of the host's include tree in which the
// target is replaced by the candidate, so that the dry run passes exactly when the real apply's
// test would (a sibling conf.d file that clashes with the new config is caught). Every config
// file is copied (its includes rewritten to the copies); everything else under the main
// config's folder (mime.types, certificates) is symlinked, so relative paths still resolve.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { NginxHost } from './nginx-host.js';
import { runCommand, type CommandResult, type NginxInvocation } from './nginx-runner.js';

const MAX_LINKED = 5000;

/** Where `path` lives in the copy. */
function inCopy(root: string, path: string): string {
  return join(root, path);
}

/** Writes a new file at `path` inside `root`, never through a symlink into the real tree. */
function writeInside(root: string, path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const real = realpathSync(dirname(path));
  if (relative(root, real).startsWith('..')) throw new Error(`internal: ${path} would be written outside the temporary copy`);
  try {
    if (lstatSync(path)) unlinkSync(path);
  } catch {
    /* not there */
  }
  writeFileSync(path, data, { flag: 'wx', mode: 0o600 });
}

/** Mirrors `dir` into the copy as real folders holding symlinks to the real files. */
function linkTree(root: string, dir: string, budget: { left: number }, depth = 0): void {
  if (depth > 8) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  mkdirSync(inCopy(root, dir), { recursive: true });
  for (const name of names) {
    if (budget.left-- <= 0) return;
    const path = join(dir, name);
    // The copy itself may lie under the main config's folder (a config in /tmp).
    if (!relative(root, path).startsWith('..')) continue;
    let st;
    try {
      st = statSync(path);
    } catch {
      continue; // a dangling link: nginx could not read it either
    }
    if (st.isDirectory()) linkTree(root, path, budget, depth + 1);
    else symlinkSync(path, inCopy(root, path));
  }
}

function quote(path: string): string {
  return `"${path.replace(/["\\]/g, '\\$&')}"`;
}

export interface HostTestResult extends CommandResult {
  /** Where the candidate sat in the copy (for mapping nginx's messages to entities). */
  candidatePath: string;
}

/** Runs `nginx [-p] -c COPY -t` and reports real paths in its output, not the copy's. */
/** `companions`: files installed with the target (the stream include), each written where the tree includes it. */
export async function testInHostTree(host: NginxHost, inv: NginxInvocation, candidate: Buffer, timeoutMs: number, companions: { target: string; next: Buffer }[] = []): Promise<HostTestResult> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'kongc-dry-run-')));
  try {
    linkTree(root, host.tree.confPrefix, { left: MAX_LINKED });
    for (const file of host.tree.files) {
      // From the end, so earlier offsets stay valid.
      let text = file.text;
      for (const inc of [...file.includes].reverse()) text = text.slice(0, inc.word.start) + quote(inCopy(root, inc.pattern)) + text.slice(inc.word.end);
      writeInside(root, inCopy(root, file.path), text);
    }
    for (const site of host.tree.targetSites) writeInside(root, inCopy(root, site), candidate);
    for (const c of companions) for (const site of host.tree.companionSites.get(c.target) ?? []) writeInside(root, inCopy(root, site), c.next);
    const argv = [inv.nginx, ...(inv.prefix ? ['-p', inv.prefix] : []), '-c', inCopy(root, host.conf), '-t'];
    const r = await runCommand({ argv }, { timeoutMs });
    return {
      ...r,
      display: `${inv.nginx} -t on a copy of ${host.conf} with the new ${host.tree.targetSites[0] ?? 'file'}`,
      output: r.output.split(root).join(''),
      candidatePath: host.tree.targetSites[0] ?? '',
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
