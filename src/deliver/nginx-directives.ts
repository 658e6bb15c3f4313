// Defence in depth before running `nginx -t` on generated text: `nginx -t` is not a pure parser,
// it loads modules and engines and opens files while testing (CVE-2025-1974 used `ssl_engine`).
// kongc never emits such directives; if one shows up, something upstream is broken or injected,
// and we refuse to test (or install) it.
import { CommandFailure } from '../diagnostics.js';
import { statements } from './nginx-lexer.js';

/** Directives that can load code or read arbitrary files. */
function isDangerous(name: string): boolean {
  return (
    name === 'load_module' ||
    name === 'ssl_engine' ||
    name === 'include' ||
    name === 'root' ||
    name === 'alias' ||
    name === 'perl' ||
    name.startsWith('perl_') ||
    name.includes('_by_lua') ||
    name === 'js_import' ||
    name === 'js_include' ||
    name === 'js_path'
  );
}

// Inside these blocks the first word of a line is data (a map key, a MIME type), not a directive,
// except `include`, which these modules do honour.
const DATA_BLOCKS = new Set(['map', 'geo', 'split_clients', 'types', 'charset_map', 'match']);

/** An absolute path whose file name kongc chose (`kongc-<what>-<16 hex><extension>`), quoted or not. */
function isKongcSideFile(word: string, extension = ''): boolean {
  const path = word.replace(/^"(.*)"$/, '$1');
  const name = /^\/(?:[^;{}"'\\$\s]+\/)*kongc-[a-z0-9-]+-[0-9a-f]{16}(\.[a-z]+)?$/.exec(path);
  return name !== null && (name[1] ?? '') === extension && !path.split('/').includes('..');
}

/** kongc's own njs module (`--with-njs`): `js_import kongc from /…/kongc-njs-<16 hex>.js;`, nothing else. */
function isKongcModuleImport(s: { words: { text: string }[]; opensBlock: boolean }): boolean {
  const w = s.words.map((x) => x.text);
  return !s.opensBlock && w.length === 4 && w[1] === 'kongc' && w[2] === 'from' && isKongcSideFile(w[3]!, '.js') && /\/kongc-njs-[0-9a-f]{16}\.js"?$/.test(w[3]!);
}

/** Throws CommandFailure naming the first directive that could load code or read files. */
export function assertNoCodeLoadingDirectives(text: string): void {
  const blocks: string[] = [];
  for (const s of statements(text)) {
    if (s.closesBlock) {
      blocks.pop();
      continue;
    }
    const inData = DATA_BLOCKS.has(blocks[blocks.length - 1] ?? '');
    const block = blocks[blocks.length - 1];
    // A map may include a side file kongc wrote (credentials, certificates it keeps out of the config): kongc-named only.
    const dangerous = inData
      ? s.name === 'include' && !(block === 'map' && s.words.length === 2 && !s.opensBlock && isKongcSideFile(s.words[1]!.text))
      : isDangerous(s.name) && !(s.name === 'js_import' && blocks.length === 0 && isKongcModuleImport(s));
    if (dangerous) {
      throw new CommandFailure(
        `refusing to run nginx on the generated configuration: line ${s.line} has a \`${s.name}\` directive, which kongc never generates and which can load code or read files`,
      );
    }
    if (s.opensBlock) blocks.push(s.name);
  }
}
