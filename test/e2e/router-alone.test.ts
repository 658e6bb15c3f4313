// Routes that are each the only one able to match in their location: kongc serves such a route in
// that location and the route checks its own conditions there (`if ($flag != 1)`), without a
// selection map. A host-less, path-less route anywhere would make every location shared, so
// these scenarios get an nginx of their own.
import { NOT_FOUND, routerSuite, type Scenario } from '../support/router-suite.js';

const alone: Scenario[] = [
  {
    id: 'alone',
    about: 'a route alone in its location with methods, headers, a regex path or a wildcard host still checks them',
    routes: {
      A: { hosts: ['alone.test'], paths: ['/get-only'], methods: ['GET'] },
      B: { hosts: ['alone.test'], paths: ['/hdr-only'], headers: { 'x-key': ['yes'] } },
      C: { paths: ['~/alone-rx/\\d+$'] },
      D: { hosts: ['*.alone.test'], paths: ['/post-only'], methods: ['POST'] },
    },
    cases: [
      { req: 'GET /get-only/x', host: 'alone.test', want: { route: 'A', up: '/x' } },
      { req: 'POST /get-only/x', host: 'alone.test', want: NOT_FOUND },
      { req: 'GET /get-only/x', host: 'other.alone-test.test', want: NOT_FOUND },
      { req: 'GET /hdr-only', host: 'alone.test', headers: { 'x-key': 'YES' }, want: { route: 'B', up: '/' } },
      { req: 'GET /hdr-only', host: 'alone.test', want: NOT_FOUND },
      { req: 'GET /alone-rx/12', host: 'any.alone-test.test', want: { route: 'C', up: '/' } },
      { req: 'GET /alone-rx/ab', host: 'any.alone-test.test', want: NOT_FOUND },
      { req: 'POST /post-only/y', host: 'a.alone.test', want: { route: 'D', up: '/y' } },
      { req: 'GET /post-only/y', host: 'a.alone.test', want: NOT_FOUND },
      { req: 'POST /post-only/y', host: 'alone.test', want: NOT_FOUND },
    ],
  },
];

routerSuite('router: a route alone in its location', alone);
