// Router cases that need routes with no host and no path (methods-only, headers-only) or a root
// route: such routes apply to every request, so each group has an nginx of its own.
// Expectations follow Kong 3.x traditional_compatible: more fields first, then
// plain hosts, header count, regex, regex_priority, prefix length; equal priority → declaration
// order in kongc (Kong: route UUID), with a warning.
import { NOT_FOUND, routerSuite, type Scenario } from '../support/router-suite.js';

const scenarios: Scenario[] = [
  {
    id: 'g1',
    about: 'methods-only, headers-only, host-only and path-only routes (55, 56 and own cases)',
    routes: {
      C: { hosts: ['domain.*'] },
      L: { hosts: ['*.wild-g.test'] },
      I: { hosts: ['plain-g.test'] },
      J: { hosts: ['plain-j.test'], headers: { 'x-g': ['yes'] } },
      A: { methods: ['GET'] },
      B: { paths: ['/example'] },
      H: { headers: { 'x-g': ['yes'] } },
      K: { methods: ['POST'], paths: ['/example'] },
    },
    cases: [
      { req: 'GET /example/status/200', host: 'nothing.com', want: { route: 'B', up: '/status/200' }, note: 'vector 55' },
      { req: 'GET /', host: 'nothing.com', want: { route: 'A', up: '/' }, note: 'vector 56' },
      { req: 'GET /', host: 'domain.com', want: { route: 'C', up: '/' }, note: 'vector 56: equal priority, first declared' },
      { req: 'DELETE /', host: 'domain.com', want: { route: 'C', up: '/' } },
      { req: 'DELETE /', host: 'nothing.com', want: NOT_FOUND },
      { req: 'GET /', host: 'nothing.com', headers: { 'x-g': 'yes' }, want: { route: 'H', up: '/' }, note: 'a header beats a method' },
      { req: 'GET /', host: 'domain.com', headers: { 'x-g': 'YES' }, want: { route: 'H', up: '/' }, note: 'a header beats a wildcard host' },
      { req: 'GET /', host: 'plain-g.test', headers: { 'x-g': 'yes' }, want: { route: 'I', up: '/' }, note: 'a plain host beats a header' },
      { req: 'GET /example', host: 'plain-j.test', headers: { 'x-g': 'yes' }, want: { route: 'J', up: '/example' }, note: 'two fields beat one' },
      { req: 'GET /example', host: 'plain-j.test', want: { route: 'B', up: '/' } },
      { req: 'POST /example/x', host: 'nothing.com', want: { route: 'K', up: '/x' } },
      { req: 'PUT /example/x', host: 'nothing.com', want: { route: 'B', up: '/x' } },
      { req: 'GET /example', host: 'a.wild-g.test', want: { route: 'B', up: '/' }, note: 'a prefix path beats a wildcard host' },
      { req: 'GET /', host: 'a.wild-g.test', want: { route: 'L', up: '/' }, note: 'equal priority, first declared' },
      { req: 'GET /', host: 'wild-g.test', want: { route: 'A', up: '/' }, note: '*.x needs a label before .x' },
      { req: 'PATCH /', host: 'a.b.wild-g.test', want: { route: 'L', up: '/' } },
    ],
    warnings: [
      { code: 'route-tie', route: 'A' },
      { code: 'route-tie', route: 'A' },
    ],
  },
];

routerSuite('router: routes without hosts or paths', scenarios);
