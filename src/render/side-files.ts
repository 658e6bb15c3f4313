// The files a config refers to, as written: text files as they are, map entries spelled here with
// the same encoders as the include's own maps.
import type { GeneratedFile } from '../plan/ir.js';
import { comment, complexValue, mapEntryKey } from './encoders.js';

export interface WrittenFile {
  path: string;
  content: string;
  /** Holds credentials: written with mode 0600, its content never printed. */
  secret: boolean;
}

export function renderFile(file: GeneratedFile): WrittenFile {
  const secret = Boolean(file.secret);
  if (file.kind === 'text') return { path: file.path, content: file.content, secret };
  const lines = [`# ${comment(file.comment)}`, ...file.entries.map((e) => `    ${mapEntryKey(e)} ${complexValue(e.value)};`)];
  return { path: file.path, content: lines.join('\n') + '\n', secret };
}
