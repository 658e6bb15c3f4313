// Input limits (src/load/limits.ts), with inputs generated here rather than committed: each fails
// fast with a positioned error, never hangs, crashes the process or exhausts memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDocuments, loadFiles } from '../../src/compile.js';
import { InputError } from '../../src/diagnostics.js';
import { decodeUtf8, firstInvalidUtf8, parseDeclarative } from '../../src/load/document.js';
import { LIMITS } from '../../src/load/limits.js';
import { replayLogText } from '../../src/load/admin-log/replay.js';
import { regexProblem } from '../../src/validate/nginx-values.js';
import { kongc } from '../support/kongc.js';
import { tempDir } from '../support/temp.js';

const H = '_format_version: "3.0"\n';

/** The single error `run` fails with, as `line:col: message`, and how long it took. */
function failure(run: () => unknown): { at: string; ms: number } {
  const t0 = Date.now();
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    const errors = e.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length >= 1);
    return { at: `${errors[0]!.line}:${errors[0]!.column}: ${errors[0]!.message}`, ms: Date.now() - t0 };
  }
  assert.fail('expected an InputError');
}

const parse = (text: string) => () => compileDocuments([parseDeclarative('kong.yaml', text)]);

describe('input limits', () => {
  // A whole-file problem has no position (line and column 0).
  it('file size: refused before parsing (in process and from disk, also for a FIFO-like device)', (t) => {
    const big = H + '#'.repeat(LIMITS.fileBytes) + '\n';
    assert.deepEqual(failure(parse(big)).at, `0:0: file is larger than ${LIMITS.fileBytes} bytes`);
    const dir = tempDir(t, 'kongc-limits-');
    const file = join(dir, 'big.yaml');
    writeFileSync(file, big);
    const f = failure(() => loadFiles([file]));
    assert.equal(f.at, `0:0: file is larger than ${LIMITS.fileBytes} bytes`);
    assert.ok(f.ms < 2000, `${f.ms} ms`);
    // /dev/zero has no size: kongc reads at most the limit, then stops.
    assert.equal(failure(() => loadFiles(['/dev/zero'])).at, `0:0: file is larger than ${LIMITS.fileBytes} bytes`);
  });

  it('nesting: flow and block nesting far beyond the limit fail fast, repeatedly, without a stack overflow', () => {
    for (let round = 0; round < 3; round++) {
      const flow = failure(parse(H + 'services: ' + '['.repeat(200_000) + ']'.repeat(200_000) + '\n'));
      assert.match(flow.at, /^2:\d+: nesting deeper than 64 levels$/);
      const block = failure(parse(H + Array.from({ length: 1500 }, (_, i) => ' '.repeat(i) + 'a:').join('\n')));
      assert.match(block.at, /^\d+:\d+: nesting deeper than 64 levels$/);
      const seq = failure(parse(H + 'x:\n' + Array.from({ length: 1500 }, (_, i) => ' '.repeat(i * 2) + '- ').join('\n')));
      assert.match(seq.at, /^\d+:\d+: nesting deeper than 64 levels$/);
      const inline = failure(parse(H + 'x: ' + '- '.repeat(5000) + 'a\n'));
      assert.match(inline.at, /nesting deeper than 64 levels|invalid YAML/);
      assert.ok(flow.ms + block.ms + seq.ms < 10_000);
    }
    // 64 levels is fine as far as nesting goes (the schema then rejects the content).
    const ok = failure(parse(H + 'services: ' + '['.repeat(60) + ']'.repeat(60) + '\n'));
    assert.doesNotMatch(ok.at, /nesting/);
  });

  it('YAML aliases: billion laughs stops at the alias limit', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
    const f = failure(parse(H + levels.join('\n') + '\nservices: *l11\n'));
    assert.match(f.at, new RegExp(`^\\d+:\\d+: more than ${LIMITS.yamlAliases} YAML aliases$`));
    assert.ok(f.ms < 2000, `${f.ms} ms`);
  });

  it('list length and string length', () => {
    const list = failure(parse(H + 'services: [' + Array(LIMITS.entities + 1).fill('1').join(',') + ']\n'));
    assert.equal(list.at, `2:11: list longer than ${LIMITS.entities} items`);
    const str = failure(parse(H + `_comment: "${'x'.repeat(LIMITS.stringBytes + 1)}"\n`));
    assert.equal(str.at, `2:11: string longer than ${LIMITS.stringBytes} bytes`);
  });

  it('values that reach nginx must fit one nginx token (4096 bytes) with room to spare', () => {
    const route = (path: string) => `${H}services:\n  - name: s\n    host: 127.0.0.1\n    routes:\n      - paths: ["${path}"]\n`;
    assert.match(failure(parse(route('/' + 'ü'.repeat(2000)))).at, /^6:17: path is too long for nginx: \d+ bytes once quoted \(at most 3072\)$/);
    const svc = `${H}services:\n  - name: s\n    host: 127.0.0.1\n    path: "/${'$'.repeat(300)}"\n    routes:\n      - paths: ["/x"]\n`;
    assert.match(failure(parse(svc)).at, /^5:11: service path is too long for nginx: \d+ bytes once quoted/);
    // Just under the limit compiles, and every emitted token stays under nginx's 4096 bytes.
    const text = compileDocuments([parseDeclarative('kong.yaml', route('/' + 'a'.repeat(2000)))]).text;
    for (const line of text.split('\n')) assert.ok(Buffer.byteLength(line) < 4096, line.slice(0, 80));
  });

  it('invalid UTF-8: the exact position of the first bad byte', () => {
    const enc = (s: string) => Buffer.from(s, 'utf8');
    const cases: [Buffer, string][] = [
      [Buffer.concat([enc(H + 'services:\n  - name: caf'), Buffer.from([0xe9]), enc('\n')]), '3:14'],
      [Buffer.concat([enc('a: ü'), Buffer.from([0xc3])]), '1:5'], // truncated sequence at EOF
      [Buffer.concat([enc('a: '), Buffer.from([0xed, 0xa0, 0x80])]), '1:4'], // encoded surrogate
      [Buffer.concat([enc('a: '), Buffer.from([0xc0, 0xaf])]), '1:4'], // overlong '/'
      [Buffer.concat([enc('a: '), Buffer.from([0xf4, 0x90, 0x80, 0x80])]), '1:4'], // > U+10FFFF
      [Buffer.concat([enc('a: 😀\nb: '), Buffer.from([0x80])]), '2:4'],
    ];
    for (const [buf, at] of cases) {
      const f = failure(() => decodeUtf8('kong.yaml', buf));
      assert.ok(f.at.startsWith(`${at}: file is not valid UTF-8: byte 0x`), `${f.at} (want ${at})`);
    }
    // A BOM is fine; valid text (U+FFFD included) is not an error.
    assert.equal(decodeUtf8('k', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), enc('a: �')])), 'a: �');
    assert.equal(firstInvalidUtf8(enc('plain ü € 😀')), enc('plain ü € 😀').length);
  });

  it('lone surrogates, __proto__, constructor and prototype keys', () => {
    assert.equal(failure(parse(H + '_comment: "\\ud800"\n')).at, '2:11: string contains a lone UTF-16 surrogate escape (\\uD800-\\uDFFF), which is not valid Unicode');
    for (const k of ['__proto__', 'constructor', 'prototype']) {
      assert.equal(failure(parse(H + `services:\n  - ${k}: {}\n`)).at, `3:5: key "${k}" is not allowed`);
      assert.equal(failure(parse(`{"_format_version": "3.0", "${k}": 1}`)).at, `1:28: key "${k}" is not allowed`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('admin-call log: a line of megabytes fails at that line, fast', () => {
    const line = `curl -X POST http://localhost:8001/services -d name=a -d 'url=http://x/${'a'.repeat(4 * 1024 * 1024)}'`;
    const t0 = Date.now();
    const f = failure(() => replayLogText('admin.log', `# setup\n\n${line}\n`));
    assert.equal(f.at, `3:1: line longer than ${LIMITS.logLineBytes} bytes`);
    assert.ok(Date.now() - t0 < 5000);
    // A quote left open across many lines cannot grow a call without bound either.
    const open = `curl -X POST http://localhost:8001/services -d 'name=a\n` + 'x\n'.repeat(200_000);
    const r = replayLogText('admin.log', open);
    assert.ok(r.diagnostics.length >= 1);
  });

  it('regexes: length cap, PCRE syntax nginx would refuse, catastrophic backtracking shapes', () => {
    assert.ok(regexProblem('/(a|ab)*c')?.kind === 'backtracking');
    assert.ok(regexProblem('/(\\w|\\d)+$')?.kind === 'backtracking');
    // Characters on a 32-bit word's sign bit ('?' 63, '_' 95): the set arithmetic must see them.
    assert.ok(regexProblem('/(_|\\w)+$')?.kind === 'backtracking');
    assert.ok(regexProblem('/(\\?|[?-A])+$')?.kind === 'backtracking');
    assert.equal(regexProblem('/(_|-)+$'), null);
    assert.ok(regexProblem('/(x+x+){20}')?.kind === 'backtracking');
    assert.ok(regexProblem('/(a|)+')?.kind === 'backtracking');
    assert.ok(regexProblem('/a|*b')?.kind === 'syntax');
    assert.ok(regexProblem('/[z-a]')?.kind === 'syntax');
    assert.ok(regexProblem('/a{70000}')?.kind === 'syntax');
    for (const fine of ['/users/(?<id>\\d+)$', '/(foo|bar)+/x', '/[^/]+/(\\d+|new)', '/(\\.|[a-z])+$', '/v\\d+/.*']) assert.equal(regexProblem(fine), null, fine);
    const long = `${H}services:\n  - name: s\n    host: 127.0.0.1\n    routes:\n      - paths: ["~/${'a'.repeat(LIMITS.regexLength)}"]\n`;
    assert.match(failure(parse(long)).at, new RegExp(`regex longer than ${LIMITS.regexLength} characters`));
    // A pathological request against an accepted regex is not this test's business: PCRE's match limit bounds it (SECURITY.md).
  });

  it('CLI: a huge generated file exits 1 with the position, no stack trace, nothing written', async (t) => {
    const dir = tempDir(t, 'kongc-limits-');
    const file = join(dir, 'deep.yaml');
    writeFileSync(file, H + 'services: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n');
    const r = await kongc(['build', file, '-o', join(dir, 'out.conf')]);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /deep\.yaml:2:\d+: error: nesting deeper than 64 levels/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    const log = join(dir, 'admin.log');
    writeFileSync(log, `curl -X POST http://localhost:8001/services -d name=${'a'.repeat(2 * 1024 * 1024)}\n`);
    const l = await kongc(['build', '--from-log', log, '-o', join(dir, 'out.conf')]);
    assert.equal(l.exitCode, 1, l.stderr);
    assert.match(l.stderr, /admin\.log:1:1: error: line longer than/);
    assert.doesNotMatch(l.stderr, /^\s+at /m);
    assert.equal((await import('node:fs')).existsSync(join(dir, 'out.conf')), false);
  });
});
