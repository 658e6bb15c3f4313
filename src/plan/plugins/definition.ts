// What a plugin module declares (one file per plugin in this folder): Kong's facts about it, the
// JSON Schema of its config, and how one instance becomes nginx for the routes it applies to.
import type { DiagnosticCode } from '../../diagnostics.js';
import type { SourceRef } from '../../load/source-map.js';
import type { Consumer, KongState, Plugin, Route } from '../../model/types.js';
import type { NjsScope } from '../njs.js';
import type { FixedResponse, GeoBlock, HeaderLine, MapBlock, MapEntry, MapValue, PluginDirective, PluginWork } from '../ir.js';

/**
 * What skipping an instance would change. A gate decides who gets in or what is allowed: skipped,
 * it fails closed (its routes answer 500). A transform changes requests or responses; an observer
 * only reports: either may be dropped with a warning.
 */
export type PluginRole = 'gate' | 'transform' | 'observe';

/** `stock`: the modules of Debian's nginx-light. `njs`: needs ngx_http_js_module. */
export type PluginTier = 'stock' | 'njs';

/**
 * The nginx phase where a gate decides, in nginx's order: a gate Kong runs
 * earlier that nginx runs later is a phase-order difference, reported per route.
 */
export type GatePhase = 'find-config' | 'rewrite' | 'preaccess' | 'access';
export const PHASE_ORDER: readonly GatePhase[] = ['find-config', 'rewrite', 'preaccess', 'access'];

export interface PluginDefinition<C = any> {
  name: string;
  /** Kong's PRIORITY (3.10): higher runs first; ties by name, descending. */
  priority: number;
  tier: PluginTier;
  role: PluginRole;
  /** Where a gate decides in nginx; what it answers before its phase is not reordered. */
  phase?: GatePhase;
  /** Kong's schema sets `consumer = typedefs.no_consumer`: the plugin cannot be bound to a consumer. */
  noConsumer?: boolean;
  /** JSON Schema (draft 2020-12) of `config`, with Kong's defaults: filled in before check and lower. */
  schema: Record<string, unknown>;
  /** Rules across fields that Kong's entity checks make, in Kong's words. */
  check?(config: C, ctx: CheckContext): void;
  /** nginx for one instance on one route. Absent: the plugin changes no response (an observer). */
  lower?(use: PluginUse<C>, ctx: LowerContext): Partial<PluginWork>;
  /** For an observer: what nginx offers instead (the warning says it). */
  instead?: string;
}

export interface CheckContext {
  /** Where a config field is (`ctx.at('minute')`). */
  at(...keys: (string | number)[]): SourceRef;
  error(ref: SourceRef, message: string, hint?: string): void;
  warn(ref: SourceRef, message: string, hint?: string): void;
}

/** One instance applied to one route, for the consumers it is chosen for. */
export interface PluginUse<C> {
  plugin: Plugin;
  config: C;
  route: Route;
  /** A name for this instance in generated identifiers: letters, digits and '_' only, from content. */
  key: string;
  /** `rate-limiting (service 'shop')`, for messages. */
  label: string;
  /**
   * Consumer selection: `only` null means every request except those of the
   * consumers in `except` (they have a more specific instance); else only these consumers' requests.
   */
  consumers: { only: Consumer[] | null; except: Consumer[] };
}

export interface LowerContext {
  readonly state: KongState;
  /** `kongc build --strict`: approximations are errors. */
  readonly strict: boolean;
  at(use: PluginUse<unknown>, ...keys: (string | number)[]): SourceRef;
  error(ref: SourceRef, message: string, hint?: string, code?: DiagnosticCode): void;
  warn(ref: SourceRef, message: string, hint?: string, code?: DiagnosticCode): void;
  /** A behaviour nginx only approximates: a warning stating the worst case, an error with --strict. */
  approximate(ref: SourceRef, message: string, hint?: string): void;
  /** Adds an http-level map once (by variable name). */
  map(block: MapBlock): string;
  geo(block: GeoBlock): string;
  /** An http-level directive, once per key. */
  httpDirective(key: string, directive: PluginDirective): void;
  /** A fixed answer (named location), once per name; returns the name. */
  response(response: FixedResponse): string;
  /** One of Kong's error responses (Accept-negotiated, with the request id); returns its named location. */
  kongError(status: number, message: string | MapValue, headers?: [string, string][]): string;
  /** A header every answer kongc makes itself adds (once per name). */
  answerHeader(line: HeaderLine): void;
  /** A directive every answer kongc makes itself carries (once per key): response-transformer's JSON filters. */
  answerDirective(key: string, directive: PluginDirective): void;
  /**
   * The request's consumer, as nginx variables (declared once, empty until an authentication
   * plugin's step sets them): `consumer` holds the consumer's id, `credential` the credential's
   * identifier (key-auth: credential id; basic-auth: its username), `anonymous` "true" when the
   * anonymous consumer was used. Consumer-scoped choices and limit_by consumer read them.
   */
  consumerVariables(): { consumer: string; credential: string; anonymous: string };
  /**
   * For an instance chosen per consumer (`use.consumers` not everyone): a variable that is "1" when
   * the request's consumer (as an authentication plugin set it) is one the instance applies to;
   * null when it applies to every request. Read it in a step after the authentication plugins'.
   */
  consumerChoice(use: PluginUse<unknown>): string | null;
  /**
   * The generated JavaScript module (`--with-njs`): a plugin of the njs tier adds its library, data
   * and handlers here. Always set for an njs-tier plugin (kongc refuses those without the flag).
   */
  readonly njs: NjsScope | null;
  /**
   * A side file of map entries holding secrets (mode 0600, named by its content) for a map to
   * include, `holds` saying what they are; returns its absolute path, or null after an error.
   */
  secretMapFile(prefix: string, holds: string, entries: MapEntry[], ref: SourceRef): string | null;
  /**
   * An absolute folder for state nginx keeps (a cache directory), named `<state dir>/kongc-<prefix>-<name>`;
   * null after an error (no state folder: build with -o or --state-dir).
   */
  stateDir(prefix: string, name: string, ref: SourceRef, what: string): string | null;
}
