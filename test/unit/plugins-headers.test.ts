// Config checks of cors, request-transformer, response-transformer and correlation-id: what is
// refused (with its position), what is approximated, and input that tries to reach nginx's syntax.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { normalizeOrigin } from '../../src/plan/plugins/cors.js';
import { lowerHeaderOps, simulate, splitEntry, type HeaderOp } from '../../src/plan/plugins/header-ops.js';
import type { MapBlock } from '../../src/plan/ir.js';
import { compileYaml } from '../support/compile.js';
import { nginxTest } from '../support/nginx.js';

const base = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:9/
    routes:
      - name: r
        paths: [/r]
        plugins:
`;

/** A plugin on route r (`plugin` is its YAML, indented as a list item under plugins). */
function config(plugin: string): string {
  return base + plugin.replace(/^/gm, '          ') + '\n';
}

function errors(yaml: string, options = {}): string[] {
  try {
    compileYaml(yaml, options);
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.path} ${d.message}`);
    throw e;
  }
  assert.fail('expected errors');
}

/** The hints of the errors, in order. */
function hints(yaml: string, options = {}): (string | undefined)[] {
  try {
    compileYaml(yaml, options);
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.filter((d) => d.severity === 'error').map((d) => d.hint);
    throw e;
  }
  assert.fail('expected errors');
}

function warnings(yaml: string): Diagnostic[] {
  return compileYaml(yaml).diagnostics.filter((d) => d.severity === 'warning');
}

describe('request-transformer config', () => {
  it('refuses body edits with their position: they need JavaScript at request time (njs)', () => {
    const got = errors(config(`- name: request-transformer\n  config:\n    add: { body: ["a:1"], headers: ["X-A:1"] }\n    remove: { body: [b] }`));
    assert.equal(got.length, 2, got.join('\n'));
    assert.match(got[0]!, /^11:28 \/services\/0\/routes\/0\/plugins\/0\/config\/add\/body .*add\.body .*njs/);
    assert.match(got[1]!, /^12:31 \/services\/0\/routes\/0\/plugins\/0\/config\/remove\/body .*remove\.body .*njs/);
    for (const hint of hints(config(`- name: request-transformer\n  config:\n    add: { body: ["a:1"] }`))) assert.match(hint!, /--with-njs/);
  });

  it('with --with-njs, body entries need a value and $(…) templates are refused, by position', () => {
    const njs = { withNjs: true, secretsDir: '/tmp' };
    const empty = errors(config(`- name: request-transformer\n  config:\n    add: { body: ["a:"] }\n    remove: { body: [c] }`), njs);
    assert.deepEqual(empty, ["11:29 /services/0/routes/0/plugins/0/config/add/body/0 plugin 'request-transformer': key 'a' has no value"]);
    const template = errors(config(`- name: request-transformer\n  config:\n    add: { body: ["a:1", "b:$(headers.x)"] }`), njs);
    assert.equal(template.length, 1, template.join('\n'));
    assert.match(template[0]!, /config\/add\/body\/1 .*template/);
    const length = errors(config(`- name: request-transformer\n  config:\n    add: { body: ["a:1"], headers: ["Content-Length:5"] }`), njs);
    assert.equal(length.length, 1, length.join('\n'));
    assert.match(length[0]!, /config\/add\/headers\/0 .*Content-Length is the edited body's/);
  });

  it('refuses $(…) templates in values and in replace.uri, naming the entry', () => {
    const got = errors(config(`- name: request-transformer\n  config:\n    add: { headers: ["X-User:$(headers.x)"] }\n    replace: { uri: "/u/$(uri_captures.id)" }`));
    assert.deepEqual(
      got.map((g) => g.split(' ').slice(0, 2).join(' ')),
      ['11:32 /services/0/routes/0/plugins/0/config/add/headers/0', '12:31 /services/0/routes/0/plugins/0/config/replace/uri'],
    );
    assert.ok(got.every((g) => /template/.test(g)));
  });

  it('refuses a replace.uri that is not a plain path, and query remove/rename/replace', () => {
    const got = errors(config(`- name: request-transformer\n  config:\n    replace: { uri: "/a b", querystring: ["a:1"] }\n    remove: { querystring: [x] }`));
    assert.equal(got.length, 3, got.join('\n'));
    assert.ok(got.some((g) => /config\/replace\/uri .*plain path/.test(g)));
    assert.ok(got.some((g) => /config\/replace\/querystring .*not compiled/.test(g)));
    assert.ok(got.some((g) => /config\/remove\/querystring .*not compiled/.test(g)));
  });

  it("refuses entries without a value, invalid header names (Kong's rule) and Host renames", () => {
    assert.deepEqual(errors(config(`- name: request-transformer\n  config:\n    add: { headers: ["X-A"] }`)), [
      "11:32 /services/0/routes/0/plugins/0/config/add/headers/0 plugin 'request-transformer': 'X-A' is not of the form name:value",
    ]);
    const got = errors(config(`- name: request-transformer\n  config:\n    replace: { headers: ["X B:1"] }\n    rename: { headers: ["host:X-H"] }`));
    assert.equal(got.length, 2, got.join('\n'));
    assert.ok(got.some((g) => /config\/replace\/headers\/0 .*'X B' is not a valid header/.test(g)), got.join('\n'));
    assert.ok(got.some((g) => /config\/rename\/headers\/0 .*rename of the Host header/.test(g)), got.join('\n'));
  });

  it("refuses edits of headers Kong sends upstream itself (X-Forwarded-*, X-Real-IP)", () => {
    const got = errors(config(`- name: request-transformer\n  config:\n    remove: { headers: [X-Forwarded-For] }`));
    assert.match(got[0]!, /config\/remove\/headers\/0 .*x-forwarded-for is a header Kong sets upstream itself/);
  });

  it('refuses edits of a header another compiled plugin sets (correlation-id upstream, cors on responses)', () => {
    const got = errors(config(`- name: correlation-id\n  config: { header_name: X-Request-ID, generator: uuid }\n- name: request-transformer\n  config: { remove: { headers: [x-request-id] } }\n- name: cors\n- name: response-transformer\n  config: { add: { headers: ["Vary:Accept"] } }`));
    assert.equal(got.length, 2, got.join('\n'));
    assert.match(got[0]!, /plugins\/1\/config\/remove\/headers\/0 .*x-request-id is set by correlation-id/);
    assert.match(got[1]!, /plugins\/3\/config\/add\/headers\/0 .*vary is set by cors/);
  });

  it('does not refuse them where the other plugin does not apply', () => {
    const yaml = `${base}          - name: response-transformer\n            config: { add: { headers: ["Vary:Accept"] } }\n      - name: other\n        paths: [/o]\n        plugins: [{ name: cors }]\n`;
    assert.match(compileYaml(yaml).text, /add_header Vary "\$kongc_rst_/);
  });

  it('refuses a consumer-scoped instance', () => {
    const yaml = `${base}          - { name: cors }
consumers:
  - username: alice
    plugins:
      - name: request-transformer
        config: { add: { headers: ["X-A:1"] } }
`;
    const got = errors(yaml);
    assert.ok(got.some((g) => /per consumer is not compiled/.test(g)), got.join('\n'));
  });

  it('rejects injection in header names and values, or quotes it', () => {
    const bad = errors(config(`- name: request-transformer\n  config:\n    add: { headers: ["X-A;b:1", "X-N:a\\nb", "X-{:1"] }`));
    assert.equal(bad.length, 3, bad.join('\n'));
    const yaml = config(`- name: request-transformer\n  config:\n    add: { headers: ["X-Q:a\\"b;c{d}e'f#g$h \\\\ i"], querystring: ["k:v;\\"$"] }\n    replace: { headers: ["host:evil;proxy_pass x"] }`);
    const compiled = compileYaml(yaml);
    assert.match(compiled.text, /"a\\"b;c\{d\}e'f#g\$\{kongc_dollar\}h \\ i"/);
    assert.match(compiled.text, /set \$kongc_upstream_host "evil;proxy_pass x";/);
    assert.match(compiled.text, /k=v%3B%22%24/);
    const t = nginxTest(compiled.text);
    assert.ok(t.ok, t.output);
  });
});

describe('response-transformer config', () => {
  it('refuses json edits with their position (njs tier); json_types alone are accepted', () => {
    const got = errors(config(`- name: response-transformer\n  config:\n    add: { json: ["a:1"], json_types: [number] }\n    replace: { json_types: [string] }`));
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, /^11:28 \/services\/0\/routes\/0\/plugins\/0\/config\/add\/json .*njs/);
    assert.match(hints(config(`- name: response-transformer\n  config:\n    add: { json: ["a:1"] }`))[0]!, /--with-njs/);
  });

  it('json entries but remove\'s are name:value (Kong\'s schema)', () => {
    const got = errors(config(`- name: response-transformer\n  config:\n    rename: { json: [a] }`), { withNjs: true, secretsDir: '/tmp' });
    assert.match(got[0]!, /config\/rename\/json\/0 .*'a' is not of the form name:value/);
  });

  it('refuses headers nginx writes itself; removing Server is approximated', () => {
    const got = errors(config(`- name: response-transformer\n  config:\n    add: { headers: ["Content-Type:text/html"] }`));
    assert.match(got[0]!, /config\/add\/headers\/0 .*nginx writes the content-type header itself/);
    const w = warnings(config(`- name: response-transformer\n  config:\n    remove: { headers: [Server, X-Powered-By] }`));
    assert.equal(w.length, 1);
    assert.match(w[0]!.message, /Server: nginx/);
    assert.equal(w[0]!.path, '/services/0/routes/0/plugins/0/config/remove/headers/0');
    const strict = errors(config(`- name: response-transformer\n  config:\n    remove: { headers: [Server] }`), { strict: true });
    assert.equal(strict.length, 1);
  });

  it('rejects a value with a control character and a name nginx cannot write', () => {
    const got = errors(config(`- name: response-transformer\n  config:\n    add: { headers: ["X-A:a\\rb", "X\\"A:1", "X-T:a\\tb"] }`));
    assert.equal(got.length, 3, got.join('\n'));
  });
});

describe('cors config', () => {
  it("checks methods against Kong's list and positions the error", () => {
    const got = errors(config(`- name: cors\n  config: { methods: [GET, FETCH] }`));
    assert.equal(got.length, 1);
    assert.match(got[0]!, /\/config\/methods\/1/);
  });

  it('cannot be bound to a consumer', () => {
    const got = errors(`${base}          - { name: cors }\nconsumers:\n  - username: alice\n    plugins:\n      - name: cors\n`);
    assert.ok(got.some((g) => /cannot be bound to a consumer/.test(g)), got.join('\n'));
  });

  it('quotes origins and header lists that try to break out of the map', () => {
    const yaml = config(`- name: cors\n  config:\n    origins: ["http://a\\";}\\n", "x$y{1}"]\n    headers: ["X;\\"}"]`);
    // The newline is refused; without it the rest compiles quoted.
    assert.ok(errors(yaml).some((g) => /origins\/0/.test(g)));
    const ok = compileYaml(config(`- name: cors\n  config:\n    origins: ["http://a\\";}", "x$y{1}#"]\n    headers: ["X;\\"}"]\n    exposed_headers: ["$x"]`));
    assert.match(ok.text, /"~\^\(\?:http:\/\/a\\";}\\z\)"/);
    assert.match(ok.text, /"X;\\"}"/);
    assert.match(ok.text, /"\$\{kongc_dollar\}x"/);
    const t = nginxTest(ok.text);
    assert.ok(t.ok, t.output);
  });

  it("a long instance_name still gives variable names nginx's variables hash can hold", () => {
    const name = 'a'.repeat(48);
    const compiled = compileYaml(config(`- name: cors\n  instance_name: ${name}\n  config: { origins: [http://a.test, http://b.test], credentials: true, exposed_headers: [X] }`));
    assert.ok(!compiled.text.includes(name + '_'), 'the instance name is hashed in variable names');
    const t = nginxTest(compiled.text);
    assert.ok(t.ok && !/variables_hash/.test(t.output), t.output);
  });

  it('two cors instances whose names read the same in nginx (a-b, a_b) keep their own origins', () => {
    const yaml = `${base.replace('        plugins:\n', '')}      - { name: r2, paths: [/r2] }
plugins:
  - { name: cors, route: r, instance_name: a-b, config: { origins: [http://a.test, http://b.test] } }
  - { name: cors, route: r2, instance_name: a_b, config: { origins: [http://c.test, http://d.test] } }
`;
    const compiled = compileYaml(yaml);
    const originMaps = [...compiled.text.matchAll(/^map "\$kongc_cors_origin" \$(\w+) \{\n([^}]*)\}/gm)].map((m) => `${m[1]} ${/c\\.test/.test(m[2]!) ? 'c' : /a\\.test/.test(m[2]!) ? 'a' : '?'}`);
    assert.equal(originMaps.length, 2, originMaps.join('\n'));
    assert.deepEqual(originMaps.map((m) => m.split(' ')[1]).sort(), ['a', 'c']);
    assert.notEqual(originMaps[0]!.split(' ')[0], originMaps[1]!.split(' ')[0]);
  });

  it("normalizes configured origins as Kong's normalize_origin does", () => {
    assert.deepEqual(normalizeOrigin('http://a.test:80'), { domain: 'http://a.test', host: 'a.test' });
    assert.deepEqual(normalizeOrigin('https://a.test:443/'), { domain: 'https://a.test', host: 'a.test' });
    assert.deepEqual(normalizeOrigin('https://a.test:80'), { domain: 'https://a.test:80', host: 'a.test' });
    assert.deepEqual(normalizeOrigin('http://u@a.test:8080/p'), { domain: 'http://a.test:8080', host: 'a.test' });
    assert.deepEqual(normalizeOrigin('a.test'), { domain: 'a.test', host: 'a.test' });
  });
});

describe('correlation-id config', () => {
  it('refuses a header name nginx cannot write and headers Kong sets upstream', () => {
    assert.match(errors(config(`- name: correlation-id\n  config: { header_name: "X Id" }`))[0]!, /config\/header_name .*not a valid header name/);
    assert.match(errors(config(`- name: correlation-id\n  config: { header_name: Host }`))[0]!, /config\/header_name .*Kong sets upstream itself/);
  });

  it('uuid#counter (the default) is approximated: a warning, an error with --strict', () => {
    const w = warnings(config(`- name: correlation-id`));
    assert.equal(w.length, 1);
    assert.match(w[0]!.message, /uuid#counter/);
    assert.equal(errors(config(`- name: correlation-id`), { strict: true }).length, 1);
    assert.deepEqual(warnings(config(`- name: correlation-id\n  config: { generator: uuid }`)), []);
  });

  it('runs first (priority 100001, Kong 3.9+): its steps come before cors', () => {
    const compiled = compileYaml(config(`- name: cors\n- name: correlation-id\n  config: { generator: uuid, echo_downstream: true }`));
    const text = compiled.text;
    assert.ok(text.indexOf('# kongc: plugin correlation-id') < text.indexOf('# kongc: plugin cors'));
    assert.ok(text.indexOf('set $kongc_echo_') < text.indexOf('if ($kongc_cors_mode = "preflight")'));
  });
});

describe('header edits (header-ops)', () => {
  const op = (kind: HeaderOp['kind'], name: string, value = ''): HeaderOp => ({ kind, name, value, at: [] });

  it("splits entries as Kong's pattern does: name up to the first ':', further colons dropped", () => {
    assert.deepEqual(splitEntry('a:b'), { name: 'a', value: 'b' });
    assert.deepEqual(splitEntry('a::b:c'), { name: 'a', value: 'b:c' });
    assert.deepEqual(splitEntry('a: b'), { name: 'a', value: ' b' });
    assert.equal(splitEntry(':b'), null);
  });

  it('request edits see the edits before them; response edits see the headers as the upstream sent them', () => {
    const ops = [op('remove', 'X'), op('add', 'X', 'new')];
    assert.deepEqual(simulate(ops, new Set(['x']), 'request').get('x'), [{ text: 'new' }]);
    assert.deepEqual(simulate(ops, new Set(['x']), 'response').get('x'), []);
    const rename = [op('rename', 'A', 'B'), op('replace', 'B', 'r')];
    assert.deepEqual(simulate(rename, new Set(['a']), 'request').get('b'), [{ text: 'r' }]);
    assert.deepEqual(simulate(rename, new Set(['a']), 'response').get('b'), [{ orig: 'a' }]);
  });

  it('a header tied to another by a rename is chosen by a map on both', () => {
    const maps: MapBlock[] = [];
    const out = lowerHeaderOps([op('rename', 'X-Old', 'X-New'), op('add', 'X-New', 'n')], 'request', 'http_', 'kongc_t', { map: (m) => (maps.push(m), m.variable) });
    const neu = out.find((r) => r.key === 'x-new')!;
    assert.equal(maps.length, 1);
    assert.deepEqual(maps[0]!.source, [{ variable: 'http_x_new' }, { separator: true }, { variable: 'http_x_old' }]);
    assert.deepEqual(neu.lines, [[{ variable: maps[0]!.variable }]]);
    // Neither sent: added; only the new one: kept; only the old one: renamed; both: the old one wins.
    assert.deepEqual(maps[0]!.entries.map((e) => e.value), [[{ text: 'n' }], [{ variable: 'http_x_new' }], [{ variable: 'http_x_old' }]]);
    assert.deepEqual(maps[0]!.default, [{ variable: 'http_x_old' }]);
    assert.deepEqual(out.find((r) => r.key === 'x-old')!.lines, [[]]);
  });
});
