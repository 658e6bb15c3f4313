// Config checks of the gate plugins (rate-limiting, request-size-limiting, request-termination,
// ip-restriction, bot-detection): Kong's rules in Kong's words with positions, what nginx cannot
// do refused, approximations stated (errors under --strict), and input that tries to break out of
// its nginx token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/diagnostics.js';
import { greaterThan } from '../../src/plan/plugins/request-size-limiting.js';
import { networkOf, validIpOrCidr } from '../../src/plan/plugins/ip-restriction.js';
import { cjsonString } from '../../src/plan/plugins/request-termination.js';
import { compileYaml } from '../support/compile.js';
import { nginxTest } from '../support/nginx.js';

const base = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:9
    routes:
      - { name: r, paths: [/r] }
`;

/** A global instance of `name` with the config given as flow YAML (line 9 of the file). */
const withPlugin = (name: string, config: string, extra = '') => `${base}plugins:\n  - name: ${name}\n    config: ${config}\n${extra}`;

function fail(yaml: string, options = {}): string[] {
  try {
    compileYaml(yaml, options);
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.message}`);
    throw e;
  }
  assert.fail('expected errors');
}

const warnings = (yaml: string) => compileYaml(yaml).diagnostics.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);

describe('rate-limiting config', () => {
  it("needs a period, and refuses a longer window with a lower limit in Kong's words", () => {
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ limit_by: ip }')), [
      "9:13 plugin 'rate-limiting': at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'",
    ]);
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ minute: 10, hour: 5 }')), ["9:33 plugin 'rate-limiting': The limit for hour(5.0) cannot be lower than the limit for minute(10.0)"]);
  });

  it('requires header_name / path for limit_by header / path, redis.host for redis, sync_rate only with redis', () => {
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ minute: 1, limit_by: header }')), ["9:36 plugin 'rate-limiting': config.header_name: required field missing (limit_by is 'header')"]);
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ minute: 1, limit_by: path }')), ["9:36 plugin 'rate-limiting': config.path: required field missing (limit_by is 'path')"]);
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ minute: 1, policy: redis }')), ["9:34 plugin 'rate-limiting': config.redis.host: required field missing (policy is 'redis')"]);
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ minute: 1, sync_rate: 1 }')), ["9:37 plugin 'rate-limiting': sync_rate can only be used with the redis policy"]);
  });

  it('refuses error codes nginx or kongc use themselves, and ones outside 400-599', () => {
    for (const code of [418, 419, 444, 499, 502, 503, 504, 200, 600, 429.5]) {
      const errors = fail(withPlugin('rate-limiting', `{ minute: 1, error_code: ${code} }`));
      assert.equal(errors.length, 1, String(code));
      assert.match(errors[0]!, new RegExp(`^9:38 plugin 'rate-limiting': error_code ${code}: `), String(code));
    }
  });

  it('refuses a header_name that is not a header name (no way into the map or the variable name)', () => {
    const errors = fail(withPlugin('rate-limiting', '{ minute: 1, limit_by: header, header_name: "X;}evil" }'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^9:57 plugin 'rate-limiting': config.header_name: invalid value "X;\}evil"$/);
  });

  it('refuses an error_message nginx cannot hold (a control character)', () => {
    assert.deepEqual(fail(withPlugin('rate-limiting', '{ minute: 1, error_message: "a\\nb" }')), [
      "9:41 plugin 'rate-limiting': error_message: contains a control character (a newline, tab …), which kongc cannot write into nginx's configuration",
    ]);
  });

  it('hour/day/month/year: a warning with the worst case against Kong\'s calendar windows; an error with --strict', () => {
    const yaml = withPlugin('rate-limiting', '{ minute: 10, hour: 100, day: 1000 }');
    assert.deepEqual(warnings(yaml), [
      "9:33 plugin-approximated: rate-limiting (global): hour: 100 per hour becomes a burst of 100 then 2 per minute (nginx rates are per second or minute): a client can make up to 219 requests in any hour (Kong: at most 100 per calendar hour, so up to 200 in one hour straddling two)",
      "9:43 plugin-approximated: rate-limiting (global): day: 1000 per day becomes a burst of 1000 then 1 per minute (nginx rates are per second or minute): a client can make up to 2439 requests in any day (Kong: at most 1000 per calendar day, so up to 2000 in one day straddling two)",
    ]);
    const strict = fail(yaml, { strict: true });
    assert.equal(strict.length, 2);
    assert.match(strict[0]!, /^9:33 rate-limiting \(global\): hour: 100 per hour/);
    const text = compileYaml(yaml).text;
    assert.match(text, /limit_req_zone "\$kongc_rl_\w+" zone=kongc-rl-[\w-]+-hour:2m rate=2r\/m;/);
    assert.match(text, /limit_req zone=kongc-rl-[\w-]+-day burst=999 nodelay;/);
  });

  it('policy redis / cluster: counters per nginx, said once per instance', () => {
    const yaml = withPlugin('rate-limiting', '{ minute: 10, policy: redis, redis: { host: redis } }');
    const w = warnings(yaml);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^9:35 plugin-approximated: .*policy redis: the counters live in each nginx \(shared by its workers\), not in Redis: with K nginx instances behind a load balancer a client can make K times the limit$/);
    assert.equal(warnings(withPlugin('rate-limiting', '{ minute: 10, policy: cluster }')).length, 1);
  });

  it('a zone per instance and period, named from the instance; one limit_req per period; no warning for second/minute', () => {
    const res = compileYaml(withPlugin('rate-limiting', '{ second: 5, minute: 100 }', '    instance_name: api-limit\n'));
    assert.deepEqual(res.diagnostics, []);
    assert.match(res.text, /limit_req_zone "\$kongc_rl_api_limit" zone=kongc-rl-api-limit-minute:2m rate=100r\/m;\nlimit_req_zone "\$kongc_rl_api_limit" zone=kongc-rl-api-limit-second:2m rate=5r\/s;/);
    assert.match(res.text, /limit_req zone=kongc-rl-api-limit-second burst=4 nodelay;\n\s+limit_req zone=kongc-rl-api-limit-minute burst=99 nodelay;\n\s+limit_req_status 429;/);
    assert.equal(nginxTest(res.text).ok, true);
  });

  it('gives two instances whose names read the same in nginx (a-b, a_b, A_B) a zone each', () => {
    const yaml = `${base}      - { name: r2, paths: [/r2] }\n      - { name: r3, paths: [/r3] }\nplugins:\n  - { name: rate-limiting, route: r, instance_name: a-b, config: { minute: 1 } }\n  - { name: rate-limiting, route: r2, instance_name: a_b, config: { minute: 9 } }\n  - { name: rate-limiting, route: r3, instance_name: A_B, config: { minute: 5 } }\n`;
    const res = compileYaml(yaml);
    const zones = [...res.text.matchAll(/^limit_req_zone "\$(\w+)" zone=(\S+):\S+ rate=(\S+);$/gm)].map((m) => `${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()} ${m[3]}`);
    assert.equal(zones.length, 3);
    assert.equal(new Set(zones.map((z) => z.split(' ')[0])).size, 3, zones.join('\n'));
    assert.equal(new Set(zones.map((z) => z.split(' ')[1])).size, 3, zones.join('\n'));
    assert.deepEqual(zones.map((z) => z.split(' ')[2]).sort(), ['1r/m', '5r/m', '9r/m']);
    assert.equal(nginxTest(res.text).ok, true);
  });

  it('quotes an error_message that tries to end the nginx token', () => {
    const res = compileYaml(withPlugin('rate-limiting', `{ minute: 1, error_message: "x\\"; } server { listen 1; } # $host '{" }`));
    const t = nginxTest(res.text);
    assert.equal(t.ok, true, t.output);
    assert.doesNotMatch(res.text, /^\s*server \{ listen 1;/m);
  });
});

describe('rate-limiting with consumer-bound instances', () => {
  const yaml = `${base}      - { name: r2, paths: [/r2] }
consumers:
  - username: alice
plugins:
  - name: rate-limiting
    config: { minute: 5 }
  - name: rate-limiting
    consumer: alice
    config: { minute: 50, hide_client_headers: true }
`;

  it("each instance counts only its consumers' requests (an empty key is not limited); one limit_req_status and error_page per route", () => {
    const res = compileYaml(yaml);
    assert.match(res.text, /map "\$kongc_consumer" \$kongc_rl_\w+_for_\w+ \{\n\s+"[0-9a-f-]{36}" "\$kongc_rl_consumer";\n\s+default "";\n\}/);
    assert.match(res.text, /map "\$kongc_consumer" \$kongc_rl_\w+_but_\w+ \{\n\s+"[0-9a-f-]{36}" "";\n\s+default "\$kongc_rl_consumer";\n\}/);
    const location = res.text.slice(res.text.indexOf('# kongc: route r '), res.text.indexOf('# kongc: route r2'));
    assert.equal(location.match(/limit_req zone=/g)?.length, 2);
    assert.equal(location.match(/limit_req_status 429;/g)?.length, 1);
    assert.equal(location.match(/error_page 429 = /g)?.length, 1);
    const t = nginxTest(res.text);
    assert.equal(t.ok, true, t.output);
  });

  it('says once per instance (not per route) that the limit headers are left out there', () => {
    const w = compileYaml(yaml).diagnostics;
    assert.deepEqual(w.map((d) => `${d.line} ${d.code}`), ['12 plugin-approximated']);
    assert.match(w[0]!.message, /no X-RateLimit-Limit headers are sent/);
  });

  it('two instances on one route that answer differently are refused', () => {
    const errors = fail(yaml.replace('hide_client_headers: true', 'hide_client_headers: true, error_message: other'));
    assert.match(errors[0]!, /both claim status 429 with different answers/);
  });
});

describe('two plugins claiming one status on a route', () => {
  it('rate-limiting error_code 413 and request-size-limiting on the same route are refused', () => {
    const yaml = `${base}plugins:\n  - name: rate-limiting\n    config: { minute: 1, error_code: 413 }\n  - name: request-size-limiting\n`;
    const errors = fail(yaml);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^8:11 on route 'r', rate-limiting \(global\) and request-size-limiting \(global\) both claim status 413 with different answers/);
  });
});

describe('request-size-limiting config', () => {
  it('refuses a size nginx cannot express (0 would mean no limit)', () => {
    assert.deepEqual(fail(withPlugin('request-size-limiting', '{ allowed_payload_size: 0 }')), [
      "9:37 plugin 'request-size-limiting': allowed_payload_size 0: nginx cannot refuse every body (its client_max_body_size 0 means no limit)",
    ]);
  });

  it('refuses an instance bound to a consumer (one body limit per location)', () => {
    const yaml = `${base}consumers:\n  - username: alice\nplugins:\n  - name: request-size-limiting\n    consumer: alice\n`;
    const errors = fail(yaml);
    assert.match(errors[0]!, /^10:5 request-size-limiting \(consumer 'alice'\) is bound to a consumer/);
  });

  it('the Content-Length regex matches exactly the numbers above the limit', () => {
    for (const n of [1, 9, 10, 99, 100, 128, 1023, 1024, 1048576, 134217728, 999, 5090]) {
      const re = new RegExp(greaterThan(n).replace('\\z', '$'));
      for (const v of [0, 1, n - 1, n, n + 1, n + 9, n * 10, n * 10 + 1, Math.floor(n / 10), 10 ** String(n).length - 1, 10 ** String(n).length]) {
        if (v < 0) continue;
        assert.equal(re.test(String(v)), v > n, `${v} > ${n}`);
        assert.equal(re.test('00' + String(v)), v > n, `00${v} > ${n}`);
      }
    }
  });

  it('every unit compiles to client_max_body_size with binary factors', () => {
    for (const [size, unit, want] of [[10, 'bytes', '10'], [3, 'kilobytes', '3k'], [128, 'megabytes', '128m']] as const) {
      const text = compileYaml(withPlugin('request-size-limiting', `{ allowed_payload_size: ${size}, size_unit: ${unit} }`)).text;
      assert.match(text, new RegExp(`\\n\\s+client_max_body_size ${want};`));
    }
  });
});

describe('request-termination config', () => {
  it("Kong's cross-field rules, in its words", () => {
    assert.deepEqual(fail(withPlugin('request-termination', '{ message: a, body: b }')), ["9:24 plugin 'request-termination': message cannot be used with content_type or body"]);
    assert.deepEqual(fail(withPlugin('request-termination', '{ content_type: text/plain }')), ["9:29 plugin 'request-termination': content_type requires a body"]);
  });

  it('refuses echo (needs code at request time), redirects and 1xx', () => {
    assert.match(fail(withPlugin('request-termination', '{ echo: true }'))[0]!, /^9:21 plugin 'request-termination': echo: the JSON copy of the request/);
    assert.match(fail(withPlugin('request-termination', '{ status_code: 301, message: moved }'))[0]!, /^9:28 .*status_code 301: nginx's return sends a redirect/);
    assert.match(fail(withPlugin('request-termination', '{ status_code: 101 }'))[0]!, /^9:28 .*status_code 101: nginx answers with a final status from 200 to 599/);
    assert.match(fail(withPlugin('request-termination', '{ status_code: 600 }'))[0]!, /^9:28 .*status_code: must be <= 599/);
  });

  it('trigger: an approximation (an empty header counts as none), said once', () => {
    const w = warnings(withPlugin('request-termination', '{ trigger: X-Debug }'));
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^9:24 plugin-approximated: request-termination \(global\): trigger 'X-Debug': nginx sees an empty header as no header/);
    assert.match(fail(withPlugin('request-termination', '{ trigger: "X-Debug;" }'))[0]!, /^9:24 .*trigger/);
  });

  it('an answer without a body is sent from an always-empty variable, never `return <status> ""`', () => {
    const text = compileYaml(withPlugin('request-termination', '{ status_code: 410 }')).text;
    assert.match(text, /map "" \$kongc_empty \{\n\s+default "";\n\}/);
    assert.match(text, /default_type "";\n\s+# [^\n]*\n\s+return 410 \$kongc_empty;/);
    assert.doesNotMatch(text, /return \d+ "";/);
  });

  it("cjson's escaping of a message", () => {
    assert.equal(cjsonString('a/b "c" \\ é'), '"a\\/b \\"c\\" \\\\ é"');
  });

  it('quotes a body that tries to end the nginx token', () => {
    const res = compileYaml(withPlugin('request-termination', `{ status_code: 200, body: "\\"; return 500; } location / { # $uri \\\\\\" '", content_type: "text/plain\\"; x" }`));
    const t = nginxTest(res.text);
    assert.equal(t.ok, true, t.output);
  });
});

describe('ip-restriction config', () => {
  it("validates addresses and CIDR ranges as Kong does, with the entry's position", () => {
    const errors = fail(withPlugin('ip-restriction', '{ allow: ["10.0.0.0/33", "1.2.3", "::1/129", "10.0.0.01", "10.0.0.0/08", "fe80::/64", "::ffff:10.0.0.1", "2001:db8::1/128"] }'));
    assert.deepEqual(errors.map((e) => e.replace(/^(\S+) .*(invalid ip or cidr range: '[^']*').*$/, '$1 $2')), [
      "9:23 invalid ip or cidr range: '10.0.0.0/33'",
      "9:38 invalid ip or cidr range: '1.2.3'",
      "9:47 invalid ip or cidr range: '::1/129'",
      "9:58 invalid ip or cidr range: '10.0.0.01'",
      "9:71 invalid ip or cidr range: '10.0.0.0/08'",
    ]);
    for (const [v, ok] of [['192.168.0.1', true], ['192.168.0.0/16', true], ['::', true], ['2001:db8::/0', true], ['1.2.3.4/', false], ['1.2.3.4 ', false], ['1.2.3.4;', false], ['::1/1a', false]] as const) {
      assert.equal(validIpOrCidr(v), ok, v);
    }
  });

  it('needs allow or deny; status within what kong.response.error takes', () => {
    assert.match(fail(withPlugin('ip-restriction', '{ status: 403 }'))[0]!, /^9:13 .*at least one of these fields must be non-empty: 'config.allow', 'config.deny'/);
    assert.match(fail(withPlugin('ip-restriction', '{ deny: [10.0.0.1], status: 200 }'))[0]!, /^9:41 .*status 200: Kong's error answer takes a status from 400 to 599/);
  });

  it('geo entries are networks (host bits cleared), deduplicated; IPv4 and IPv6 in one block pass nginx -t', () => {
    assert.equal(networkOf('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(networkOf('10.1.2.3'), '10.1.2.3');
    assert.equal(networkOf('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(networkOf('2001:db8:aa::1/32'), '2001:db8:0:0:0:0:0:0/32');
    assert.equal(networkOf('::ffff:10.0.0.1/120'), '0:0:0:0:0:ffff:a00:0/120');
    const res = compileYaml(withPlugin('ip-restriction', '{ allow: [10.1.2.3/8, 10.0.0.0/8, "2001:db8::/32", "::1"], deny: ["fe80::/10"] }'));
    assert.match(res.text, /geo \$remote_addr \$kongc_ipr_allow_\w+ \{\n\s+default "";\n\s+0:0:0:0:0:0:0:1 "1";\n\s+10\.0\.0\.0\/8 "1";\n\s+2001:db8:0:0:0:0:0:0\/32 "1";\n\}/);
    const t = nginxTest(res.text);
    assert.equal(t.ok, true, t.output);
    assert.doesNotMatch(t.output, /meaningless|duplicate/);
  });

  it('a message that tries to end the nginx token is quoted', () => {
    const res = compileYaml(withPlugin('ip-restriction', `{ deny: [10.0.0.1], message: "\\"; } # $remote_addr {" }`));
    const t = nginxTest(res.text);
    assert.equal(t.ok, true, t.output);
  });
});

describe('bot-detection config', () => {
  it('refuses a pattern that is not a regex (as Kong does), with its position', () => {
    const errors = fail(withPlugin('bot-detection', '{ deny: ["*(Googlebot|Slurp)*"] }'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^9:22 plugin 'bot-detection': deny\[0\]: '\*\(Googlebot\|Slurp\)\*' is not a regex/);
  });

  it('refuses an instance bound to a consumer', () => {
    const errors = fail(`${base}consumers:\n  - username: alice\nplugins:\n  - { name: bot-detection, consumer: alice }\n`);
    assert.match(errors[0]!, /bot-detection cannot be bound to a consumer/);
  });

  it('warns once per instance however many routes it covers', () => {
    const yaml = withPlugin('bot-detection', '{}').replace('      - { name: r, paths: [/r] }\n', '      - { name: r, paths: [/r] }\n      - { name: r2, paths: [/r2] }\n');
    assert.equal(compileYaml(yaml).diagnostics.length, 1);
  });

  it("the duplicate-User-Agent 400 is an approximation; Kong's rules and the lists compile for nginx", () => {
    const yaml = withPlugin('bot-detection', `{ allow: ["(?<x>Good)bot"], deny: ["\\"; } #", "a$host"] }`);
    const res = compileYaml(yaml);
    assert.deepEqual(res.diagnostics.map((d) => d.code), ['plugin-approximated']);
    // A named group from the config must not become an nginx variable.
    assert.doesNotMatch(res.text, /\(\?<x>/);
    const t = nginxTest(res.text);
    assert.equal(t.ok, true, t.output);
    assert.equal(fail(yaml, { strict: true }).length, 1);
  });
});

describe('phase order', () => {
  it('request-termination (rewrite) before rate-limiting (preaccess) is reported', () => {
    const w = warnings(`${base}plugins:\n  - name: rate-limiting\n    config: { minute: 5 }\n  - name: request-termination\n`);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /phase-order: on route 'r' .*nginx runs request-termination \(global\) \(rewrite phase\) before rate-limiting \(global\) \(preaccess phase\)/);
  });
});
