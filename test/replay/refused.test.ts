// Refused calls say what the output lacks because of them and how to keep it (and that advice is
// accepted when followed); a log that leaves Kong empty is an error, never an empty YAML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/diagnostics.js';
import { replayLogText, requireState } from '../../src/load/admin-log/replay.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { kongc } from '../support/kongc.js';
import { tempDir } from '../support/temp.js';

const A = 'curl -s localhost:8001';
const SEED = join(PACKAGE_ROOT, 'fixtures', 'seed', 'kong-load-balancing.md');

test('seed: following the 409 hint keeps hosts localhost, and nothing is lost any more', () => {
  const text = readFileSync(SEED, 'utf8');
  const lines = text.split('\n');
  // The hint: "add it to the call at line 98" (the first route call).
  assert.match(lines[97]!, /^curl -X POST localhost:8001\/routes \\$/);
  lines.splice(98, 0, '-d "hosts[]=localhost" \\');
  const r = replayLogText('seed.md', lines.join('\n'));
  const route = (r.document.data as any).services[0].routes[0];
  assert.deepEqual(route.hosts, ['localhost', 'api.service.com', 'service.com']);
  const conflict = r.diagnostics.find((d) => d.message.includes('409'))!;
  assert.match(conflict.message, /; nothing is lost: the route 'route\.api' from line 98 already has what this call sets$/);
});

test('409: a differing scalar is named; the kept entity is the earlier one', () => {
  const r = replayLogText('log.sh', [`${A}/services -d name=s -d host=a`, `${A}/services/s/routes -d name=r -d paths[]=/a`, `${A}/routes -d name=r -d paths[]=/a -d strip_path=false -d service.name=s`].join('\n'));
  assert.equal(r.diagnostics.length, 1);
  assert.equal(
    r.diagnostics[0]!.message,
    `POST /routes → 409 UNIQUE violation detected on '{name="r"}'; not in the output: this call's strip_path false (the route 'r' from line 2 is kept without it)`,
  );
  assert.equal((r.document.data as any).services[0].routes[0].strip_path, undefined);
});

test('a refused create names the entity it would have written; a typo in the endpoint gets the endpoint it meant', () => {
  const r = replayLogText('log.sh', [`${A}/services -d name=s -d host=a`, `${A}/servics -d name=t -d host=b`, `${A}/services/s/routs -d paths[]=/x`].join('\n'));
  assert.deepEqual(
    r.diagnostics.map((d) => [d.line, d.message, d.hint]),
    [
      [2, 'POST /servics → 404 Not found; not in the output: the entity this call would write (name=t, host=b)', "Kong's Admin API has no '/servics' endpoint; did you mean '/services'?"],
      [3, 'POST /services/s/routs → 404 Not found; not in the output: the entity this call would write (paths[]=/x)', "Kong's Admin API has no '/services/s/routs' endpoint; did you mean '/services/s/routes'?"],
    ],
  );
  // The suggested endpoints are accepted.
  const fixed = replayLogText('log.sh', [`${A}/services -d name=s -d host=a`, `${A}/services -d name=t -d host=b`, `${A}/services/s/routes -d paths[]=/x`].join('\n'));
  assert.deepEqual(fixed.diagnostics, []);
});

test('a log where no call succeeds is an error at the first refused call, with the refusals', () => {
  const r = replayLogText('log.sh', ['# setup', `${A}/servics -d name=a -d url=http://a.internal`, `${A}/servics/a/routes -d paths[]=/a`].join('\n'));
  assert.ok(r.empty);
  assert.deepEqual([r.empty.line, r.empty.column, r.empty.severity], [2, 1, 'error']);
  assert.throws(
    () => requireState(r),
    (e: unknown) => e instanceof InputError && e.diagnostics.filter((d) => d.severity === 'error').length === 1 && e.diagnostics.length === 3,
  );
  assert.equal(replayLogText('notes.md', 'Nothing but prose.\n').empty?.message, 'no curl or HTTPie command in the log: nothing to replay');
  assert.equal(requireState(replayLogText('ok.sh', `${A}/services -d name=s -d host=a`)).empty, null);
});

test('kongc replay and build --from-log exit 1 on a log where nothing succeeds, and write nothing', async (t) => {
  const dir = tempDir(t, 'kongc-refused-');
  const log = join(dir, 'typos.sh');
  writeFileSync(log, `${A}/servics -d name=a -d url=http://a.internal\n${A}/servics/a/routes -d paths[]=/a\n`);
  const out = join(dir, 'kong.yaml');
  const replay = await kongc(['replay', log, '-o', out]);
  assert.equal(replay.exitCode, 1, replay.stderr);
  assert.equal(replay.stdout, '');
  assert.match(replay.stderr, /typos\.sh:1:1: error: no call in the log leaves anything in Kong/);
  assert.match(replay.stderr, /did you mean '\/services'\?/);
  assert.throws(() => readFileSync(out), /ENOENT/);
  const build = await kongc(['build', '--from-log', log]);
  assert.equal(build.exitCode, 1, build.stderr);
  assert.equal(build.stdout, '');
  assert.match(build.stderr, /typos\.sh:1:1: error: /);
});
