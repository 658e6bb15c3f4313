// request-transformer body edits and response-transformer JSON edits through a real nginx with
// kongc's njs module (--with-njs): form and JSON request bodies edited as Kong edits them, with
// their Content-Length, multipart bodies as lua-multipart rewrites them; bodies of other types,
// and bodies Kong does not read, left alone; JSON responses edited (numbers and slashes written as
// Kong's cjson writes them) and sent without a Content-Length, Kong's own answers too; other
// responses untouched; a route that also edits headers and checks a key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend, type EchoReply } from '../../support/echo.js';
import { request } from '../../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../../support/nginx.js';

/** What the response service answers on each path: Content-Type and body. */
const RESPONSES: Record<string, [string, string]> = {
  '/json': ['application/json', '{"keep":1,"drop":true,"old":"v","rep":"x","flag":false,"list":[1],"url":"a/b","big":12345678901234567,"null":null}'],
  '/suffix': ['application/vnd.api+json; charset=utf-8', '{"a":1}'],
  '/text': ['text/plain', '{"keep":1,"drop":true}'],
  '/broken': ['application/json', '{"keep":'],
  '/array': ['application/json', '[ 1, "a/b" ]'],
  '/badparam': ['application/json;', '{"keep":1}'],
};

const yaml = (echo: number, own: number) => `_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:${echo}/
    routes:
      - name: edit
        paths: [/edit]
        plugins:
          - name: request-transformer
            config:
              remove: { body: [drop] }
              rename: { body: ["old:new"] }
              replace: { body: ["rep:replaced"] }
              add: { body: ["add:added", "rep:never"] }
              append: { body: ["app:one", "app:two"] }
      - name: hostile
        paths: [/hostile]
        plugins:
          - name: request-transformer
            config:
              add: { body: ["q\\"n$x\\nm;{}:v\\"a$1;{}'#\\nz \${y}"] }
      - name: combined
        paths: [/combined]
        plugins:
          - { name: key-auth }
          - name: request-transformer
            config:
              add: { headers: ["X-Added:yes"], body: ["k:v"] }
              remove: { headers: [X-Drop] }
          - name: response-transformer
            config:
              add: { headers: ["X-Resp:1"], json: ["from:kongc"] }
  - name: own
    url: http://127.0.0.1:${own}/
    routes:
      - name: resp
        paths: [/resp]
        strip_path: true
        plugins:
          - name: response-transformer
            config:
              remove: { json: [drop] }
              rename: { json: ["old:new"] }
              replace: { json: ["rep:r/1", "flag:yes", "null:was null"] }
              add: { json: ["n:12", "b:true", "keep:no", "added:x \\"y\\" \\\\ z"], json_types: [number, boolean, string] }
              append: { json: ["list:2", "app:a"], json_types: [number] }
              add_headers_unused: null
consumers:
  - username: alice
    keyauth_credentials: [{ key: secret-key }]
`.replace('              add_headers_unused: null\n', '');

describe('request and response body edits through nginx with njs', () => {
  let echo: EchoBackend;
  let own: Server;
  let nginx: RunningNginx;
  let port: number;
  let dir: string;

  before(async () => {
    echo = await startEcho('a');
    own = createServer((req, res) => {
      const [type, body] = RESPONSES[req.url ?? ''] ?? ['text/plain', 'none'];
      res.writeHead(200, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'kongc-njs-body-'));
    const compiled = compileYaml(yaml(echo.port, (own.address() as AddressInfo).port), { listen: [`127.0.0.1:${port}`], secretsDir: dir, withNjs: true });
    assert.deepEqual(compiled.diagnostics.filter((d) => d.severity === 'error'), []);
    for (const f of compiled.files) writeFileSync(f.path, f.content, { mode: 0o600 });
    nginx = await startNginx(compiled.text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
    own?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const send = async (path: string, body: string | Buffer | undefined, contentType?: string, headers: Record<string, string> = {}): Promise<EchoReply> => {
    const res = await request(port, path, { method: body === undefined ? 'GET' : 'POST', body, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers } });
    assert.equal(res.status, 200, res.body);
    return res.json() as EchoReply;
  };

  /** The upstream body's Content-Length is its length in bytes. */
  const lengthFits = (got: EchoReply) => assert.equal(got.headers['content-length'], String(Buffer.from(got.bodyBase64, 'base64').length));

  it('edits a form body in Kong order: remove, rename, replace, add, append, and sets Content-Length', async () => {
    const got = await send('/edit', 'drop=1&old=o&rep=r&keep=a+b%21&app=x', 'application/x-www-form-urlencoded; charset=utf-8');
    lengthFits(got);
    const args = new URLSearchParams(got.body);
    assert.deepEqual([...args.keys()].sort(), ['add', 'app', 'app', 'app', 'keep', 'new', 'rep']);
    assert.equal(args.get('new'), 'o');
    assert.equal(args.get('rep'), 'replaced');
    assert.equal(args.get('add'), 'added');
    assert.deepEqual(args.getAll('app'), ['x', 'one', 'two']);
    assert.match(got.body, /(^|&)keep=a%20b%21(&|$)/, 'arguments re-encoded as ngx.encode_args does');
  });

  it('edits a JSON body: values are strings, false counts as absent for add, / escaped as cjson writes it', async () => {
    const got = await send('/edit', '{"drop":1,"old":"o","rep":"r","keep":"a/b","app":"x","add":false}', 'application/json');
    lengthFits(got);
    assert.deepEqual(JSON.parse(got.body), { rep: 'replaced', keep: 'a/b', app: ['x', 'one', 'two'], add: 'added', new: 'o' });
    assert.match(got.body, /"keep":"a\\\/b"/);
  });

  it('edits a multipart body as lua-multipart does: a renamed or replaced part moves to the end, no append', async () => {
    const part = (name: string, value: string, extra = '') => `--XyZ\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`;
    const file = part('file', 'line1\r\nline2', '; filename="a.txt"\r\nContent-Type: text/plain');
    const body = part('drop', '1') + part('old', 'o') + part('rep', 'r') + file + '--XyZ--\r\n';
    const got = await send('/edit', body, 'multipart/form-data; boundary="XyZ"');
    lengthFits(got);
    assert.equal(got.body, file + part('new', 'o') + part('rep', 'replaced') + part('add', 'added') + '--XyZ--\r\n');
  });

  it('adds to an empty JSON body; a body larger than Kong\'s 8k buffer counts as none, as in Kong', async () => {
    assert.deepEqual(JSON.parse((await send('/edit', '', 'application/json')).body), { add: 'added', rep: 'never', app: ['one', 'two'] });
    const big = JSON.stringify({ pad: 'x'.repeat(9000), rep: 'r' });
    const got = await send('/edit', big, 'application/json');
    lengthFits(got);
    assert.deepEqual(JSON.parse(got.body), { add: 'added', rep: 'never', app: ['one', 'two'] });
  });

  it('leaves alone a body of another type, broken JSON, and a request without a body', async () => {
    const text = await send('/edit', 'drop=1&old=o', 'text/plain');
    assert.equal(text.body, 'drop=1&old=o');
    lengthFits(text);
    const broken = await send('/edit', '{"drop":', 'application/json');
    assert.equal(broken.body, '{"drop":');
    const none = await send('/edit', undefined);
    assert.equal(none.body, '');
    assert.equal(none.headers['content-length'], undefined, 'no Content-Length on a request without a body');
  });

  it('passes a large binary body of another type byte for byte', async () => {
    const bytes = Buffer.alloc(50_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    const got = await send('/edit', bytes, 'application/octet-stream');
    assert.equal(got.bodyBase64, bytes.toString('base64'));
    lengthFits(got);
  });

  it('keeps a field name and value with quotes, $, braces and newlines as data', async () => {
    const got = await send('/hostile', '{}', 'application/json');
    assert.deepEqual(JSON.parse(got.body), { 'q"n$x\nm;{}': 'v"a$1;{}\'#\nz ${y}' });
    const form = await send('/hostile', 'a=1', 'application/x-www-form-urlencoded');
    assert.equal(new URLSearchParams(form.body).get('q"n$x\nm;{}'), 'v"a$1;{}\'#\nz ${y}');
    lengthFits(form);
  });

  it('runs with key-auth and header edits on the same route', async () => {
    const denied = await request(port, '/combined', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(denied.status, 401);
    const { request_id: _id, ...answer } = denied.json() as Record<string, unknown>;
    assert.deepEqual(answer, { message: 'No API key found in request', from: 'kongc' }, "Kong's own answer gets the JSON edits too");
    assert.equal(denied.headers['content-length'], undefined);
    const text = await request(port, '/combined', { headers: { accept: 'text/plain' } });
    assert.equal(text.status, 401);
    assert.doesNotMatch(text.body, /kongc/, 'a plain-text answer is not JSON: untouched');
    const got = await send('/combined', 'a=1', 'application/x-www-form-urlencoded', { apikey: 'secret-key', 'x-drop': 'gone' });
    assert.equal(got.body, 'a=1&k=v');
    lengthFits(got);
    assert.equal(got.headers['x-added'], 'yes');
    assert.equal(got.headers['x-drop'], undefined);
    const res = await request(port, '/combined', { headers: { apikey: 'secret-key' } });
    assert.equal(res.headers['x-resp'], '1');
    assert.equal(JSON.parse(res.body).from, 'kongc', 'the echo answer is JSON: edited too');
  });

  it('edits a JSON response as Kong does, without Content-Length', async () => {
    const res = await request(port, '/resp/json');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], undefined);
    assert.deepEqual(res.json(), { keep: 1, rep: 'r/1', flag: false, list: [1, 2], url: 'a/b', big: 12345678901235000, null: 'was null', new: 'v', n: 12, b: true, added: 'x "y" \\\\ z', app: ['a'] });
    assert.match(res.body, /"url":"a\\\/b"/);
    assert.match(res.body, /"big":1\.2345678901235e\+16/);
    const suffix = await request(port, '/resp/suffix');
    assert.equal(suffix.json().n, 12, 'application/*+json with parameters is JSON');
  });

  it('leaves other responses untouched, Content-Length kept', async () => {
    for (const path of ['/text', '/broken', '/badparam']) {
      const res = await request(port, `/resp${path}`);
      assert.equal(res.body, RESPONSES[path]![1], path);
      if (path === '/text' || path === '/badparam') assert.equal(res.headers['content-length'], String(RESPONSES[path]![1].length), path);
    }
    assert.equal((await request(port, '/resp/array')).body, '[1,"a\\/b"]', 'an array is written again, unchanged');
  });
});
