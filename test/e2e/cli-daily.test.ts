// Daily use of the CLI: the exact lines of each reporter, colours, warning grouping, --quiet,
// --fail-on-warnings, decK's --select-tag and folder inputs, usage and file errors in words,
// did-you-mean suggestions, version.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../../src/version.js';
import { KONGC_BIN } from '../support/kongc.js';

const scratch = mkdtempSync(join(tmpdir(), 'kongc-daily-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder holding `files` (name → content), the cwd of the run, so that paths print short. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'd-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function kongc(args: string[], cwd: string, env: Record<string, string | undefined> = {}): { status: number; stdout: string; stderr: string } {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const r = spawnSync(process.execPath, [KONGC_BIN, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const HEAD = '_format_version: "3.0"\n';
const TYPO = HEAD + 'services:\n  - name: s\n    url: http://127.0.0.1:9000\n    routes:\n      - name: r\n        path: [/x]\n';

/** Five upstreams whose targets differ in Host: one kind of warning, five times. */
function fiveHostWarnings(): string {
  let s = HEAD + 'upstreams:\n';
  for (let i = 0; i < 5; i++) s += `  - name: u${i}\n    targets: [{target: "10.0.${i}.1:8080"}, {target: "10.0.${i}.2:8080"}]\n`;
  s += 'services:\n';
  for (let i = 0; i < 5; i++) s += `  - name: s${i}\n    host: u${i}\n    routes: [{name: r${i}, paths: [/p${i}]}]\n`;
  return s;
}

describe('reporters print exactly these lines', () => {
  const dir = folder({ 'kong.yaml': TYPO });
  it('text', () => {
    const r = kongc(['validate', 'kong.yaml'], dir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "kong.yaml:7:9: error: unknown field 'path' in services[0].routes[0]\n  hint: did you mean 'paths'?\nkongc: 1 error\n");
  });
  it('json: one object per diagnostic, nothing else', () => {
    const r = kongc(['validate', 'kong.yaml', '--reporter', 'json'], dir);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      '{"file":"kong.yaml","line":7,"column":9,"severity":"error","code":"schema","message":"unknown field \'path\' in services[0].routes[0]","hint":"did you mean \'paths\'?","path":"/services/0/routes/0/path"}\n',
    );
  });
  it('github: workflow annotations', () => {
    const r = kongc(['--reporter', 'github', 'validate', 'kong.yaml'], dir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "::error file=kong.yaml,line=7,col=9::unknown field 'path' in services[0].routes[0] (hint: did you mean 'paths'?)\nkongc: 1 error\n");
  });
  it('a file error has no invented position in any reporter', () => {
    assert.equal(kongc(['validate', 'missing.yaml'], dir).stderr, 'missing.yaml: error: no such file\nkongc: 1 error\n');
    assert.equal(kongc(['validate', 'missing.yaml', '--reporter', 'github'], dir).stderr, '::error file=missing.yaml::no such file\nkongc: 1 error\n');
    assert.equal(
      kongc(['validate', 'missing.yaml', '--reporter', 'json'], dir).stderr,
      '{"file":"missing.yaml","line":null,"column":null,"severity":"error","code":"io","message":"no such file","hint":null,"path":""}\n',
    );
  });
});

describe('colours', () => {
  const dir = folder({ 'kong.yaml': TYPO });
  it('none when stderr is not a terminal', () => {
    assert.doesNotMatch(kongc(['validate', 'kong.yaml'], dir).stderr, /\u001b\[/);
  });
  it('on request (FORCE_COLOR), and never with NO_COLOR', () => {
    assert.match(kongc(['validate', 'kong.yaml'], dir, { FORCE_COLOR: '1' }).stderr, /^\u001b\[1mkong\.yaml:7:9:\u001b\[0m \u001b\[1;31merror:\u001b\[0m unknown field/);
    assert.doesNotMatch(kongc(['validate', 'kong.yaml'], dir, { FORCE_COLOR: '1', NO_COLOR: '1' }).stderr, /\u001b\[/);
  });
});

describe('warnings: grouped, --quiet, --fail-on-warnings', () => {
  const dir = folder({ 'kong.yaml': fiveHostWarnings() });
  it('shows three of a kind, then counts the rest', () => {
    const r = kongc(['build', 'kong.yaml', '-o', 'out.conf'], dir);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n');
    assert.deepEqual(lines.filter((l) => /^kong\.yaml:\d+:\d+: warning: /.test(l)).map((l) => l.split(':')[1]), ['4', '6', '8']);
    assert.equal(lines.filter((l) => l === '  hint: set the upstream\'s host_header and give the targets one port, so Kong sends one Host too').length, 3);
    assert.ok(lines.includes('... and 2 more warnings like this (host-header; --reporter json lists them all)'), r.stderr);
    assert.equal(lines.length, 3 * 2 + 1 + 1);
  });
  it('json lists every one', () => {
    const r = kongc(['build', 'kong.yaml', '-o', 'out.conf', '--reporter', 'json'], dir);
    const objects = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(objects.map((o) => [o.line, o.code]), [4, 6, 8, 10, 12].map((l) => [l, 'host-header']));
  });
  it('github shows three and a notice', () => {
    const r = kongc(['--reporter', 'github', 'build', 'kong.yaml', '-o', 'out.conf'], dir);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('::warning file=kong.yaml,line=')).length, 3);
    assert.match(r.stderr, /^::notice::\.\.\. and 2 more warnings like this \(host-header; --reporter json lists them all\)$/m);
  });
  it('--quiet prints no warning', () => {
    const r = kongc(['build', 'kong.yaml', '-o', 'out.conf', '--quiet'], dir);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.ok(existsSync(join(dir, 'out.conf')));
  });
  it('--quiet still prints errors', () => {
    const typo = folder({ 'kong.yaml': TYPO });
    assert.match(kongc(['-q', 'validate', 'kong.yaml'], typo).stderr, /^kong\.yaml:7:9: error: unknown field 'path'/);
  });
  it('--fail-on-warnings exits 1 and writes nothing', () => {
    const r = kongc(['build', 'kong.yaml', '-o', 'failed.conf', '--fail-on-warnings', '--quiet'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kong\.yaml:4:14: warning: /, 'the warnings are shown even with --quiet: they are the reason');
    assert.match(r.stderr, /\nkongc: 5 warnings, and --fail-on-warnings makes any warning fail\n$/);
    assert.equal(existsSync(join(dir, 'failed.conf')), false);
    assert.equal(kongc(['validate', 'kong.yaml', '--fail-on-warnings'], dir).status, 1);
  });
  it('--fail-on-warnings passes a config without warnings', () => {
    const clean = folder({ 'kong.yaml': HEAD + 'services:\n  - name: s\n    url: http://127.0.0.1:9000\n    routes: [{name: r, paths: [/x]}]\n' });
    const r = kongc(['validate', 'kong.yaml', '--fail-on-warnings'], clean);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'kongc: ok: 1 service, 1 route, 0 upstreams, 0 targets\n');
  });
});

describe('decK habits', () => {
  const team = (t: string, port: number, extra = '') =>
    `  - name: svc-${t}\n    url: http://127.0.0.1:${port}\n    tags: [${t}${extra}]\n    routes:\n      - {name: r-${t}, paths: [/${t}], tags: [${t}${extra}]}\n`;
  it('--select-tag keeps only entities carrying the tag', () => {
    const dir = folder({ 'kong.yaml': HEAD + 'services:\n' + team('a', 9001) + team('b', 9002) });
    const r = kongc(['build', 'kong.yaml', '--select-tag', 'a', '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const names = Object.values(JSON.parse(r.stdout).sources as Record<string, { name: string }>).map((s) => s.name).sort();
    assert.deepEqual(names, ['r-a', 'svc-a']);
  });
  it('repeated --select-tag asks for every tag (AND)', () => {
    const dir = folder({ 'kong.yaml': HEAD + 'services:\n' + team('a', 9001, ', prod') + team('b', 9002, ', prod') + team('c', 9003) });
    assert.match(kongc(['validate', 'kong.yaml', '--select-tag', 'prod'], dir).stderr, /ok: 2 services, 2 routes/);
    assert.match(kongc(['validate', 'kong.yaml', '--select-tag', 'prod', '--select-tag', 'b'], dir).stderr, /ok: 1 service, 1 route,/);
  });
  it("a file's _info.select_tags count as every entity's tags", () => {
    const dir = folder({
      'a.yaml': HEAD + '_info: {select_tags: [team-a]}\nservices:\n  - name: s-a\n    url: http://127.0.0.1:9001\n    routes: [{name: r-a, paths: [/a]}]\n',
      'b.yaml': HEAD + '_info: {select_tags: [team-b]}\nservices:\n  - name: s-b\n    url: http://127.0.0.1:9002\n    routes: [{name: r-b, paths: [/b]}]\n',
    });
    assert.match(kongc(['validate', '.', '--select-tag', 'team-b'], dir).stderr, /ok: 1 service, 1 route,/);
  });
  it('a selected route whose service is left out is an error, as is a tag nothing carries', () => {
    const dir = folder({ 'kong.yaml': HEAD + 'services:\n  - name: s\n    url: http://127.0.0.1:9001\n    routes:\n      - {name: r, paths: [/a], tags: [a]}\n' });
    const r = kongc(['validate', 'kong.yaml', '--select-tag', 'a'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kong\.yaml:6:9: error: route 'r' is selected by --select-tag a, but its service 's' is not\n  hint: tag service 's' too/);
    assert.equal(kongc(['validate', 'kong.yaml', '--select-tag', 'nope'], dir).stderr, "kong.yaml: error: no service, route or upstream carries the tag 'nope'\n  hint: check the spelling; tags are case-sensitive\nkongc: 1 error\n");
    assert.equal(kongc(['validate', 'kong.yaml', '--select-tag', 'a,b'], dir).status, 2);
  });
  it('a folder reads every *.yaml, *.yml and *.json below it, as decK does', () => {
    const dir = folder({
      'conf/1-upstreams.json': JSON.stringify({ _format_version: '3.0', upstreams: [{ name: 'up', targets: [{ target: '127.0.0.1:9001' }] }] }),
      'conf/2-services.yaml': HEAD + 'services:\n  - name: s\n    host: up\n',
      'conf/routes/r.yml': HEAD + 'routes:\n  - name: r\n    service: s\n    paths: [/r]\n',
      'conf/README.md': 'not read',
    });
    const r = kongc(['validate', 'conf'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'kongc: ok: 1 service, 1 route, 1 upstream, 1 target\n');
  });
  it('an entity declared in two files is an error naming both positions', () => {
    const svc = HEAD + '# team file\nservices:\n  - name: shared\n    url: http://127.0.0.1:9001\n';
    const dir = folder({ 'conf/a.yaml': svc, 'conf/b.yaml': svc });
    const r = kongc(['validate', 'conf'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^conf\/b\.yaml:4:5: error: duplicate service name 'shared' \(first declared at conf\/a\.yaml:4:5\)$/m);
  });
  it('a folder without configuration files is an error in words', () => {
    const dir = folder({ 'conf/notes.txt': 'x' });
    assert.equal(kongc(['validate', 'conf'], dir).stderr, "conf: error: folder holds no .yaml, .yml or .json file\n  hint: decK reads every *.yaml, *.yml and *.json below a folder; name the files so\nkongc: 1 error\n");
  });
});

describe('usage errors: one line and a pointer to the help', () => {
  const dir = folder({ 'kong.yaml': TYPO });
  const cases: [string[], string][] = [
    [['buld'], "kongc: error: unknown command 'buld'\n(Did you mean build?)\n(run 'kongc --help' for usage)\n"],
    [['build', '--lisen', '80'], "kongc: error: unknown option '--lisen'\n(Did you mean --listen?)\n(run 'kongc build --help' for usage)\n"],
    [['build', '--listen', 'x', 'kong.yaml'], 'kongc: error: --listen "x": expected PORT or ADDRESS:PORT (e.g. 8000, 127.0.0.1:8000, [::1]:8000)\n(run \'kongc build --help\' for usage)\n'],
    [['--reporter', 'xml', 'validate'], "kongc: error: option '--reporter <kind>' argument 'xml' is invalid. Allowed choices are text, json, github.\n(run 'kongc --help' for usage)\n"],
  ];
  for (const [args, expected] of cases) {
    it(args.join(' '), () => {
      const r = kongc(args, dir);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, expected);
      assert.equal(r.stdout, '');
    });
  }
});

describe('file errors in words', () => {
  const dir = folder({ 'sub/x.txt': '' });
  it('a log that is a folder', () => {
    const r = kongc(['build', '--from-log', 'sub'], dir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'sub: error: is a directory\nkongc: 1 error\n');
  });
  it('-o into a missing folder, or onto a folder: exit 1 in words, not an internal error', () => {
    writeFileSync(join(dir, 'kong.yaml'), HEAD);
    const missing = kongc(['build', 'kong.yaml', '-o', 'no/such/out.conf'], dir);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, 'kongc: cannot write -o no/such/out.conf: no such folder: no/such\n');
    const folderOut = kongc(['build', 'kong.yaml', '-o', 'sub'], dir);
    assert.equal(folderOut.status, 1);
    assert.equal(folderOut.stderr, 'kongc: cannot write -o sub: is a directory\n');
  });
  it('a missing log', () => {
    assert.equal(kongc(['replay', 'nope.sh'], dir).stderr, 'nope.sh: error: no such file\nkongc: 1 error\n');
  });
});

describe('did you mean', () => {
  it("a service host one edit away from an upstream's name", () => {
    const dir = folder({ 'kong.yaml': HEAD + 'upstreams:\n  - name: orders.v1\n    targets: [{target: "127.0.0.1:9001"}]\nservices:\n  - name: s\n    host: orders.v2\n' });
    const r = kongc(['validate', 'kong.yaml', '--reporter', 'json'], dir);
    const near = r.stderr.trim().split('\n').map((l) => JSON.parse(l)).find((d) => d.code === 'host-not-upstream');
    assert.deepEqual([near?.line, near?.column, near?.hint], [7, 11, "did you mean 'orders.v1'?"]);
  });
  it('a string where a list is expected shows the list form', () => {
    const dir = folder({ 'kong.yaml': HEAD + 'services:\n  - name: s\n    url: http://127.0.0.1:9000\n    routes:\n      - name: r\n        paths: /x\n' });
    assert.equal(kongc(['validate', 'kong.yaml'], dir).stderr, 'kong.yaml:7:16: error: services[0].routes[0].paths: expected array or null, got string\n  hint: write a list: paths: ["/x"]\nkongc: 1 error\n');
  });
  it('an unknown field far from every known one gets no guess', () => {
    const dir = folder({ 'kong.yaml': HEAD + 'services:\n  - name: s\n    url: http://127.0.0.1:9000\n    zzzzzz: 1\n' });
    assert.match(kongc(['validate', 'kong.yaml'], dir).stderr, /unknown field 'zzzzzz' in services\[0\]\n  hint: check the spelling against Kong 3\.x/);
  });
});

describe('version', () => {
  for (const args of [['version'], ['-V'], ['--version']]) {
    it(args.join(' '), () => {
      const r = kongc(args, scratch);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, `kongc ${VERSION}\n`);
    });
  }
});

describe('the JSON Schema for editors', () => {
  it('ships in the package at the path the README gives, and `kongc schema` prints it', async () => {
    const { PACKAGE_ROOT } = await import('../../src/paths.js');
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    assert.ok(files.includes('src/validate/kong.schema.json'), files.join('\n'));
    const printed = kongc(['schema'], scratch).stdout;
    assert.equal(printed, readFileSync(join(PACKAGE_ROOT, 'src/validate/kong.schema.json'), 'utf8'));
    assert.match(readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8'), /\$schema=\.\/node_modules\/kongc\/src\/validate\/kong\.schema\.json/);
  });
  it('a yaml-language-server comment is only a comment to kongc', () => {
    const dir = folder({ 'kong.yaml': '# yaml-language-server: $schema=./kong.schema.json\n' + HEAD + 'services: []\n' });
    assert.equal(kongc(['validate', 'kong.yaml'], dir).status, 0);
  });
});
