// Every encoder either refuses a value or writes exactly one nginx token that means the value,
// judged by a model of nginx's own lexer (nginx-lexer.ts). Property-based over the payload matrix
// and random hostile strings; the seed is printed on failure (KONGC_SEED=… to replay).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as enc from '../../src/render/encoders.js';
import { complexParts, lexNginx } from './nginx-lexer.js';
import { ALL_PAYLOADS, hostileString, seed } from './payloads.js';

const RUNS = 2000;
const SEED = seed();
const params = { seed: SEED, numRuns: RUNS, examples: ALL_PAYLOADS.map((p) => [p] as [string]) };

/** Runs `encode`; null when it refuses (EncodingError), the text otherwise. */
function attempt(encode: () => string): string | null {
  try {
    return encode();
  } catch (e) {
    assert.ok(e instanceof enc.EncodingError, `encoders throw only EncodingError, got ${String(e)}`);
    return null;
  }
}

/** The words nginx reads from `directive ARG;`: exactly [directive, …] and one statement. */
function wordsOf(directive: string, arg: string): string[] {
  const lexed = lexNginx(`${directive} ${arg};\n`);
  assert.equal(lexed.statements.length, 1, `one statement from ${JSON.stringify(arg)}`);
  assert.equal(lexed.comments.length, 0, 'no comment');
  assert.equal(lexed.statements[0]!.kind, 'directive');
  return lexed.statements[0]!.words;
}

function property(name: string, check: (v: string) => void): void {
  it(name, () => {
    try {
      fc.assert(fc.property(hostileString(), check), params);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n(seed ${SEED}; replay with KONGC_SEED=${SEED})`);
    }
  });
}

describe(`encoders (seed ${SEED}, ${RUNS} runs each)`, () => {
  property('comment: stays one comment line, whatever the text', (v) => {
    const out = attempt(() => enc.comment(v));
    if (out === null) return;
    const lexed = lexNginx(`# kongc: ${out}\nx y;\n`);
    assert.equal(lexed.comments.length, 1, 'one comment');
    assert.equal(lexed.statements.length, 1, 'the next line is still read');
    assert.deepEqual(lexed.statements[0]!.words, ['x', 'y']);
    assert.match(out, /^[\x20-\x7e]*$/);
  });

  property('literal: one quoted token whose text is the value', (v) => {
    const out = attempt(() => enc.literal(v));
    if (out === null) return;
    assert.deepEqual(wordsOf('x', out), ['x', v]);
    assert.ok(out.startsWith('"') && out.endsWith('"'));
    assert.ok(Buffer.byteLength(out) <= 4096);
  });

  property('text (complex value): one token, literal `$` only as ${kongc_dollar}, no other variable', (v) => {
    const out = attempt(() => enc.textValue(v));
    if (out === null) return;
    const [, word] = wordsOf('proxy_set_header X', out).slice(1);
    const parts = complexParts(word!);
    for (const p of parts) if ('variable' in p) assert.equal(p.variable, 'kongc_dollar', `unexpected variable $${p.variable}`);
    assert.equal(parts.map((p) => ('text' in p ? p.text : '$')).join(''), v);
  });

  property('prefix path after ^~: one token; nginx reads a literal prefix whatever it starts with', (v) => {
    const out = attempt(() => enc.prefixPath(v));
    if (out === null) return;
    const lexed = lexNginx(`location ^~ ${out} { }\n`);
    assert.equal(lexed.statements.length, 1);
    assert.deepEqual(lexed.statements[0]!.words, ['location', '^~', v]);
    assert.ok(v.startsWith('/'));
  });

  property('regex: one token, `~` + the pattern', (v) => {
    for (const caseless of [false, true]) {
      const out = attempt(() => enc.regex(v, caseless));
      if (out === null) continue;
      assert.deepEqual(wordsOf('x', out), ['x', (caseless ? '~*' : '~') + v]);
    }
  });

  property('map key: one token that an nginx map compares as exactly the value', (v) => {
    const out = attempt(() => enc.mapKey(v));
    if (out === null) return;
    const [, word] = wordsOf('x', out);
    // ngx_http_map: a leading '\' is dropped; a leading '~' would be a regex; 'default' etc. are keywords.
    assert.ok(!word!.startsWith('~'));
    assert.ok(!['default', 'hostnames', 'include', 'volatile'].includes(word!));
    assert.equal(word!.startsWith('\\') ? word!.slice(1) : word, v);
  });

  property('if check: the operand is one token meaning the value (a string comparison spells $ as a variable)', (v) => {
    for (const op of ['=', '!~'] as const) {
      const out = attempt(() => enc.check({ variable: 'kongc_vhost', op, operand: v }));
      if (out === null) continue;
      const words = wordsOf('if_check', out);
      assert.deepEqual(words.slice(0, 3), ['if_check', '$kongc_vhost', op]);
      if (op === '!~') assert.equal(words[3], v);
      else assert.equal(words[3], v.replace(/\$/g, '${kongc_dollar}'));
    }
  });

  property('entity key: one bare word of name characters, or refused', (v) => {
    const out = attempt(() => enc.entityKey(v));
    if (out === null) return;
    assert.deepEqual(wordsOf('k', out), ['k', v]);
    assert.match(v, /^[A-Za-z0-9._:[\]~-]+$/);
  });

  property('bare tokens (identifier, token, address, header name, listen): the value itself, nothing special', (v) => {
    for (const f of [enc.identifier, enc.token, enc.address, enc.headerName, enc.listenAddress]) {
      const out = attempt(() => f(v));
      if (out === null) continue;
      assert.equal(out, v);
      assert.deepEqual(wordsOf('x', out), ['x', v]);
      assert.doesNotMatch(v, /[\s;{}"'\\#$\0-\x1f\x7f]/);
      if (f === enc.address) assert.doesNotMatch(v, /^unix:/i);
    }
  });

  it('numbers, durations and flags are digits or on/off only', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(NaN, Infinity, -0, 2 ** 60)), fc.anything(), (n, any) => {
        for (const f of [enc.integer, enc.milliseconds]) {
          const out = attempt(() => f(n));
          if (out !== null) assert.match(out, /^\d+(ms)?$/);
          const weird = attempt(() => f(any as number));
          if (weird !== null) assert.match(weird, /^\d+(ms)?$/);
        }
        const flag = attempt(() => enc.onOff(any as boolean));
        if (flag !== null) assert.ok(flag === 'on' || flag === 'off');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('complex values: generated variables only as names, captures never run into a name', () => {
    assert.equal(enc.complexValue([{ variable: 'uri' }, { text: 'x' }]), '"${uri}x"');
    assert.equal(enc.complexValue([{ variable: '1' }, { text: '/' }]), '"$1/"');
    assert.throws(() => enc.complexValue([{ variable: '1' }, { text: 'a' }]), enc.EncodingError);
    for (const bad of ['a b', 'x;', '{x}', '', 'a$b', 'a"']) assert.throws(() => enc.complexValue([{ variable: bad }]), enc.EncodingError);
  });

  it('the payload matrix values that are refused are refused for a reason nginx would care about', () => {
    // Spot checks of the matrix against the encoders that must refuse them outright.
    for (const v of ['a.com\n', '/a\n}', 'a\r\nSet-Cookie: x', '\0', 'x\ny']) assert.throws(() => enc.literal(v), enc.EncodingError);
    for (const v of ['a.com;', 'a b', '"a"', '$x', '#x', 'a{', '']) assert.throws(() => enc.entityKey(v), enc.EncodingError);
    for (const v of ['10.0.0.1:80 backup', '1.2.3.4:80;server evil:80', 'unix:/var/run/docker.sock', 'unix:80', '[::1]:0', 'host:99999', '$host:80']) assert.throws(() => enc.address(v), enc.EncodingError);
    for (const v of ['X-A: b', 'X A', 'X\n', '', '$x', '#x']) assert.throws(() => enc.headerName(v), enc.EncodingError);
    for (const v of ['10; root /', '-1', '0x10', '10 s']) assert.throws(() => enc.integer(v as unknown as number), enc.EncodingError);
    assert.throws(() => enc.literal('x'.repeat(5000)), enc.EncodingError);
  });
});
