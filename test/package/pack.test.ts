// What `npm pack` makes is what users install: it must carry the compiled CLI, templates and
// schema, and work installed from the tarball (locally with `npx kongc`, and with `npm install -g`)
// with no build step at install time (scripts are ignored here, so nothing could build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { kongc } from '../support/kongc.js';
import { tempDir } from '../support/temp.js';

const SEED = join(PACKAGE_ROOT, 'fixtures', 'seed', 'kong.yaml');
const NPM_TIMEOUT_MS = 240_000;

/** npm as a user runs it: none of the npm_* settings `npm test` passes down to this process. */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_TEST_CONTEXT'));
  return execa('npm', args, { cwd, env, extendEnv: false, reject: false, timeout: NPM_TIMEOUT_MS });
}

// Dependencies come from npm's cache when it has them (`npm ci` filled it), else from the registry.
const INSTALL = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'];

test('npm pack: the tarball carries what the CLI runs, installs without a build and compiles the seed', async (t) => {
  const dir = tempDir(t, 'kongc-pack-');
  // --ignore-scripts: pack the build `npm test` made; `prepare` would rebuild dist/ under the other tests.
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], PACKAGE_ROOT);
  assert.equal(packed.exitCode, 0, String(packed.stderr));
  const [info] = JSON.parse(String(packed.stdout)) as { filename: string; files: { path: string }[] }[];
  const files = new Set(info!.files.map((f) => f.path));
  for (const needed of ['bin/kongc', 'dist/src/launch.js', 'dist/src/kongc.cjs', 'dist/src/kongc.code-cache', 'dist/src/validate/kong.schema.validator.cjs', 'dist/src/render/templates.precompiled.cjs', 'src/validate/kong.schema.json', 'templates/main.hbs', 'templates/njs/jwt.js', 'package.json', 'README.md']) {
    assert.ok(files.has(needed), `${needed} is not in the package`);
  }
  for (const f of files) assert.doesNotMatch(f, /^(dist\/test|dist\/bench|test|fixtures|src\/.*\.ts$)/, `${f} does not belong in the package`);
  const tarball = join(dir, info!.filename);

  const expected = await kongc(['build', SEED]);
  assert.equal(expected.exitCode, 0, expected.stderr);

  // Installed into an empty project, run with npx.
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name": "uses-kongc", "private": true}\n');
  const local = await npm([...INSTALL, tarball], project);
  assert.equal(local.exitCode, 0, String(local.stderr));
  const viaNpx = await npm(['exec', '--no', '--', 'kongc', 'build', SEED], project);
  assert.equal(viaNpx.exitCode, 0, String(viaNpx.stderr));
  assert.equal(String(viaNpx.stdout), expected.stdout);

  // Installed globally (into a temp prefix), on PATH as `kongc`.
  const prefix = join(dir, 'global');
  const global = await npm([...INSTALL, '--global', '--prefix', prefix, tarball], dir);
  assert.equal(global.exitCode, 0, String(global.stderr));
  const onPath = await execa('kongc', ['build', SEED], { reject: false, env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` }, timeout: 60_000 });
  assert.equal(onPath.exitCode, 0, String(onPath.stderr));
  assert.equal(String(onPath.stdout), expected.stdout);
});
