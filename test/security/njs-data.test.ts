// Body edit fields (request-transformer body, response-transformer json) reach only the njs
// module's DATA: for every hostile payload as a field name and value, the module's code and the
// nginx include are the same as for a plain one, and DATA reads back as the configured strings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/diagnostics.js';
import { compileObject } from '../support/compile.js';
import { tempDir } from '../support/temp.js';
import { ALL_PAYLOADS } from './payloads.js';

/** A payload as an entry name: Kong's names end at the first ':'. */
const asName = (p: string) => p.replace(/:/g, '') || 'n';

function compile(payload: string, dir: string) {
  const name = asName(payload);
  return compileObject(
    {
      _format_version: '3.0',
      services: [{ name: 's', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/r'] }] }],
      plugins: [
        { name: 'request-transformer', config: { add: { body: [`${name}:${payload}`] }, rename: { body: [`${name}:${name}`] }, remove: { body: [name] } } },
        { name: 'response-transformer', config: { add: { json: [`${name}:${payload}`] }, remove: { json: [name] } } },
      ],
    },
    { withNjs: true, secretsDir: dir },
  );
}

describe('body edit fields stay data in the njs module', () => {
  it('every payload: same code, same include, DATA holds the strings', (t) => {
    const dir = tempDir(t, 'kongc-njs-data-');
    const plain = compile('plain', dir);
    const codeOf = (text: string) => text.split('\n').filter((l) => !l.startsWith('var DATA = ')).join('\n');
    const plainModule = plain.files.find((f) => f.path.endsWith('.js'))!;
    // The build id (a hash of everything, module included) and the module's name differ; nothing else may.
    const include = (text: string, build: string) => text.replaceAll(build, 'BUILD').replace(/kongc-njs-[0-9a-f]+\.js/g, 'MODULE');
    const buildOf = (text: string) => /^# kongc build ([0-9a-f]+)/.exec(text)![1]!;
    let compiled = 0;
    for (const payload of ALL_PAYLOADS) {
      let result;
      try {
        result = compile(payload, dir);
      } catch (e) {
        // Refused input (a template, an empty value) is fine: nothing is written.
        if (e instanceof InputError) continue;
        throw e;
      }
      compiled++;
      const module = result.files.find((f) => f.path.endsWith('.js'))!;
      assert.equal(codeOf(module.content), codeOf(plainModule.content), JSON.stringify(payload));
      assert.equal(include(result.text, buildOf(result.text)), include(plain.text, buildOf(plain.text)), JSON.stringify(payload));
      const data = JSON.parse(/^var DATA = (.*);$/m.exec(module.content)![1]!);
      const rqt = Object.entries(data).find(([k]) => k.startsWith('request-transformer:'))![1] as { add: string[][] };
      const rst = Object.entries(data).find(([k]) => k.startsWith('response-transformer:'))![1] as { add: string[][] };
      assert.deepEqual(rqt.add, [[asName(payload), payload.replace(/^:+/, '')]], JSON.stringify(payload));
      assert.deepEqual(rst.add[0]!.slice(0, 1), [asName(payload)]);
      assert.ok(!module.content.includes('\u2028'), 'U+2028 escaped');
    }
    assert.ok(compiled > ALL_PAYLOADS.length / 2, `${compiled} of ${ALL_PAYLOADS.length} compiled`);
  });
});
