// The command-line contract: exit codes, positioned errors, no stack traces, atomic -o, --check.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxTest } from '../support/nginx.js';

const KONGC = join(process.cwd(), 'bin', 'kongc');

function kongc(args: string[], cwd = process.cwd()): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KONGC, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** One scratch folder for the whole file, removed at the end; each temp file gets a folder in it. */
const scratch = mkdtempSync(join(tmpdir(), 'kongc-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(scratch, 'f-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('kongc build', () => {
  it('prints nginx config for the seed example that nginx -t accepts', () => {
    const r = kongc(['build', 'fixtures/seed/kong.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# kongc build [0-9a-f]{16} /);
    assert.match(r.stdout, /upstream kongc_up_upstream\.api \{/);
    const t = nginxTest(r.stdout);
    assert.ok(t.ok, t.output);
  });

  it('reads kong.yaml from the current folder when no file is given', () => {
    const file = tempFile('kong.yaml', readFileSync('fixtures/seed/kong.yaml', 'utf8'));
    const r = kongc(['build'], join(file, '..'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"api\.service\.com" "api\.service\.com";/);
  });

  it('writes -o atomically and --listen sets the listen address', () => {
    const out = join(mkdtempSync(join(scratch, 'out-')), 'kong.conf');
    const r = kongc(['build', 'fixtures/seed/kong.yaml', '--listen', '127.0.0.1:8123', '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /listen 127\.0\.0\.1:8123 default_server;/);
  });

  it('--check runs nginx -t on the result', () => {
    const r = kongc(['build', 'fixtures/seed/kong.yaml', '--check']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /nginx -t accepted/);
  });

  it('--format json prints the plan', () => {
    const r = kongc(['build', 'fixtures/seed/kong.yaml', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.deepEqual(plan.listen, ['8000']);
    assert.equal(plan.sources['route:route.api'].name, 'route.api');
  });

  it('is deterministic', () => {
    assert.equal(kongc(['build', 'fixtures/upstreams/kong.yaml']).stdout, kongc(['build', 'fixtures/upstreams/kong.yaml']).stdout);
  });

  it('gives the same bytes whatever the locale (Danish collation sorts "aab" after "zed")', () => {
    const file = tempFile(
      'kong.yaml',
      '_format_version: "3.0"\nupstreams:\n  - name: zed.up\n    targets: [{target: "127.0.0.1:1"}]\n  - name: aab.up\n    targets: [{target: "127.0.0.1:2"}]\n' +
        'services:\n  - {name: s1, host: zed.up, routes: [{name: r1, hosts: [zed.example], paths: [/z]}]}\n  - {name: s2, host: aab.up, routes: [{name: r2, hosts: [aab.example], paths: [/a]}]}\n',
    );
    const inLocale = (locale: string) => spawnSync(process.execPath, [KONGC, 'build', file], { encoding: 'utf8', env: { ...process.env, LANG: locale, LC_ALL: locale } });
    const plain = inLocale('C');
    const danish = inLocale('da_DK.UTF-8');
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(plain.stdout.indexOf('upstream kongc_up_aab.up') < plain.stdout.indexOf('upstream kongc_up_zed.up'));
    assert.equal(danish.stdout, plain.stdout);
  });
});

describe('invalid input exits 1 with file:line:col and no stack trace', () => {
  const cases: [string, string, RegExp][] = [
    [
      'bad type',
      '_format_version: "3.0"\nservices:\n  - name: a\n    host: example.com\n    port: "eighty"\n',
      /kong\.yaml:5:11: error: services\[0\]\.port: expected integer, got string/,
    ],
    [
      'name with ;',
      '_format_version: "3.0"\nservices:\n  - name: evil;name\n    host: example.com\n',
      /kong\.yaml:3:11: error: services\[0\]\.name: invalid value "evil;name"\n  hint: names may contain only letters/,
    ],
    [
      'dangling reference',
      '_format_version: "3.0"\nroutes:\n  - name: r\n    service: missing\n    paths: [/x]\n',
      /kong\.yaml:4:14: error: service 'missing' does not exist/,
    ],
    ['truncated YAML', '_format_version: "3.0"\nservices:\n  - name: "a\n', /kong\.yaml:\d+:\d+: error: invalid YAML/],
    [
      'route without matcher',
      '_format_version: "3.0"\nservices:\n  - name: a\n    host: example.com\n    routes:\n      - name: r\n',
      /kong\.yaml:6:9: error: route must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'/,
    ],
  ];
  for (const [name, yaml, expected] of cases) {
    it(name, () => {
      const file = tempFile('kong.yaml', yaml);
      const out = join(file, '..', 'out.conf');
      const r = kongc(['build', file, '-o', out]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(existsSync(out), false, 'nothing written to -o');
      assert.equal(r.stdout, '');
    });
  }

  it('collects every error, not just the first', () => {
    const file = tempFile('kong.yaml', '_format_version: "3.0"\nservices:\n  - name: a;b\n    host: x.com\n  - name: c\n    host: "bad host"\n');
    const r = kongc(['validate', file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /:3:11: error/);
    assert.match(r.stderr, /:6:11: error: service host 'bad host' is not a hostname or IP address|:6:11: error/);
    assert.match(r.stderr, /kongc: 2 errors/);
  });
});

describe('usage errors exit 2', () => {
  for (const args of [['build', '--listen', 'not a port', 'fixtures/seed/kong.yaml'], ['frobnicate'], ['build', '--format', 'xml', 'fixtures/seed/kong.yaml']]) {
    it(args.join(' '), () => {
      const r = kongc(args);
      assert.equal(r.status, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
  it('no input file in an empty folder', () => {
    const r = kongc(['build'], mkdtempSync(join(scratch, 'empty-')));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no input/);
  });
});

describe('other commands', () => {
  it('validate reports ok with counts', () => {
    const r = kongc(['validate', 'fixtures/seed/kong.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^kongc: ok: 1 service, 1 route, 1 upstream, 2 targets, 1 warning$/m);
  });
  it('schema prints a JSON Schema', () => {
    const schema = JSON.parse(execFileSync(process.execPath, [KONGC, 'schema'], { encoding: 'utf8' }));
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  });
  it('--version and --help exit 0', () => {
    assert.equal(kongc(['--version']).status, 0);
    const help = kongc(['build', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Examples:/);
  });
  it('--reporter github prints annotations', () => {
    const file = tempFile('kong.yaml', '_format_version: "3.0"\nservices:\n  - name: a;b\n    host: x.com\n');
    const r = kongc(['--reporter', 'github', 'validate', file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^::error file=.*kong\.yaml,line=3,col=11::/m);
  });
});
