// The malformed corpus (fixtures/malformed/): each file fails with exactly the diagnostics in
// fixtures/malformed/expected.json (line:col: message of every error), in process and through
// the CLI (exit 1, the same lines on stderr, no stack trace, nothing written to -o).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileDocuments, loadFiles } from '../../src/compile.js';
import { InputError } from '../../src/diagnostics.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { kongc } from '../support/kongc.js';
import { tempDir } from '../support/temp.js';

const DIR = join('fixtures', 'malformed');
const EXPECTED = join(PACKAGE_ROOT, DIR, 'expected.json');

/** `line:col: message` of every error, in order; compiled as `kongc build` does (relative paths). */
export function errorsOf(file: string): string[] {
  const cwd = process.cwd();
  process.chdir(PACKAGE_ROOT);
  try {
    compileDocuments(loadFiles([file]));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return e.diagnostics.filter((d) => d.severity === 'error').map((d) => {
      assert.equal(d.file, file);
      return `${d.line}:${d.column}: ${d.message}`;
    });
  } finally {
    process.chdir(cwd);
  }
  return [];
}

const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, string[]>;
const files = readdirSync(join(PACKAGE_ROOT, DIR)).filter((f) => f !== 'expected.json').sort();

describe('malformed corpus', () => {
  it('has at least 50 files, each with its expected diagnostics', () => {
    assert.ok(files.length >= 50, `${files.length} files`);
    assert.deepEqual(files, Object.keys(expected).sort());
  });

  for (const f of files) {
    it(`${f}: exactly the expected errors`, () => {
      const errors = errorsOf(join(DIR, f));
      assert.ok(errors.length > 0, 'must fail');
      assert.deepEqual(errors, expected[f]);
    });
  }

  it('through the CLI: exit 1, the same file:line:col lines, no stack trace, no -o file', async (t) => {
    const out = tempDir(t, 'kongc-malformed-');
    const queue = [...files];
    const worker = async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const target = join(out, `${f}.conf`);
        const r = await kongc(['build', join(DIR, f), '-o', target], { cwd: PACKAGE_ROOT });
        assert.equal(r.exitCode, 1, `${f}: exit ${r.exitCode}\n${r.stderr}`);
        for (const line of expected[f]!) {
          const [pos, ...msg] = line.split(': ');
          const shown = `${join(DIR, f)}:${pos}: error: ${msg.join(': ')}`.replace(/[\u0000-\u001f\u007f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
          assert.ok(r.stderr.includes(shown), `${f}: stderr lacks ${JSON.stringify(shown)}\n${r.stderr}`);
        }
        assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${f}: stack trace`);
        assert.doesNotMatch(r.stderr, /internal error/, f);
        assert.equal(r.stdout, '', f);
        assert.ok(!existsSync(target), `${f}: ${target} written`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.deepEqual(readdirSync(out), [], 'no file (not even a temporary one) left in the -o folder');
  });
});
