// `kongc build --format json`: per server, its locations and, per location, the ordered candidate
// routes with their Kong priority, the runtime conditions left and the reason for their place.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kongc } from '../support/kongc.js';
import { tempDir } from '../support/temp.js';

const YAML = `_format_version: "3.0"
services:
  - name: s
    host: 127.0.0.1
    port: 9000
    routes:
      - name: api
        hosts: [api.test]
        paths: [/api]
      - name: users
        paths: [/api/users]
      - name: users-rx
        paths: ['~/api/users/\\d+']
        regex_priority: 3
      - name: post-only
        methods: [POST]
        paths: [/api/users]
`;

describe('kongc build --format json', () => {
  it('shows per server the locations and the dispatch order with reasons', async (t) => {
    const dir = tempDir(t, 'kongc-json-');
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, YAML);
    const res = await kongc(['build', '--format', 'json', file]);
    assert.equal(res.exitCode, 0, res.stderr);
    const plan = JSON.parse(res.stdout);
    const name = (key: string) => plan.sources[key]?.name ?? key;
    const order = (server: any, path: string) =>
      server.locations.find((l: any) => l.path === path).candidates.map((c: any) => `${c.route === '-' ? '404' : name(c.route)} ${c.why}`);

    const dflt = plan.servers.find((s: any) => s.isDefault);
    const api = plan.servers.find((s: any) => s.names.includes('api.test'));
    assert.ok(dflt && api);
    assert.deepEqual(dflt.locations.map((l: any) => l.path).sort(), ['/', '/api/users', '/api/users/']);
    // Host-less routes only: the regex (Kong's regex bit outranks the field count), then methods
    // + path (two fields), then the prefix, whose raw-path check (reserved '/' inside it) may
    // still fail, hence the 404 after it.
    assert.deepEqual(order(dflt, '/api/users/'), [
      'users-rx regex ~/api/users/\\d+',
      'post-only prefix /api/users (raw path checked), methods POST',
      'users prefix /api/users (raw path checked)',
      '404 no route matched',
    ]);
    // On api.test the host route (two fields, plain host) always matches there: it shadows the rest.
    assert.deepEqual(order(api, '/api/users/'), ['api host, prefix /api']);
    assert.deepEqual(order(api, '/'), ['404 no route matched']);
    for (const server of plan.servers) {
      for (const loc of server.locations) {
        for (const c of loc.candidates) {
          assert.equal(typeof c.priority, 'string');
          assert.ok(Array.isArray(c.conditions));
          for (const cond of c.conditions) assert.ok(['host', 'methods', 'header', 'header-regex', 'path-regex', 'sni'].includes(cond.kind), JSON.stringify(cond));
        }
      }
    }
  });
});
