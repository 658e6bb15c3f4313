// bin/kongc runs the bundled CLI with the V8 code cache the build recorded. The bundle is a copy of
// the modules: it must behave exactly as they do, and start from a cache V8 accepts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFiles } from '../../src/compile.js';
import { InputError } from '../../src/diagnostics.js';
import { loadBundle } from '../../src/launch.js';
import { CODE_CACHE_FILE, PACKAGE_ROOT } from '../../src/paths.js';
import { VERSION } from '../../src/version.js';

const KONGC = join(PACKAGE_ROOT, 'bin', 'kongc');

describe('the bundled CLI', () => {
  it('builds every fixture to the bytes the modules build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kongc-launch-'));
    try {
      const inputs = readdirSync(join(PACKAGE_ROOT, 'fixtures'))
        .map((d) => join(PACKAGE_ROOT, 'fixtures', d, 'kong.yaml'))
        .filter((f) => existsSync(f));
      assert.ok(inputs.length >= 8, 'the fixtures are there');
      for (const input of inputs) {
        const out = join(dir, 'out.conf');
        rmSync(out, { force: true });
        const run = spawnSync(process.execPath, [KONGC, 'build', input, '-o', out, '--quiet'], { encoding: 'utf8' });
        let expected: string | null = null;
        try {
          // Side files go next to -o, as in the CLI run.
          expected = compileFiles([input], { caDir: dir, secretsDir: dir, stateDir: dir }).text;
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
        // Invalid input (the malformed fixture, a stream route without --listen-stream) fails alike.
        assert.equal(run.status, expected === null ? 1 : 0, `${input}: ${run.stderr}`);
        if (expected !== null) assert.equal(readFileSync(out, 'utf8'), expected, input);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the version the modules carry', () => {
    const run = spawnSync(process.execPath, [KONGC, '--version'], { encoding: 'utf8' });
    assert.equal(run.stdout.trim(), `kongc ${VERSION}`);
  });

  it('starts from a code cache V8 accepts', () => {
    const { main, script } = loadBundle(readFileSync(CODE_CACHE_FILE));
    assert.equal(script.cachedDataRejected, false);
    assert.equal(typeof main, 'function');
  });
});
