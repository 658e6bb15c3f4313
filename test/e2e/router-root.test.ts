// A root route (`/`) catches every request no other route takes, so it gets an nginx of its own.
import { routerSuite, type Scenario } from '../support/router-suite.js';

const root: Scenario[] = [
  {
    id: 'root',
    about: 'a root route, a longer prefix, a host route and a TRACE-only route (54, 58)',
    routes: {
      R: { paths: ['/'] },
      M: { paths: ['/my-route'] },
      A: { hosts: ['domain54-1.org', 'domain54-2.org'] },
      T: { methods: ['TRACE', 'OPTIONS'] },
      H: { hosts: ['root-host.test'], paths: ['/deep'] },
    },
    cases: [
      { req: 'GET /foobar/baz', want: { route: 'R', up: '/foobar/baz' }, note: 'vector 58' },
      { req: 'GET /my-route/hello/world', want: { route: 'M', up: '/hello/world' }, note: 'vector 58' },
      // Vector 54 is a router unit test with TRACE; nginx itself refuses TRACE with 405 (in Kong
      // too, before any Lua runs), so the vector's routes are also checked with OPTIONS.
      { req: 'TRACE /', host: 'domain54-2.org', want: { status: 405 }, note: 'nginx refuses TRACE, under Kong as well' },
      { req: 'OPTIONS /', host: 'domain54-2.org', want: { route: 'A', up: '/' }, note: 'vector 54 (OPTIONS for TRACE)' },
      { req: 'OPTIONS /my-route', host: 'domain.org', want: { route: 'M', up: '/' }, note: 'vector 54 (OPTIONS for TRACE)' },
      { req: 'OPTIONS /other', host: 'domain.org', want: { route: 'R', up: '/other' }, note: 'a path (even /) beats a method' },
      { req: 'GET /deep/x', host: 'root-host.test', want: { route: 'H', up: '/x' } },
      { req: 'GET /x', host: 'root-host.test', want: { route: 'R', up: '/x' }, note: 'host-less routes serve every host' },
      { req: 'GET /my-route', host: 'root-host.test', want: { route: 'M', up: '/' } },
      { req: 'GET /deep/x', host: 'domain54-1.org', want: { route: 'A', up: '/deep/x' }, note: 'a plain host beats a path' },
    ],
  },
];

routerSuite('router: a root route', root);
