// Every v0 row of Kong's path-handling table (spec/fixtures/router_path_handling_tests.lua), with
// the plain route path and with Kong's regex variant, served by a real nginx in front of an echo
// backend.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileObject } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';
import { PATH_ROWS, regexVariant } from '../support/path-table.js';

interface Case {
  name: string;
  host: string;
  request: string;
  upstream: string;
}

describe('path handling (Kong v0, every row of the table)', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;
  const cases: Case[] = [];

  before(async () => {
    echo = await startEcho('paths');
    port = await freePort();
    const services: object[] = [];
    for (const row of PATH_ROWS) {
      for (const strip of row.strip) {
        const variants = row.route === null ? [null] : [row.route, regexVariant(row.route)];
        variants.forEach((routePath, v) => {
          const n = cases.length;
          const host = `c${n}.paths.test`;
          cases.push({ name: `row ${row.id} strip=${strip} ${routePath === null ? 'host-only' : routePath}`, host, request: row.request, upstream: row.upstream });
          services.push({
            name: `svc${n}`,
            host: '127.0.0.1',
            port: echo.port,
            path: row.service,
            routes: [{ name: `route${n}`, hosts: [host], strip_path: strip, ...(routePath === null ? {} : { paths: [routePath] }), ...(v ? { regex_priority: 0 } : {}) }],
          });
        });
      }
    }
    const { text } = compileObject({ _format_version: '3.0', services }, { listen: [`127.0.0.1:${port}`] });
    nginx = await startNginx(text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
  });

  it('covers every v0 row with plain and regex paths', () => {
    assert.ok(cases.length >= 150, `only ${cases.length} cases`);
  });

  it('sends Kong\'s upstream path, query string and Host for every case', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const res = await request(port, `${c.request}?a=1&b`, { host: c.host });
      const body = res.status === 200 ? res.json() : null;
      const got = body ? `${body.url} host=${body.host}` : `status ${res.status}: ${res.body}`;
      const want = `${c.upstream}?a=1&b host=127.0.0.1:${echo.port}`;
      if (got !== want) failures.push(`${c.name}: GET ${c.request} → ${got}, want ${want}`);
    }
    assert.deepEqual(failures, []);
  });
});
