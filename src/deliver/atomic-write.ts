// Atomic file replacement: write a temp file beside the target, fsync, rename over it.
// Readers (nginx -t, a reload) therefore see either the old or the new complete file.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync, statSync, chmodSync, chownSync, ftruncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isAlive } from './process-alive.js';

/** Temp files created by this process, removed on exit or signal. */
export const pendingTempFiles = new Set<string>();

// A leading dot keeps temp files out of `include dir/*` globs (glob(3) skips dotfiles).
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.kongc-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

function writeAll(fd: number, content: string | Buffer): void {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  ftruncateSync(fd, buf.length);
  fsyncSync(fd);
}

/**
 * Writes `content` to a temp file next to `target` and fsyncs it; returns the temp path. With
 * `mode`, the file gets that mode; otherwise it keeps the installed file's mode and owner.
 */
export function writeTemp(target: string, content: string | Buffer, mode?: number): string {
  const tmp = tempPathFor(target);
  pendingTempFiles.add(tmp);
  const fd = openSync(tmp, 'wx', mode ?? 0o644);
  try {
    writeAll(fd, content);
  } finally {
    closeSync(fd);
  }
  if (mode !== undefined) {
    chmodSync(tmp, mode); // open(2)'s mode is filtered by the umask
    return tmp;
  }
  try {
    // Keep the installed file's mode and owner: nginx (or a human) may depend on them.
    const st = statSync(target);
    chmodSync(tmp, st.mode & 0o7777);
    if (process.getuid?.() === 0) chownSync(tmp, st.uid, st.gid);
  } catch {
    /* new file: keep 0644 and our owner */
  }
  return tmp;
}

/** Atomically replaces `target` with `content`. */
export function writeFileAtomic(target: string, content: string | Buffer, mode?: number): void {
  const tmp = writeTemp(target, content, mode);
  try {
    renameSync(tmp, target);
    fsyncDir(dirname(target));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    pendingTempFiles.delete(tmp);
  }
}

export type ReplaceMode = 'rename' | 'in-place';

/**
 * Replaces `target` with `content` like writeFileAtomic, except that when rename(2) fails with
 * EBUSY (the target is a single-file bind mount, e.g. in a container) it rewrites the file in
 * place, as confd does. The in-place write is one synchronous write + truncate + fsync, so a
 * signal handled by Node cannot interrupt it halfway; only SIGKILL or a crash during it can.
 */
export function replaceFile(target: string, content: string | Buffer): ReplaceMode {
  const tmp = writeTemp(target, content);
  try {
    renameSync(tmp, target);
    fsyncDir(dirname(target));
    return 'rename';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
    const fd = openSync(target, 'r+');
    try {
      writeAll(fd, content);
    } finally {
      closeSync(fd);
    }
    return 'in-place';
  } finally {
    rmSync(tmp, { force: true });
    pendingTempFiles.delete(tmp);
  }
}

/** Removes every temp file this process still owns (used on exit and on signals). */
export function removePendingTempFiles(): void {
  for (const tmp of pendingTempFiles) rmSync(tmp, { force: true });
  pendingTempFiles.clear();
}

/**
 * Removes temp files that dead processes (a SIGKILLed apply) left beside `target` or beside its
 * backups and journal; returns their names. Files of live processes are left alone.
 */
export function removeStaleTempFiles(target: string): string[] {
  const base = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${base}.*\\.kongc-(\\d+)-[0-9a-f]{8}\\.tmp$`);
  const removed: string[] = [];
  for (const name of readdirSync(dirname(target))) {
    const m = pattern.exec(name);
    if (m && !isAlive(Number(m[1]))) {
      rmSync(join(dirname(target), name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some filesystems refuse fsync on directories */
  }
}
