// The files a config refers to, as written: text files as they are, map entries spelled here with
// the same encoders as the include's own maps.
import type { GeneratedFile, MapValue } from '../plan/ir.js';
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
  // PEM values keep their line breaks inside the quotes, so the file reads as the certificate does.
  const value = (v: MapValue) => complexValue(v, false, '\n');
  const lines = [`# ${comment(file.comment)}`, ...file.entries.map((e) => `    ${mapEntryKey(e)} ${value(e.value)};`)];
  if (file.default) lines.push(`    default ${value(file.default)};`);
  return { path: file.path, content: lines.join('\n') + '\n', secret };
}
