// What every planning step shares: options, the entity keys, and the diagnostics it reports.
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import type { Route, Service, Upstream, Target } from '../model/types.js';
import { EntityNames } from './names.js';
import { NjsModule } from './njs.js';

export interface PlanOptions {
  listen?: string[];
  allowDegraded?: boolean;
  kongHeaders?: boolean;
  /** Absolute folder for generated files the config refers to (CA bundles); none ⇒ such configs are an error. */
  caDir?: string;
  /** Absolute folder for credential files (mode 0600); default: caDir. */
  secretsDir?: string;
  /** Absolute folder for state nginx keeps between requests (proxy-cache directories); default: caDir. */
  stateDir?: string;
  /** Plugins kongc does not compile become warnings; the gates among them fail closed. */
  skipUnsupported?: boolean;
  /** Approximations (a plugin nginx can only come close to) are errors. */
  strict?: boolean;
  /** The njs tier is available (ngx_http_js_module). */
  withNjs?: boolean;
  /** TLS listen addresses; default 8443 when the config has certificates. */
  listenTls?: string[];
  /** The certificate for SNIs no certificate names, as Kong's ssl_cert: asked for only when a TLS listener exists. */
  defaultCertificate?: () => DefaultCertificate;
}

/** Normalized PEM and where it came from (for the warning about a development certificate), or why there is none. */
export type DefaultCertificate = { chain: string; key: string; origin: string; development: boolean } | { problem: string; hint: string };

export class PlanContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly names = new EntityNames();
  /** The generated JavaScript module, with `--with-njs`; null without it (what needs it is then an error). */
  readonly njs: NjsModule | null;

  constructor(readonly options: PlanOptions) {
    this.njs = options.withNjs ? new NjsModule() : null;
  }

  /** An entity's key: its Kong name, id or content hash (names.ts). */
  key(entity: Route | Service | Upstream | Target): string {
    return this.names.key(entity);
  }

  warn(ref: SourceRef, code: DiagnosticCode, message: string, hint?: string): void {
    this.diagnostics.push(diag(ref, 'warning', code, message, hint));
  }

  error(ref: SourceRef, code: DiagnosticCode, message: string, hint?: string): void {
    this.diagnostics.push(diag(ref, 'error', code, message, hint));
  }

  /** A Kong feature nginx cannot reproduce: an error unless --allow-degraded accepts the nearest behaviour. */
  degraded(ref: SourceRef, message: string, nearest: string): void {
    if (this.options.allowDegraded) this.diagnostics.push(diag(ref, 'warning', 'degraded', `${message}; emitting ${nearest}`));
    else this.diagnostics.push(diag(ref, 'error', 'degraded', message, `pass --allow-degraded to accept the nearest nginx behaviour (${nearest})`));
  }

  field(entity: { src: SourceRef }, ...keys: (string | number)[]): SourceRef {
    return child(entity.src, ...keys);
  }
}

/** A readable label for messages: `route 'name'` or `route #3`. */
export function label(kind: string, entity: { name?: string | null; order: number }, key: string): string {
  return entity.name ? `${kind} '${entity.name}'` : `${kind} ${key}`;
}
