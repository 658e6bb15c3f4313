// Every one of Kong's router test vectors (from its router specs, its path-handling fixture and
// its docs) that applies to Kong 3.x's default router (traditional_compatible), through real nginx.
// Where the traditional router differs, the traditional_compatible expectation is used (v1 → v0;
// 48, 63).
// Vectors whose host-less routes would catch other vectors' requests in one nginx keep their
// meaning but run on a host of their own (noted per scenario); host names that several vectors
// share (example.com, domain-1.org, route.*) are suffixed where they would collide.
// Vectors needing a root or a methods-only route with no host are in router-global.test.ts.
import { NOT_FOUND, routerSuite, type Scenario } from '../support/router-suite.js';

const v = (n: number) => `v${n}.test`;

/** A single-route path-construction vector on a host of its own. */
function pathVector(n: number, route: Scenario['routes'][string], cases: [string, string][]): Scenario {
  return {
    id: `v${n}`,
    about: `path construction vector ${n}`,
    routes: { A: { hosts: [v(n)], ...route } },
    cases: cases.map(([req, up]) => ({ req: `GET ${req}`, host: v(n), want: { route: 'A', up } })),
    warnings: route.path_handling === 'v1' ? [{ code: 'path-handling', route: 'A' }] : [],
  };
}

const scenarios: Scenario[] = [
  pathVector(1, { svcPath: '/', paths: ['/route'] }, [['/route', '/'], ['/routereq', '/req']]),
  pathVector(3, { svcPath: '/', paths: ['/route'], strip_path: false }, [['/routereq', '/routereq']]),
  pathVector(4, { svcPath: '/srv', paths: ['/rou'], strip_path: false }, [['/roureq', '/srv/roureq']]),
  pathVector(5, { svcPath: '/srv', paths: ['/rou'], strip_path: false, path_handling: 'v1' }, [['/roureq', '/srv/roureq']]),
  pathVector(6, { svcPath: '/srv', paths: ['/rou'] }, [['/roureq', '/srv/req']]),
  pathVector(7, { svcPath: '/srv', paths: ['/rou'], path_handling: 'v1' }, [['/roureq', '/srv/req']]),
  pathVector(8, { svcPath: '/srv/', paths: ['/rou'] }, [['/rou', '/srv']]),
  pathVector(9, { svcPath: '/srv/', paths: ['/rou'], path_handling: 'v1' }, [['/rou', '/srv']]),
  pathVector(10, { svcPath: '/service', paths: ['/'] }, [['/', '/service'], ['/route', '/service/route']]),
  pathVector(12, { svcPath: '/service', paths: ['/route'] }, [['/route', '/service'], ['/route/', '/service/']]),
  pathVector(14, { svcPath: '/service', paths: ['/route/'] }, [['/route/', '/service/']]),
  pathVector(15, { svcPath: '/service', paths: ['/route/'], path_handling: 'v1' }, [['/route/', '/service/']]),
  pathVector(16, { svcPath: '/service/', paths: ['/'] }, [['/', '/service/']]),
  pathVector(17, { svcPath: '/service/', paths: ['/route'] }, [['/route', '/service'], ['/routereq', '/service/req']]),
  pathVector(19, { svcPath: '/service' }, [['/route', '/service/route']]),
  pathVector(20, { svcPath: '/service/' }, [['/', '/service/']]),
  pathVector(21, { svcPath: '/service', paths: ['/route'] }, [['/route./req', '/service/req']]),
  pathVector(22, { svcPath: '/service', paths: ['/route'], path_handling: 'v1' }, [['/route%2E/req', '/service/req']]),
  pathVector(23, { svcPath: '/service', paths: ['/route'], strip_path: false }, [['/route%2E/req', '/service/route./req']]),
  pathVector(24, { svcPath: '/service', paths: ['~/[0]?route'] }, [['/routereq', '/service/req']]),
  pathVector(25, { svcPath: '/s', paths: ['/fv1'], strip_path: false, path_handling: 'v1' }, [['/fv1req', '/s/fv1req']]),
  {
    id: 'v26',
    about: 'strip_path strips the matched prefix (26), a POST-only non-stripping twin wins for POST (27)',
    routes: {
      A: { paths: ['/my-route', '/xx-route'] },
      B: { methods: ['POST'], paths: ['/my-route', '/xx-route'], strip_path: false },
    },
    cases: [
      { req: 'GET /my-route/hello/world', want: { route: 'A', up: '/hello/world', upHeaders: { 'x-forwarded-prefix': '/my-route' } } },
      { req: 'GET /xx-route/hello', want: { route: 'A', up: '/hello', upHeaders: { 'x-forwarded-prefix': '/xx-route' } } },
      { req: 'POST /my-route/hello/world', want: { route: 'B', up: '/my-route/hello/world', upHeaders: { 'x-forwarded-prefix': null } } },
    ],
  },
  {
    id: 'v28',
    about: 'a root route strips nothing and sends no X-Forwarded-Prefix (28; on its own host)',
    routes: { A: { hosts: [v(28)], paths: ['/'] } },
    cases: [{ req: 'POST /my-route/hello/world', host: v(28), want: { route: 'A', up: '/my-route/hello/world', upHeaders: { 'x-forwarded-prefix': null } } }],
  },
  {
    id: 'v29',
    about: 'a regex route strips its whole match, not anchored at the end (29)',
    routes: { A: { paths: ['~/users/(\\d+)/profile'] } },
    cases: [
      { req: 'GET /users/123/profile/hello/world', want: { route: 'A', up: '/hello/world', upHeaders: { 'x-forwarded-prefix': '/users/123/profile' } } },
      { req: 'GET /users/abc/profile', want: NOT_FOUND },
    ],
  },
  {
    id: 'v30',
    about: 'a route path with an encoded slash matches the encoded request (30)',
    routes: { A: { paths: ['/endel%2Fst'] } },
    cases: [{ req: 'GET /endel%2Fst', want: { route: 'A', up: '/' } }],
  },
  {
    id: 'v31',
    about: 'request path normalization before matching (31–34)',
    routes: {
      A: { paths: ['/foo/bar'] },
      B: { paths: ['/hello'] },
      C: { paths: ['/anything/world'], strip_path: false },
    },
    cases: [
      { req: 'GET /foo/a/../bar', want: { route: 'A', up: '/', upHeaders: { 'x-forwarded-path': '/foo/a/../bar' } } },
      { req: 'GET /h%65llo/anything/a/../b', want: { route: 'B', up: '/anything/b' } },
      { req: 'GET /anything/./a/../wor%6cd/a/../b', want: { route: 'C', up: '/anything/world/b' } },
      { req: 'GET /anything/world/cat%20and%20dog', want: { route: 'C', up: '/anything/world/cat%20and%20dog' } },
    ],
  },
  {
    id: 'v35',
    about: 'the query string is passed on unchanged, a lone ? included (35)',
    routes: { A: { hosts: ['mock-upstream.v35.test'] } },
    cases: [
      {
        req: 'GET /request?',
        host: 'mock-upstream.v35.test',
        query: false,
        want: { route: 'A', up: '/request?' },
        divergence: { nginx: { route: 'A', up: '/request' }, why: 'nginx drops an empty query string: a bare trailing ? is not sent upstream' },
      },
      { req: 'GET /get?hello', host: 'mock-upstream.v35.test', query: false, want: { route: 'A', up: '/get?hello' } },
    ],
  },
  {
    id: 'v36',
    about: 'X-Forwarded-Prefix only when a prefix other than / was stripped (36; on its own host)',
    routes: {
      A: { hosts: [v(36)], paths: ['/foo'] },
      B: { hosts: [v(36)], paths: ['/bar'], strip_path: false },
      C: { hosts: [v(36)], paths: ['/'] },
    },
    cases: [
      { req: 'GET /foo/status/200', host: v(36), want: { route: 'A', up: '/status/200', upHeaders: { 'x-forwarded-prefix': '/foo' } } },
      { req: 'GET /bar/status/200', host: v(36), want: { route: 'B', up: '/bar/status/200', upHeaders: { 'x-forwarded-prefix': null } } },
      { req: 'GET /', host: v(36), want: { route: 'C', up: '/', upHeaders: { 'x-forwarded-prefix': null } } },
    ],
  },
  {
    id: 'v37',
    about: 'hosts, paths and methods must all match (37)',
    routes: { A: { hosts: ['example.com', 'foo-service.com'], paths: ['/foo', '/bar'], methods: ['GET'] } },
    cases: [
      { req: 'GET /foo/hello/world', host: 'example.com', want: { route: 'A', up: '/hello/world' } },
      { req: 'GET /bar', host: 'foo-service.com', want: { route: 'A', up: '/' } },
      { req: 'GET /', host: 'example.com', want: NOT_FOUND },
      { req: 'POST /foo', host: 'example.com', want: NOT_FOUND },
      { req: 'GET /foo', host: 'foo.com', want: NOT_FOUND },
    ],
  },
  {
    id: 'v38',
    about: 'a method makes the same-host route more specific (38)',
    routes: { A: { hosts: ['v38.example.com'] }, B: { hosts: ['v38.example.com'], methods: ['POST'] } },
    cases: [
      { req: 'GET /', host: 'v38.example.com', want: { route: 'A', up: '/' } },
      { req: 'POST /', host: 'v38.example.com', want: { route: 'B', up: '/' } },
    ],
  },
  {
    id: 'v39',
    about: 'the longer prefix wins (39; on its own host)',
    routes: { A: { hosts: [v(39)], paths: ['/my-route/hello'] }, B: { hosts: [v(39)], paths: ['/my-route'] } },
    cases: [
      { req: 'GET /my-route/hello/world', host: v(39), want: { route: 'A', up: '/world' } },
      { req: 'GET /my-route', host: v(39), want: { route: 'B', up: '/' } },
      { req: 'GET /my-route/world', host: v(39), want: { route: 'B', up: '/world' } },
    ],
  },
  {
    id: 'v40',
    about: 'prefixes are anchored: a host route on /my-route does not match /something/my-route (40)',
    routes: { A: { paths: ['/something/my-route'] }, B: { hosts: ['example.com'], paths: ['/my-route'] } },
    cases: [
      { req: 'GET /something/my-route', host: 'example.com', want: { route: 'A', up: '/' } },
      { req: 'GET /my-route/x', host: 'example.com', want: { route: 'B', up: '/x' } },
    ],
  },
  {
    id: 'v41',
    about: 'a regex path beats a prefix path (41, 42)',
    routes: {
      A: { paths: ['/route/persons'] },
      B: { paths: ['~/route/persons/\\d+/profile'] },
      C: { paths: ['/route/fixture'] },
      D: { paths: ['~/route/(fixture)'] },
    },
    cases: [
      { req: 'GET /route/persons/123/profile', want: { route: 'B', up: '/' } },
      { req: 'GET /route/persons/abc/profile', want: { route: 'A', up: '/abc/profile' } },
      { req: 'GET /route/fixture', want: { route: 'D', up: '/' } },
    ],
  },
  {
    id: 'v43',
    about: 'a regex is anchored at the start (43)',
    routes: { A: { paths: ['~/prefix/[0-9]+'] } },
    cases: [
      { req: 'GET /prefix/123', want: { route: 'A', up: '/' } },
      { req: 'GET /extra/prefix/123', want: NOT_FOUND },
    ],
  },
  {
    id: 'v45',
    about: 'plain hosts beat wildcards; *.x and x.* (44, 45)',
    routes: {
      P: { hosts: ['plain.route.com'] },
      A: { hosts: ['*.route.com'] },
      B: { hosts: ['route.*'] },
      Q: { hosts: ['route.com'] },
    },
    cases: [
      { req: 'GET /', host: 'route.com', want: { route: 'Q', up: '/' } },
      { req: 'GET /', host: 'route.org', want: { route: 'B', up: '/' } },
      { req: 'GET /', host: 'route.org:123', want: { route: 'B', up: '/' } },
      { req: 'GET /', host: 'plain.route.com', want: { route: 'P', up: '/' } },
      { req: 'GET /', host: 'foo.route.com', want: { route: 'A', up: '/' } },
    ],
  },
  {
    id: 'v46',
    about: 'a wildcard route also serves an exact host that has its own routes (46)',
    routes: { A: { hosts: ['*.route46.com'], paths: ['/path1'] }, B: { hosts: ['plain.route46.com'], paths: ['/path2'] } },
    cases: [
      { req: 'GET /path1', host: 'plain.route46.com', want: { route: 'A', up: '/' } },
      { req: 'GET /path2', host: 'plain.route46.com', want: { route: 'B', up: '/' } },
    ],
  },
  {
    id: 'v47',
    about: 'a route host with a port matches only that port; a port-less host any port (47)',
    routes: {
      A: { hosts: ['domain-1.org', 'domain-2.org'] },
      M: { hosts: ['domain-1.org:321', 'domain-2.org'] },
      N: { hosts: ['domain-3.org:321'] },
    },
    cases: [
      { req: 'GET /', host: 'domain-1.org', want: { route: 'A', up: '/' } },
      { req: 'GET /', host: 'domain-1.org:80', want: { route: 'A', up: '/' } },
      { req: 'GET /', host: 'domain-1.org:321', want: { route: 'M', up: '/' } },
      { req: 'GET /', host: 'domain-3.org:321', want: { route: 'N', up: '/' } },
      { req: 'GET /', host: 'domain-3.org:123', want: NOT_FOUND },
      { req: 'GET /', host: 'domain-3.org', want: NOT_FOUND },
    ],
    warnings: [{ code: 'route-tie', route: 'M' }],
  },
  {
    id: 'v48',
    about: 'x.* and x.*:80: without a port in Host the listener port counts (48, compat)',
    routes: { A: { hosts: ['route48.*:80'] }, B: { hosts: ['route48.*'] } },
    cases: [
      { req: 'GET /', host: 'route48.org', want: { route: 'B', up: '/' } },
      { req: 'GET /', host: 'route48.org:80', want: { route: 'A', up: '/' }, note: 'equal priority: kongc tries the host naming the port first' },
    ],
    warnings: [{ code: 'route-tie', route: 'B' }],
  },
  {
    id: 'v49',
    about: 'header values are alternatives (49)',
    routes: { A: { headers: { location: ['my-location-1', 'my-location-2'] } } },
    cases: [
      { req: 'GET /', headers: { location: 'my-location-2' }, want: { route: 'A', up: '/' } },
      { req: 'GET /', headers: { location: 'my-location-3' }, want: NOT_FOUND },
      {
        req: 'GET /',
        headers: { location: ['my-location-3', 'my-location-2'] },
        want: { route: 'A', up: '/' },
        divergence: { nginx: NOT_FOUND, why: 'nginx 1.22 $http_<name> holds only the first of repeated header lines; Kong tests each', withNjs: 'kong' },
      },
    ],
  },
  {
    id: 'v50',
    about: 'more headers first (50; header renamed x-location50)',
    routes: { A: { headers: { 'x-location50': ['my-location-1'] } }, B: { headers: { 'x-location50': ['my-location-1'], version: ['v1', 'v2'] } } },
    cases: [
      { req: 'GET /', headers: { 'x-location50': 'my-location-1', version: 'v1' }, want: { route: 'B', up: '/' } },
      { req: 'GET /', headers: { 'x-location50': 'my-location-1' }, want: { route: 'A', up: '/' } },
    ],
  },
  {
    id: 'v51',
    about: 'header names and values are case-insensitive (51)',
    routes: { A: { headers: { Version: ['v1', 'v2'] } }, B: { headers: { version: ['V3'] } } },
    cases: [
      { req: 'GET /', headers: { version: 'v1' }, want: { route: 'A', up: '/' } },
      { req: 'GET /', headers: { Version: 'v3' }, want: { route: 'B', up: '/' } },
      { req: 'GET /', headers: { VERSION: 'V2' }, want: { route: 'A', up: '/' } },
    ],
  },
  {
    id: 'v52',
    about: 'a ~* header value is a case-insensitive regex (52)',
    routes: { A: { headers: { user_agent: ['~*windows|linux|os\\s+x\\s*[\\d\\._]+|solaris|bsd'] } } },
    cases: [
      { req: 'GET /', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36' }, want: { route: 'A', up: '/' } },
      { req: 'GET /', headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)' }, want: { route: 'A', up: '/' } },
      { req: 'GET /', headers: { 'user-agent': 'curl/8.0' }, want: NOT_FOUND },
    ],
  },
  {
    id: 'v53',
    about: 'more headers beat a longer path (53; on its own host)',
    routes: {
      A: { hosts: [v(53)], headers: { version: ['v1'] }, paths: ['/my-route/hello'] },
      B: { hosts: [v(53)], headers: { version: ['v1'], location: ['us-east'] }, paths: ['/my-route'] },
    },
    cases: [
      { req: 'GET /my-route/hello', host: v(53), headers: { version: 'v1', location: 'us-east' }, want: { route: 'B', up: '/hello' } },
      { req: 'GET /my-route/hello', host: v(53), headers: { version: 'v1' }, want: { route: 'A', up: '/' } },
    ],
  },
  {
    id: 'v57',
    about: 'a route of another host never matches (57)',
    routes: { A: { hosts: ['host1.com'], paths: ['/v1/path'] }, B: { hosts: ['host2.com'], paths: ['/'] } },
    cases: [
      { req: 'GET /v1/path', host: 'host2.com', want: { route: 'B', up: '/v1/path' } },
      { req: 'GET /v1/path', host: 'host1.com', want: { route: 'A', up: '/' } },
    ],
  },
  {
    id: 'v59',
    about: 'regex_priority is ignored for prefix paths; /.* is a literal prefix (59)',
    routes: {
      A: { hosts: ['domain59-1.org'], paths: ['/.*'] },
      B: { hosts: ['domain59-2.org'], paths: ['/'], regex_priority: 5 },
      C: { hosts: ['domain59-2.org'], paths: ['/v1'] },
    },
    cases: [
      { req: 'GET /v1', host: 'domain59-2.org', want: { route: 'C', up: '/' } },
      { req: 'GET /.*/x', host: 'domain59-1.org', want: { route: 'A', up: '/x' } },
      { req: 'GET /anything', host: 'domain59-1.org', want: NOT_FOUND },
    ],
  },
  {
    id: 'v60',
    about: 'a route with several paths is split by path (60)',
    routes: { A: { hosts: ['domain60.org'], paths: ['/foo', '/foo/bar/baz'] }, B: { hosts: ['domain60.org'], paths: ['/foo/bar'] } },
    cases: [
      { req: 'GET /foo', host: 'domain60.org', want: { route: 'A', up: '/' } },
      { req: 'GET /foo/bar', host: 'domain60.org', want: { route: 'B', up: '/' } },
      { req: 'GET /foo/bar/baz/x', host: 'domain60.org', want: { route: 'A', up: '/x' } },
    ],
  },
  {
    id: 'v61',
    about: 'a route mixing a regex and a prefix path (61)',
    routes: { A: { hosts: ['domain61.org'], paths: ['~/some/thing/else', '/foo'] }, B: { hosts: ['domain61.org'], paths: ['/foo/bar'] } },
    cases: [
      { req: 'GET /some/thing/else', host: 'domain61.org', want: { route: 'A', up: '/' } },
      { req: 'GET /foo/bar', host: 'domain61.org', want: { route: 'B', up: '/' } },
      { req: 'GET /foo/baz', host: 'domain61.org', want: { route: 'A', up: '/baz' } },
    ],
  },
  {
    id: 'v62',
    about: 'regex_priority orders regex routes (62); equal priority falls back to declaration order (63, compat)',
    routes: {
      A: { paths: ['~/status/(?P<foo>re)'] },
      B: { paths: ['~/status/(re)'], regex_priority: 4 },
      C: { paths: ['~/status/(ab)'] },
      D: { paths: ['~/status/(ab)c?'] },
    },
    cases: [
      { req: 'GET /status/re', want: { route: 'B', up: '/' } },
      { req: 'GET /status/ab', want: { route: 'C', up: '/' } },
      { req: 'GET /status/abc', want: { route: 'C', up: '/c' } },
    ],
    warnings: [{ code: 'route-tie', route: 'D' }],
  },
  {
    id: 'v64',
    about: 'routes of another host are not candidates (64)',
    routes: {
      A: { methods: ['GET'], paths: ['/unrelated/route', '/root/fixture'], hosts: ['ahost.test'] },
      B: { paths: ['/root/fixture/get'], hosts: ['anotherhost.test'] },
    },
    cases: [
      { req: 'GET /root/fixture/get', host: 'anotherhost.test', want: { route: 'B', up: '/' } },
      { req: 'GET /root/fixture/get', host: 'ahost.test', want: { route: 'A', up: '/get' } },
      { req: 'GET /', host: 'ahost.test', want: NOT_FOUND },
    ],
  },
  {
    id: 'v65',
    about: 'routes of a disabled service are left out; a lower route then matches (65)',
    routes: {
      A: { paths: ['/disabled-service1'], disabled: true },
      B: { paths: ['~/enabled-service/\\w+'] },
      C: { paths: ['/enabled-service/disabled'], disabled: true },
    },
    cases: [
      { req: 'GET /disabled-service1', want: NOT_FOUND },
      { req: 'GET /enabled-service/disabled', want: { route: 'B', up: '/' } },
    ],
    warnings: [{ code: 'disabled-service', route: 'A' }],
  },
  {
    id: 'v66',
    about: 'a route without a service answers 503 (66)',
    routes: { A: { hosts: ['serviceless-route-http.test'], noService: true } },
    cases: [{ req: 'GET /', host: 'serviceless-route-http.test', want: { status: 503, body: { message: 'no Service found with those values' } } }],
  },
  {
    id: 'v67',
    about: 'no route: 404 JSON (67)',
    routes: { A: { hosts: ['v67.test'] } },
    cases: [
      { req: 'GET /nothing/here', host: 'nobody.v67.test', want: { ...NOT_FOUND, headers: { 'content-type': 'application/json; charset=utf-8' } } },
      { req: 'POST /', host: 'v67.test.example', want: NOT_FOUND },
    ],
  },
  {
    id: 'v68',
    about: 'https-only routes answer plain HTTP with 426 or a redirect (68)',
    routes: {
      A: { hosts: ['v68.test'], protocols: ['https'] },
      B: { hosts: ['v68-redirect.test'], protocols: ['https'], https_redirect_status_code: 301 },
    },
    cases: [
      { req: 'GET /x', host: 'v68.test', want: { status: 426, body: { message: 'Please use HTTPS protocol' }, headers: { upgrade: 'TLS/1.2, HTTP/1.1' } } },
      { req: 'GET /a/b?c=d', host: 'v68-redirect.test:8080', query: false, want: { status: 301, headers: { location: 'https://v68-redirect.test/a/b?c=d' } } },
    ],
  },
  {
    id: 'v69',
    about: 'preserve_host sends the client Host, port included (69)',
    routes: { A: { hosts: ['preserve.com'], preserve_host: true }, B: { hosts: ['nopreserve.com'] } },
    cases: [
      { req: 'GET /', host: 'preserve.com:123', want: { route: 'A', up: '/', host: 'preserve.com:123' } },
      { req: 'GET /', host: 'preserve.com', want: { route: 'A', up: '/', host: 'preserve.com' } },
      { req: 'GET /', host: 'nopreserve.com:123', want: { route: 'B', up: '/' } },
    ],
  },
  {
    id: 'v70',
    about: 'X-Forwarded-* and X-Real-IP (70)',
    routes: { A: { hosts: ['v70.test'] } },
    cases: [
      {
        req: 'GET /',
        host: 'v70.test',
        headers: { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https', 'x-real-ip': '10.0.0.1' },
        want: {
          route: 'A',
          up: '/',
          upHeaders: { 'x-forwarded-for': '10.0.0.1, 127.0.0.1', 'x-forwarded-proto': 'http', 'x-real-ip': '127.0.0.1', 'x-forwarded-host': 'v70.test', 'x-forwarded-path': '/' },
        },
      },
    ],
  },
];

routerSuite("router: Kong's router test vectors (traditional_compatible)", scenarios, { minCases: 90 });
