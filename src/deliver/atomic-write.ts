// Atomic file replacement: write a temp file beside the target, fsync, rename over it.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, statSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temp files created by this process, removed on exit or signal. */
export const pendingTempFiles = new Set<string>();

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.kongc-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `content` to a temp file next to `target` and fsyncs it; returns the temp path. */
export function writeTemp(target: string, content: string | Buffer): string {
  const tmp = tempPathFor(target);
  pendingTempFiles.add(tmp);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, statSync(target).mode & 0o7777);
  } catch {
    /* new file: keep 0644 */
  }
  return tmp;
}

/** Atomically replaces `target` with `content`. */
export function writeFileAtomic(target: string, content: string | Buffer): void {
  const tmp = writeTemp(target, content);
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
