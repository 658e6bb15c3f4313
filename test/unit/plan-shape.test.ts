// What a reviewer and nginx see of the plan's shape: names from content (a one-route change is a
// one-route diff), a fixed set of variables whatever the number of routes, readable lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileDocuments } from '../../src/compile.js';
import { parseDeclarative } from '../../src/load/document.js';
import { mixYaml } from '../../bench/mix.js';
import { stringify } from 'yaml';

function build(config: object | string): string {
  const text = typeof config === 'string' ? config : stringify(config);
  return compileDocuments([parseDeclarative('kong.yaml', text)], { allowDegraded: true }).text;
}

/** Lines added plus lines removed between two texts (longest common subsequence). */
function changedLines(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let prev = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) row[j] = x[i - 1] === y[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    prev = row;
  }
  return x.length + y.length - 2 * prev[y.length]!;
}

/** A 20-route config of the kinds real files have: hosts, methods, headers, regex, strip on and off. */
function twentyRoutes(extra: object | null, where: 'top' | 'end'): object {
  const routes: object[] = [];
  for (let i = 0; i < 20; i++) {
    const kind = i % 5;
    routes.push({
      name: `route-${i}`,
      paths: kind === 4 ? [`~/r${i}/\\d+$`] : [`/api/r${i}`],
      ...(kind === 1 ? { hosts: [`h${i % 3}.example.com`] } : {}),
      ...(kind === 2 ? { methods: ['GET'] } : {}),
      ...(kind === 3 ? { headers: { 'x-v': [`v${i}`] } } : {}),
      strip_path: i % 2 === 0,
    });
  }
  if (extra) {
    if (where === 'top') routes.unshift(extra);
    else routes.push(extra);
  }
  return { _format_version: '3.0', services: [{ name: 'api', url: 'http://127.0.0.1:9000/base', routes }] };
}

/** The variables a config defines: maps, geos and `set` targets. */
function definedVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*(?:map\s+\S+|geo)\s+\$(\w+)/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/\bset\s+\$(\w+)/g)) names.add(m[1]!);
  return names;
}

describe('names from content', () => {
  it('inserting a route at the top changes the output no more than appending it (at most 1.5x)', () => {
    const added = { name: 'inserted', paths: ['/api/r3'], hosts: ['h0.example.com'], methods: ['POST'] };
    const before = build(twentyRoutes(null, 'end'));
    const atTop = changedLines(before, build(twentyRoutes(added, 'top')));
    const atEnd = changedLines(before, build(twentyRoutes(added, 'end')));
    assert.ok(atEnd > 0 && atTop > 0);
    assert.ok(atTop <= 1.5 * atEnd, `insert at top changed ${atTop} lines, append ${atEnd}`);
  });

  it('renaming one route changes only the lines that serve it', () => {
    const before = build(twentyRoutes(null, 'end'));
    const renamed = twentyRoutes(null, 'end') as { services: { routes: { name: string }[] }[] };
    renamed.services[0]!.routes[7]!.name = 'renamed';
    const changed = changedLines(before, build(renamed));
    // The route's comment and named location, the line that jumps to it, and the build hash.
    assert.ok(changed <= 8, `${changed} lines changed`);
  });

  it('blocks are named and commented by Kong entity names', () => {
    const seed = readFileSync('fixtures/seed/nginx.conf', 'utf8');
    assert.match(seed, /^ {4}# kongc: route route\.api path 0 service service\.api$/m);
    assert.match(seed, /^# kongc: upstream upstream\.api$/m);
    assert.doesNotMatch(seed, /\b[rsut]\d+\b/);
  });
});

describe('variable budget', () => {
  it('the variables kongc defines do not grow with the number of routes', () => {
    const small = definedVariables(build(mixYaml({ routes: 100, backend: '127.0.0.1:9' })));
    const large = definedVariables(build(mixYaml({ routes: 2000, backend: '127.0.0.1:9' })));
    assert.deepEqual([...large].sort(), [...small].sort());
    assert.ok(large.size <= 20, [...large].join(' '));
  });

  it('with --with-njs, the variables grow by a fixed set and one per header name routes test', () => {
    const njs = (routes: number) => {
      const text = compileDocuments([parseDeclarative('kong.yaml', mixYaml({ routes, backend: '127.0.0.1:9' }))], { allowDegraded: true, withNjs: true, secretsDir: '/etc/nginx' }).text;
      const names = definedVariables(text);
      for (const m of text.matchAll(/^js_set \$(\w+)/gm)) names.add(m[1]!);
      return names;
    };
    const small = njs(100);
    const large = njs(2000);
    assert.deepEqual([...large].sort(), [...small].sort());
    const stock = definedVariables(build(mixYaml({ routes: 2000, backend: '127.0.0.1:9' })));
    const added = [...large].filter((v) => !stock.has(v)).sort();
    assert.deepEqual(added, ['kongc_escaped_path', 'kongc_lines_x_version', 'kongc_normalized_path', 'kongc_upstream_rule', 'kongc_upstream_uri']);
  });
});

describe('readable output', () => {
  it('no line of the seed output is longer than 160 characters', () => {
    for (const line of build(readFileSync('fixtures/seed/kong.yaml', 'utf8')).split('\n')) assert.ok(line.length <= 160, line);
  });

  it('the escape-aware check is one shared map; a route compares its result with strings, no regex', () => {
    const text = build(readFileSync('fixtures/seed/kong.yaml', 'utf8'));
    assert.equal(text.match(/2\[1346-9A-Ca-cFf\]/g)?.length, 2, 'one map knows the reserved escapes');
    // A route looks its path's stops up in one exact-key map and reads the result as a string.
    assert.match(text, /^ {4}"[0-9a-f]{12}!\/api" "!";$/m);
    assert.match(text, /set \$kongc_sig "\$kongc_vhost\\n\$kongc_escape_hit";/);
    assert.doesNotMatch(text, /\$kongc_escape_at ~/);
  });
});

describe('generated names', () => {
  it('every kongc name a template spells is one names.ts declares, and the other way round', async () => {
    const { VARIABLES, NO_ROUTE, NO_SERVICE, HTTPS_REQUIRED, NO_PEER, BAD_GATEWAY, UNAVAILABLE, GATEWAY_TIMEOUT, JUMP_STATUS, NO_ROUTE_STATUS } = await import('../../src/plan/names.js');
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { TEMPLATES_DIR } = await import('../../src/paths.js');
    const text = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.hbs')).map((f) => readFileSync(join(TEMPLATES_DIR, f), 'utf8')).join('\n');
    const declared = new Set<string>([...Object.values(VARIABLES).map((v) => `$${v}`), NO_ROUTE, NO_SERVICE, HTTPS_REQUIRED, NO_PEER, BAD_GATEWAY, UNAVAILABLE, GATEWAY_TIMEOUT]);
    const spelled = new Set(text.match(/[$@]kongc_[a-z_]+\b/g));
    for (const name of spelled) assert.ok(declared.has(name), `${name} is written in a template but not declared in names.ts`);
    // The jump statuses the templates use are the ones lower.ts and the error locations expect.
    assert.match(text, new RegExp(`error_page ${JUMP_STATUS} = \\$kongc_target;`));
    assert.match(text, new RegExp(`error_page ${NO_ROUTE_STATUS} = @kongc_no_route;`));
    assert.doesNotMatch(text.replace(new RegExp(`\\b(?:${JUMP_STATUS}|${NO_ROUTE_STATUS})\\b`, 'g'), ''), /return 41[89]/);
  });
});
