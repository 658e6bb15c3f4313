// Golden files: every fixture renders byte-for-byte as reviewed, twice the same, and nginx -t accepts it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { compileFixture, compileFixtureIncludes, listFixtures } from '../support/fixtures.js';
import { nginxTest } from '../support/nginx.js';

const CODE_LOADING = /^\s*(load_module|perl_\w+|ssl_engine|\w+_by_lua\w*|include|root|alias)\s/m;

describe('golden fixtures', () => {
  const fixtures = listFixtures();
  it('has fixtures', () => assert.ok(fixtures.length >= 8, `${fixtures.length} fixtures`));
  for (const f of fixtures) {
    describe(f.name, () => {
      const text = compileFixture(f);
      it('matches its golden nginx.conf (npm run golden:update to change it)', () => {
        assert.ok(existsSync(f.golden), `missing ${f.golden}`);
        assert.equal(text, readFileSync(f.golden, 'utf8'));
      });
      it('is deterministic', () => assert.equal(compileFixture(f), text));
      it('never contains directives that load code or read files', () => assert.doesNotMatch(text, CODE_LOADING));
      // One non-ASCII character in a template comment made every output a two-byte string:
      // twice the memory, and hashing and writing re-encoded all of it (10k routes: 11 MB).
      it('is ASCII when its input is', () => assert.match(text, /^[\x00-\x7f]*$/));
      it('passes nginx -t without warnings', () => {
        const r = nginxTest(text);
        assert.ok(r.ok, r.output);
        assert.doesNotMatch(r.output, /\[warn\]/);
      });
      const stream = compileFixtureIncludes(f).stream;
      if (stream !== null) {
        it('matches its golden stream.conf, and nginx -t accepts it in a stream {} block', () => {
          assert.equal(stream, readFileSync(f.streamGolden, 'utf8'));
          assert.doesNotMatch(stream, CODE_LOADING);
          const r = nginxTest(text, stream);
          assert.ok(r.ok, r.output);
          assert.doesNotMatch(r.output, /\[warn\]/);
        });
      } else {
        it('has no stream.conf golden (no stream routes)', () => assert.ok(!existsSync(f.streamGolden)));
      }
    });
  }
});
