// --with-njs: the parts of Kong's router stock nginx cannot express, done at request time by
// templates/njs/kong-router.js (README "Path normalization").
//
// - The upstream path keeps reserved percent-escapes as Kong sends them. A request whose path has
//   one (`$kongc_escaped_path` is then Kong's normalized path, else empty: no JavaScript runs
//   for the usual request) is proxied from an `if` in the route's location, with the path
//   Kong's code computes from the route's rule (strip_path, service path, matched prefix).
// - Repeated request header lines: a route's header conditions read every line (header-reading.ts).
//
// The variables are a fixed set plus one per header name routes test, whatever the number of routes.
import type { SourceRef } from '../load/source-map.js';
import { everyLine, type HeaderReading } from './header-reading.js';
import type { Check, MapBlock, ProxySettings } from './ir.js';
import { VARIABLES } from './names.js';
import { libraryFunctions, type NjsModule } from './njs.js';
import { RESERVED_ESCAPE } from './raw-path.js';
import { headerVariable } from './upstreams.js';
import { regexMatcher } from './upstream-uri.js';

const LIBRARY = 'kong-router';

/** A request nginx's decoded view cannot send upstream as Kong does: its path has a reserved escape. */
export const ESCAPED_PATH = `^[^?]*${RESERVED_ESCAPE}`;

/** kong-router.js's pure functions, run in Node by `kongc explain`. */
export interface KongPathFunctions {
  /** The request target's path, bytes 0x80 and above as %XX. */
  kongRawPath(raw: Uint8Array): string;
  kongNormalize(path: string): string;
  /** Kong's upstream path (escaped) for a normalized path and a route's rule text. */
  kongUpstreamPath(normalized: string, rule: string): string;
}

let functions: KongPathFunctions | undefined;
export function kongPathFunctions(): KongPathFunctions {
  return (functions ??= libraryFunctions<KongPathFunctions>(LIBRARY, ['kongRawPath', 'kongNormalize', 'kongUpstreamPath']));
}

/** What a route needs to know to compute Kong's upstream path. */
export interface KongUriRoute {
  /** Kong's service path as written ('/' without one). */
  servicePath: string;
  strip: boolean;
  /** How Kong's route matched: its prefix path as written, its regex (PCRE), or no path. */
  match: { kind: 'prefix'; path: string } | { kind: 'regex'; pattern: string } | { kind: 'none' };
}

export class NjsRouter {
  readonly headers: HeaderReading;
  private readonly headerNames = new Set<string>();
  private upstreamPaths = false;

  constructor(
    private readonly njs: NjsModule,
    private readonly by: SourceRef,
  ) {
    this.headers = everyLine((name) => this.headerLines(name));
  }

  /** `$kongc_lines_<name>`: every line of a request header, joined by "\r". */
  private headerLines(name: string): string {
    const key = headerVariable(name).slice('http_'.length);
    const variable = `kongc_lines_${key}`;
    if (!this.headerNames.has(key)) {
      this.headerNames.add(key);
      this.njs.library(LIBRARY, this.by);
      this.njs.data('headerLines', [...this.headerNames].sort());
      this.njs.jsSet(variable, 'kongHeaderLines', key);
    }
    return variable;
  }

  /** The route location's `if` that proxies a request with a reserved escape with Kong's path. */
  kongUri(route: KongUriRoute): NonNullable<ProxySettings['kongUri']> {
    if (!this.upstreamPaths) {
      this.upstreamPaths = true;
      this.njs.library(LIBRARY, this.by);
      this.njs.jsSet(VARIABLES.normalizedPath, 'kongNormalizedPath');
      this.njs.jsSet(VARIABLES.upstreamUri, 'kongUpstreamUri');
    }
    const flag = `${route.strip ? '1' : '0'}${route.servicePath}`;
    const escaped = VARIABLES.escapedPath;
    if (!route.strip || route.match.kind === 'none') return { when: { variable: escaped, op: '!=', operand: '' }, rule: [{ text: flag }] };
    if (route.match.kind === 'prefix') return { when: { variable: escaped, op: '!=', operand: '' }, rule: [{ text: flag }, { separator: true }, { text: asciiPath(route.match.path) }] };
    // Kong strips what its regex matched in the normalized path.
    const when: Check = { variable: escaped, op: '~', operand: `^(${regexMatcher(route.match.pattern)})` };
    return { when, rule: [{ text: flag }, { separator: true }, { variable: '1' }] };
  }

  /** `$kongc_escaped_path`, when a route location uses it. */
  maps(): MapBlock[] {
    if (!this.upstreamPaths) return [];
    return [
      {
        variable: VARIABLES.escapedPath,
        source: [{ variable: 'request_uri' }],
        entries: [{ match: 'regex', caseless: false, pattern: ESCAPED_PATH, value: [{ variable: VARIABLES.normalizedPath }] }],
        default: [],
        purpose: "Kong's normalized path for a request whose path has a reserved percent-escape (njs), else empty",
      },
    ];
  }
}

/** A path as kong-router.js handles it: bytes 0x80 and above as upper-case %XX. */
function asciiPath(path: string): string {
  return path.replace(/[^\x00-\x7f]+/gu, (s) => [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase()).join(''));
}
