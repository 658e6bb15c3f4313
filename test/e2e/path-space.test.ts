// Route paths with a space: Kong accepts `/with space` (and refuses `/with%20space` as not
// normalized). kongc accepts it too, quotes it in the location, and nginx matches and proxies it as
// Kong does: the request's `%20` is decoded before matching, and the upstream path re-encodes it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileObject } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { freePort, nginxTest, startNginx, type RunningNginx } from '../support/nginx.js';
import { routePathProblem } from '../../src/validate/semantic.js';

describe('route path with a space', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;

  const config = (backend: number) => ({
    _format_version: '3.0',
    services: [
      {
        name: 'svc',
        url: `http://127.0.0.1:${backend}`,
        routes: [
          { name: 'strip', hosts: ['strip.test'], paths: ['/with space'] },
          { name: 'keep', hosts: ['keep.test'], paths: ['/with space'], strip_path: false },
          { name: 'quote', hosts: ['quote.test'], paths: ['/a "quoted" {dir};'], strip_path: false },
        ],
      },
    ],
  });

  before(async () => {
    echo = await startEcho('space');
    port = await freePort();
    nginx = await startNginx(compileObject(config(echo.port), { listen: [`127.0.0.1:${port}`] }).text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
  });

  it('is accepted, and the output passes nginx -t', () => {
    const { text } = compileObject(config(8080));
    assert.match(text, /location \^~ "\/with space"/);
    const t = nginxTest(text);
    assert.ok(t.ok, t.output);
  });

  it('matches %20 in the request and strips the prefix', async () => {
    const res = await request(port, '/with%20space/x%20y?q=1', { host: 'strip.test' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().url, '/x%20y?q=1');
  });

  it('sends the path re-encoded when it is not stripped', async () => {
    const res = await request(port, '/with%20space/x', { host: 'keep.test' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().url, '/with%20space/x');
  });

  it('does not match a path without the space', async () => {
    const res = await request(port, '/withspace/x', { host: 'strip.test' });
    assert.equal(res.status, 404, res.body);
  });

  it('quotes nginx-significant characters next to the space', async () => {
    const res = await request(port, '/a%20%22quoted%22%20%7Bdir%7D;/z', { host: 'quote.test' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().url, '/a%20%22quoted%22%20%7Bdir%7D;/z');
  });

  it('the refusal of %20 suggests a path that is accepted', () => {
    const problem = routePathProblem('/with%20space');
    assert.ok(problem, 'Kong refuses /with%20space as not normalized');
    const suggested = /consider use '(.*)' instead/.exec(problem.message)?.[1];
    assert.equal(suggested, '/with space');
    assert.equal(routePathProblem(suggested), null);
  });
});
