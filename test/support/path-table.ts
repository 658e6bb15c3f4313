// Kong's path-handling test table (spec/fixtures/router_path_handling_tests.lua),
// the v0 rows (kongc follows Kong 3.x's default router, which always uses v0).
export interface PathRow {
  id: string;
  service: string;
  /** Route path, or null for a host-only route. */
  route: string | null;
  strip: boolean[];
  request: string;
  upstream: string;
}

type Raw = [number | string, string, string, 'T' | 'F' | 'b', string, string];

// [#, service path, route path ('-' = none), strip, request, expected upstream]
const RAW: Raw[] = [
  [1, '/', '/', 'b', '/', '/'],
  [2, '/', '/', 'b', '/route', '/route'],
  [3, '/', '/', 'b', '/route/', '/route/'],
  [4, '/', '/', 'b', '/routereq', '/routereq'],
  [5, '/', '/', 'b', '/route/req', '/route/req'],
  [6, '/', '/route', 'F', '/route', '/route'],
  [7, '/', '/route', 'F', '/route/', '/route/'],
  [8, '/', '/route', 'F', '/routereq', '/routereq'],
  [9, '/', '/route', 'T', '/route', '/'],
  [10, '/', '/route', 'T', '/route/', '/'],
  [11, '/', '/route', 'T', '/routereq', '/req'],
  [12, '/', '/route/', 'F', '/route/', '/route/'],
  [13, '/', '/route/', 'F', '/route/req', '/route/req'],
  [14, '/', '/route/', 'T', '/route/', '/'],
  [15, '/', '/route/', 'T', '/route/req', '/req'],
  [16, '/srv', '/rou', 'F', '/roureq', '/srv/roureq'],
  [18, '/srv', '/rou', 'T', '/roureq', '/srv/req'],
  [20, '/srv/', '/rou', 'F', '/rou', '/srv/rou'],
  [21, '/srv/', '/rou', 'T', '/rou', '/srv'],
  [23, '/service', '/', 'b', '/', '/service'],
  [24, '/service', '/', 'b', '/route', '/service/route'],
  [26, '/service', '/', 'b', '/route/', '/service/route/'],
  [28, '/service', '/', 'b', '/routereq', '/service/routereq'],
  [30, '/service', '/', 'b', '/route/req', '/service/route/req'],
  [32, '/service', '/route', 'F', '/route', '/service/route'],
  [34, '/service', '/route', 'F', '/route/', '/service/route/'],
  [36, '/service', '/route', 'F', '/routereq', '/service/routereq'],
  [38, '/service', '/route', 'T', '/route', '/service'],
  [39, '/service', '/route', 'T', '/route/', '/service/'],
  [40, '/service', '/route', 'T', '/routereq', '/service/req'],
  [42, '/service', '/route/', 'F', '/route/', '/service/route/'],
  [44, '/service', '/route/', 'F', '/route/req', '/service/route/req'],
  [46, '/service', '/route/', 'T', '/route/', '/service/'],
  [48, '/service', '/route/', 'T', '/route/req', '/service/req'],
  [50, '/service/', '/', 'b', '/route/', '/service/route/'],
  [52, '/service/', '/', 'b', '/', '/service/'],
  [53, '/service/', '/', 'b', '/route', '/service/route'],
  [54, '/service/', '/', 'b', '/routereq', '/service/routereq'],
  [55, '/service/', '/', 'b', '/route/req', '/service/route/req'],
  [56, '/service/', '/route', 'F', '/route', '/service/route'],
  [57, '/service/', '/route', 'F', '/route/', '/service/route/'],
  [58, '/service/', '/route', 'F', '/routereq', '/service/routereq'],
  [59, '/service/', '/route', 'T', '/route', '/service'],
  [61, '/service/', '/route', 'T', '/route/', '/service/'],
  [62, '/service/', '/route', 'T', '/routereq', '/service/req'],
  [63, '/service/', '/route/', 'F', '/route/', '/service/route/'],
  [64, '/service/', '/route/', 'F', '/route/req', '/service/route/req'],
  [65, '/service/', '/route/', 'T', '/route/', '/service/'],
  [66, '/service/', '/route/', 'T', '/route/req', '/service/req'],
  [67, '/', '-', 'b', '/', '/'],
  [68, '/', '-', 'b', '/route', '/route'],
  [69, '/', '-', 'b', '/route/', '/route/'],
  [70, '/service', '-', 'b', '/', '/service'],
  [71, '/service', '-', 'b', '/route', '/service/route'],
  [73, '/service', '-', 'b', '/route/', '/service/route/'],
  [75, '/service/', '-', 'b', '/', '/service/'],
  [76, '/service/', '-', 'b', '/route', '/service/route'],
  [77, '/service/', '-', 'b', '/route/', '/service/route/'],
  [78, '/service', '/route', 'T', '/route./req', '/service/req'],
  [80, '/service/', '/route', 'T', '/route./req', '/service/req'],
  ['81', '/service', '/route', 'T', '/route%2E/req', '/service/req'],
  ['83', '/service/', '/route', 'T', '/route%2E/req', '/service/req'],
  ['84', '/service', '/route', 'T', '/route%2e/req', '/service/req'],
  ['86', '/service/', '/route', 'T', '/route%2e/req', '/service/req'],
  [87, '/service', '/route', 'T', '/route../req', '/service/req'],
  [89, '/service/', '/route', 'T', '/route../req', '/service/req'],
  ['90', '/service', '/route', 'T', '/route%2E%2E/req', '/service/req'],
  ['92', '/service/', '/route', 'T', '/route%2E%2E/req', '/service/req'],
  ['93', '/service', '/route', 'T', '/route%2e%2E/req', '/service/req'],
  ['95', '/service/', '/route', 'T', '/route%2e%2E/req', '/service/req'],
  [96, '/service', '/route', 'F', '/route./req', '/service/route./req'],
  [98, '/service/', '/route', 'F', '/route./req', '/service/route./req'],
  ['99', '/service', '/route', 'F', '/route%2E/req', '/service/route./req'],
  ['101', '/service/', '/route', 'F', '/route%2E/req', '/service/route./req'],
  ['102', '/service', '/route', 'F', '/route%2e/req', '/service/route./req'],
  ['104', '/service/', '/route', 'F', '/route%2e/req', '/service/route./req'],
  [105, '/service', '/route', 'F', '/route../req', '/service/route../req'],
  [107, '/service/', '/route', 'F', '/route../req', '/service/route../req'],
  ['108', '/service', '/route', 'F', '/route%2E%2E/req', '/service/route../req'],
  ['110', '/service/', '/route', 'F', '/route%2E%2E/req', '/service/route../req'],
  ['111', '/service', '/route', 'F', '/route%2e%2E/req', '/service/route../req'],
  ['113', '/service/', '/route', 'F', '/route%2e%2E/req', '/service/route../req'],
];

export const PATH_ROWS: PathRow[] = RAW.map(([id, service, route, st, request, upstream]) => ({
  id: String(id),
  service,
  route: route === '-' ? null : route,
  strip: st === 'b' ? [true, false] : [st === 'T'],
  request,
  upstream,
}));

/** Kong's regex variant of a row's route path (`~/[0]?route`), as its router tests run them. */
export function regexVariant(routePath: string): string {
  return `~/[0]?${routePath.slice(1)}`;
}
