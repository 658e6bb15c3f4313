// Replaying a log and building the YAML gives the same nginx as building from the log directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { compileDocuments, type CompileOptions } from '../../src/compile.js';
import { parseDeclarative } from '../../src/load/document.js';
import { replayLogFile, replayLogText } from '../../src/load/admin-log/replay.js';
import { corpusDir } from '../support/corpus.js';
import { InputError } from '../../src/diagnostics.js';

const CORPUS = corpusDir('admin-logs');
const OPTIONS: CompileOptions = { skipUnsupported: true, allowDegraded: true };

/** The text, or the errors (code and message; positions differ between the log and the YAML). */
function outcome(compile: () => string): string {
  try {
    return compile();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`).join('\n');
  }
}

/** Built straight from the log or from its YAML: the same nginx, or the same errors (a log uploading a certificate file kongc cannot open). */
function sameNginx(file: string, r: ReturnType<typeof replayLogFile>): string {
  const direct = outcome(() => compileDocuments([r.document], OPTIONS).text);
  const viaYaml = outcome(() => compileDocuments([parseDeclarative('kong.yaml', r.yaml)], OPTIONS).text);
  assert.equal(viaYaml, direct, file);
  return direct;
}

test('round trip: the seed', () => {
  const file = join(PACKAGE_ROOT, 'fixtures', 'seed', 'kong-load-balancing.md');
  assert.match(sameNginx(file, replayLogFile(file)), /\nserver \{/);
});

// Without the corpus, test/replay/corpus.test.ts says so.
if (CORPUS) {
  test('round trip: every corpus log', () => {
    for (const f of readdirSync(CORPUS).filter((x) => x !== 'SOURCES.md')) sameNginx(f, replayLogFile(join(CORPUS, f)));
  });
}

test('round trip: a log exercising upstream options, regex paths, headers, methods and ids', () => {
  const log = [
    'curl -X POST localhost:8001/upstreams -d name=pool -d algorithm=least-connections -d healthchecks.passive.unhealthy.tcp_failures=2',
    'curl -X POST localhost:8001/upstreams/pool/targets -d target=127.0.0.1:9001 -d weight=10',
    'curl -X POST localhost:8001/services -d host=pool -d path=/base -d read_timeout=5000',
    '{"id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}',
    'curl -X POST localhost:8001/routes -d service.id=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee --data-urlencode "paths[]=~/users/\\d+$" -d methods[]=GET -d headers.x-version=v1 -d strip_path=false',
    'http POST :8001/routes name=r2 paths:=\'["/r2"]\' hosts:=\'["*.example.com"]\' service:=\'{"id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}\'',
  ].join('\n');
  for (const keepIds of [false, true]) {
    const r = replayLogText('log.sh', log, { keepIds });
    assert.deepEqual(r.diagnostics, []);
    sameNginx('log.sh', r);
  }
});
