// proxy-cache and file-log config checks: Kong's rules, what kongc refuses, where it says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/diagnostics.js';
import { parseMediaType } from '../../src/plan/plugins/proxy-cache.js';
import { compileYaml } from '../support/compile.js';
import { nginxTest } from '../support/nginx.js';

const base = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:9
    routes:
      - name: r
        paths: [/r]
        plugins:
`;

function plugin(name: string, config: string): string {
  return `${base}          - name: ${name}\n            config: ${config}\n`;
}

function messages(yaml: string, options = { stateDir: '/var/cache/kongc' } as Record<string, unknown>): string[] {
  try {
    const r = compileYaml(yaml, options);
    return r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);
    throw e;
  }
}

const errors = (yaml: string, options?: Record<string, unknown>) => messages(yaml, options).filter((m) => m.includes(' error: '));

describe('proxy-cache config', () => {
  it('refuses strategy redis at the field, and a missing strategy', () => {
    const e = errors(plugin('proxy-cache', '{ strategy: redis, redis: { host: r } }'));
    assert.equal(e.length, 1);
    assert.match(e[0]!, /^10:33 error: plugin 'proxy-cache': strategy 'redis' is not one kongc compiles/);
    assert.match(errors(plugin('proxy-cache', '{ cache_ttl: 5 }'))[0]!, /strategy/);
  });

  it('checks types as Kong does', () => {
    assert.equal(errors(plugin('proxy-cache', '{ strategy: memory, cache_ttl: 0 }')).length, 1);
    assert.equal(errors(plugin('proxy-cache', '{ strategy: memory, response_code: [] }')).length, 1);
    assert.equal(errors(plugin('proxy-cache', '{ strategy: memory, response_code: [99] }')).length, 1);
    assert.equal(errors(plugin('proxy-cache', '{ strategy: memory, request_method: [DELETE] }')).length, 1);
    assert.deepEqual(errors(plugin('proxy-cache', '{ strategy: memory, response_code: [200], request_method: [GET], cache_ttl: 10 }')), []);
  });

  it('needs a folder for the cache, and says how to give one', () => {
    const e = errors(plugin('proxy-cache', '{ strategy: memory }'), {});
    assert.equal(e.length, 1);
    assert.match(e[0]!, /lives in a folder nginx writes, and kongc has no folder to name/);
    const ok = compileYaml(plugin('proxy-cache', '{ strategy: memory }'), { stateDir: '/srv/state' });
    assert.match(ok.text, /proxy_cache_path "\/srv\/state\/kongc-cache-[0-9a-f]+" levels=1:2 keys_zone=kongc_pc_[0-9a-f]+:10m inactive=300s/);
    // Named from content: the same config gives the same folder.
    assert.equal(compileYaml(plugin('proxy-cache', '{ strategy: memory }'), { stateDir: '/srv/state' }).text, ok.text);
  });

  it('refuses vary names nginx cannot read, and injection in any field stays quoted', () => {
    assert.match(errors(plugin('proxy-cache', '{ strategy: memory, vary_headers: ["X-A; }"] }'))[0]!, /vary_headers/);
    const args = compileYaml(plugin('proxy-cache', `{ strategy: memory, vary_query_params: ["page-size", 'a"b;}$x'] }`), { stateDir: '/tmp' });
    assert.ok(nginxTest(args.text).ok);
    const evil = plugin('proxy-cache', `{ strategy: memory, content_type: ['text/plain; a="x;}$y#\\n"', "a/b'; }"], memory: { dictionary_name: "x;}" } }`);
    const r = compileYaml(evil, { stateDir: '/tmp' });
    const t = nginxTest(r.text);
    assert.ok(t.ok, t.output);
  });

  it('approximations are warnings, errors with --strict; turning the headers off silences theirs', () => {
    const yaml = plugin('proxy-cache', '{ strategy: memory, ignore_uri_case: true }');
    assert.ok(messages(yaml).some((m) => /warning: .*cannot lowercase the path/.test(m)));
    assert.ok(errors(yaml, { stateDir: '/x', strict: true }).some((m) => /cannot lowercase the path/.test(m)));
    const quiet = plugin('proxy-cache', '{ strategy: memory, vary_query_params: [a], response_headers: { age: false, X-Cache-Key: false } }');
    assert.deepEqual(messages(quiet).filter((m) => /X-Cache-Key|Age header/.test(m)), []);
    assert.ok(messages(plugin('proxy-cache', '{ strategy: memory, request_method: [GET, PUT] }')).some((m) => /PUT requests always reach the upstream/.test(m)));
  });

  it('refuses an instance bound to a consumer; reports statuses nginx cannot cache', () => {
    const yaml = `${base}          - name: file-log\n            config: { path: /tmp/a.log }\nconsumers:\n  - username: a\n    plugins:\n      - name: proxy-cache\n        config: { strategy: memory }\n`;
    assert.deepEqual(errors(yaml).map((m) => m.replace(/: a proxy-cache.*/, '')), ["15:29 error: proxy-cache (consumer 'a')"]);
    assert.ok(messages(plugin('proxy-cache', '{ strategy: memory, response_code: [200, 799] }')).some((m) => /statuses 100-599 only/.test(m)));
    const text = compileYaml(plugin('proxy-cache', '{ strategy: memory, response_code: [200, 799] }'), { stateDir: '/x' }).text;
    assert.match(text, /proxy_cache_valid 200 300s;/);
  });

  it('says once that nginx answers request-termination before a cached response', () => {
    const yaml = `${plugin('proxy-cache', '{ strategy: memory }')}      - name: r2\n        paths: [/r2]\nplugins:\n  - name: request-termination\n    config: { status_code: 503 }\n`;
    const order = messages(yaml).filter((m) => /before request-termination runs/.test(m));
    assert.equal(order.length, 1, order.join('\n'));
    assert.match(order[0]!, /^10:33 warning: on route r /);
    assert.deepEqual(messages(plugin('proxy-cache', '{ strategy: memory }')).filter((m) => /request-termination/.test(m)), []);
  });

  it("parses media types as Kong's parse_mime_type", () => {
    assert.deepEqual(parseMediaType('Application/JSON; Charset="utf-8"'), { type: 'application', subtype: 'json', params: [['charset', 'utf-8']] });
    assert.deepEqual(parseMediaType('*'), { type: '*', subtype: '*', params: [] });
    assert.equal(parseMediaType('application/json '), null);
    assert.equal(parseMediaType('text'), null);
  });
});

describe('file-log config', () => {
  it('refuses Lua, relative and invalid paths, at the field', () => {
    assert.match(errors(plugin('file-log', '{ path: /tmp/a.log, custom_fields_by_lua: { a: "return 1" } }'))[0]!, /^10:63 error: plugin 'file-log': custom_fields_by_lua runs Lua/);
    assert.match(errors(plugin('file-log', '{ path: logs/a.log }'))[0]!, /^10:29 error: .*relative/);
    assert.match(errors(plugin('file-log', '{ path: "/tmp/a*.log" }'))[0]!, /not a valid filename/);
    assert.match(errors(plugin('file-log', '{ path: "/tmp/$host.log" }'))[0]!, /as a variable/);
    assert.match(errors(plugin('file-log', '{ }'))[0]!, /path/);
  });

  it('reopen is an approximation; injection in the path stays quoted', () => {
    assert.ok(messages(plugin('file-log', '{ path: /tmp/a.log, reopen: true }')).some((m) => /warning: .*reopen/.test(m)));
    const r = compileYaml(plugin('file-log', `{ path: '/tmp/a";} x {#.log' }`));
    assert.match(r.text, /access_log "\/tmp\/a\\";} x {#.log" kongc_file_log;/);
    assert.ok(nginxTest(r.text).ok);
  });
});
