// Writes a command's result to the -o file; a file-system failure is the user's to fix (exit 1,
// in words), not a kongc bug.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../deliver/atomic-write.js';
import { CommandFailure } from '../diagnostics.js';
import { errnoWords } from '../load/input-files.js';

export function writeOutput(file: string, content: string, flag = '-o'): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new CommandFailure(`cannot write ${flag} ${file}: is a directory`);
  try {
    writeFileAtomic(file, content);
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).syscall) throw e;
    // The temp file beside the target is what failed: ENOENT there means a missing folder.
    const words = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such folder: ${dirname(file)}` : errnoWords(e, 'cannot write');
    throw new CommandFailure(`cannot write ${flag} ${file}: ${words}`);
  }
}
