// Plan → nginx text through Handlebars templates. Templates reach values only through the
// encoder helpers below; compiled with noEscape (this is nginx, not HTML), strict and
// knownHelpersOnly so a template cannot interpolate a value any other way.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
// The runtime is all a precompiled template needs (half the load time of the whole library).
import runtimeModule from 'handlebars/runtime.js';

type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

/** The code generator compileTemplateSpec subclasses (Handlebars' typings leave it out). */
interface JavaScriptCompiler {
  nameLookup(parent: string, name: string, type: string): unknown;
  invokeKnownHelper(paramSize: number, name: string): void;
  setupHelper(paramSize: number, name: string): { params: unknown[] };
  push(code: unknown): void;
  source: { functionCall(fn: string, type: string, params: unknown[]): unknown };
  /** The class that compiles child programs. */
  compiler: new () => JavaScriptCompiler;
}

/**
 * The full library as compileTemplateSpec uses it: with its code generator, whose `precompile`
 * returns the template's code (a string, where the typings say a specification object). These are
 * internals: the version is pinned and precompiled-templates.test.ts fails when they change.
 */
type HandlebarsCompiler = Omit<typeof Handlebars, 'create' | 'precompile'> & {
  JavaScriptCompiler: new () => JavaScriptCompiler;
  create(): HandlebarsCompiler;
  precompile(input: hbs.AST.Program, options: CompileOptions): string;
};

/** The runtime build: the library without its compiler (typed as an empty module). */
const HandlebarsRuntime = runtimeModule as Pick<typeof Handlebars, 'create'>;

/** The library with its internals typed (the one place they are). */
export function handlebarsCompiler(library: typeof Handlebars): HandlebarsCompiler {
  return library as HandlebarsCompiler;
}
import type { Check, DirectiveArg, MapEntry, MapValue, NginxPlan, PluginArg, StreamPlan } from '../plan/ir.js';
import { COMPILED_DIR, TEMPLATES_DIR } from '../paths.js';
import * as enc from './encoders.js';

/**
 * Where the build hash goes: the hash is of the text with these slots in it. A NUL cannot come
 * from the input (every encoder refuses control characters), so only the template's slots are
 * replaced; a printable placeholder could also be part of a route path.
 */
const HASH_SLOT = '\u0000kongc-build-hash\u0000';

/** Helpers a template may call: each is an encoder for one kind of value. */
export const ENCODER_HELPERS: Record<string, (...args: any[]) => string> = {
  lit: (v: string) => enc.literal(v),
  path: (v: string) => enc.prefixPath(v),
  val: (parts: MapValue) => enc.complexValue(parts),
  source: (parts: MapValue) => enc.complexValue(parts),
  text: (v: string) => enc.textValue(v),
  id: (v: string) => enc.identifier(v),
  token: (v: string) => enc.token(v),
  buildhash: (v: string) => {
    if (v !== HASH_SLOT) throw new enc.EncodingError('build hash', v);
    return HASH_SLOT;
  },
  addr: (v: string) => enc.address(v),
  int: (v: number) => enc.integer(v),
  ms: (v: number) => enc.milliseconds(v),
  hdr: (v: string) => enc.headerName(v),
  listen: (v: string) => enc.listenAddress(v),
  onoff: (v: boolean) => enc.onOff(v),
  arg: (v: DirectiveArg) => enc.directiveArg(v),
  entrykey: (v: MapEntry) => enc.mapEntryKey(v),
  check: (v: Check) => enc.check(v),
  routecheck: (v: Check) => enc.routeCheck(v),
  routerx: (v: string) => enc.routeRegex(v),
  rewrite: (v: MapValue) => enc.rewriteValue(v),
  body: (v: MapValue) => enc.bodyValue(v),
  uri: (v: string) => enc.uriPath(v),
  key: (v: string) => enc.entityKey(v),
  comment: (v: string) => enc.comment(v),
  parg: (v: PluginArg) => enc.pluginArg(v),
  cidr: (v: string) => enc.cidr(v),
  file: (v: string) => enc.filePath(v),
  njsfn: (v: string) => enc.njsHandler(v),
  errtarget: (v: string) => enc.errorTarget(v),
};

/** Structural helpers: compare generated enum values, never output input. */
export const LOGIC_HELPERS: Record<string, (...args: any[]) => unknown> = {
  eq: (a: unknown, b: unknown) => a === b,
};

/**
 * `{{#each}}` over an array, joining the iterations into flat strings as it goes. Handlebars' own
 * `each` appends piece by piece, leaving a rope of millions of small strings for a large config;
 * keeping every iteration's rope until the end would make them all survive the young-generation
 * collections. Joining every few iterations lets the ropes die young.
 */
function eachJoined(this: unknown, list: unknown, options: Handlebars.HelperOptions): string {
  if (!Array.isArray(list)) throw new Error(`#each expects a list, got ${typeof list}`);
  if (list.length === 0) return options.inverse(this);
  const chunks: string[] = [];
  let parts: string[] = [];
  for (let i = 0; i < list.length; i++) {
    parts.push(options.fn(list[i]));
    if (parts.length === JOIN_EVERY) {
      chunks.push(parts.join(''));
      parts = [];
    }
  }
  chunks.push(parts.join(''));
  return chunks.length === 1 ? chunks[0]! : chunks.join('');
}
const JOIN_EVERY = 16;

/** Handlebars' `{{#if}}`: a false value (0 included) or an empty list takes the `{{else}}` branch. */
function ifBlock(this: unknown, value: unknown, options: Handlebars.HelperOptions): string {
  return !value || (Array.isArray(value) && value.length === 0) ? options.inverse(this) : options.fn(this);
}

/**
 * Block and logic helpers, called directly by the template code: Handlebars wraps every helper
 * it is given in a function that copies the call's options (lookupProperty, unused here).
 */
export const BLOCK_HELPERS: Record<string, (...args: any[]) => unknown> = { if: ifBlock, each: eachJoined, ...LOGIC_HELPERS };

/** Templates rendered on their own (each with its partials written in): the http include and the stream include. */
export const ROOT_TEMPLATES = ['main', 'stream'] as const;
type RootTemplate = (typeof ROOT_TEMPLATES)[number];

const compiled = new Map<RootTemplate, Handlebars.TemplateDelegate>();

/** Handlebars compile options; the build-time precompiled templates use the same. */
export function compileOptions(): CompileOptions {
  const knownHelpers: Record<string, boolean> = {};
  for (const name of Object.keys({ ...ENCODER_HELPERS, ...LOGIC_HELPERS })) knownHelpers[name] = true;
  // data: false — templates use no @-variables, and Handlebars then reuses its block programs
  // instead of allocating a closure per block per iteration.
  return { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers, preventIndent: true, data: false };
}

/** The template sources by name (`main`, `server`, `route`, …) and a hash of them all (and of the code generation). */
export function templateSources(): { sources: Record<string, string>; hash: string } {
  const sources: Record<string, string> = {};
  const hash = createHash('sha256').update(CODE_GENERATION).update('\0');
  for (const file of readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.hbs')).sort()) {
    sources[file.replace(/\.hbs$/, '')] = readFileSync(join(TEMPLATES_DIR, file), 'utf8');
    hash.update(file).update('\0').update(sources[file.replace(/\.hbs$/, '')]!).update('\0');
  }
  return { sources, hash: hash.digest('hex') };
}

export const PRECOMPILED_TEMPLATES = 'templates.precompiled.cjs';

/** Changes with the code generation below, so that templates precompiled by an older one are not used. */
const CODE_GENERATION = 'direct-lookup, no locations, direct helpers, v2';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The names the template code calls encoders and block helpers by (the template factory's parameters). */
const ENCODERS = 'encoders';
const BLOCKS = 'blocks';

/**
 * Compiles the assembled templates to the code `npm run build` ships: an expression for the
 * template specification, in the scope of `encoders` (ENCODER_HELPERS) and `blocks`
 * (BLOCK_HELPERS). Three changes to Handlebars' code generation, each through its public compiler
 * interface:
 * - fields are read as plain properties (`depth0.route`), not through `lookupProperty`, which
 *   guards against prototype members for data a template does not know; kongc's templates read
 *   only the plan fields src/plan/ir.ts declares (the template lint checks it), on plan objects
 *   kongc built;
 * - an encoder is called as a plain function, `encoders.lit(value)`: a helper call would allocate
 *   an options object, its hash, and (Handlebars wraps every registered helper) an arguments object
 *   and a copy of the options, for ~20 calls per route; block helpers are kongc's own, called
 *   unwrapped (`blocks.if.call(…)`);
 * - the syntax tree loses its source locations before code generation, so a block helper call does
 *   not allocate a location object. A Handlebars error then names the template construct but not
 *   its line.
 */
export function compileTemplateSpec(full: HandlebarsCompiler, source: string): string {
  class DirectLookup extends full.JavaScriptCompiler {
    override nameLookup(parent: string, name: string, type: string): unknown {
      if (type === 'helper' && Object.hasOwn(BLOCK_HELPERS, name)) return [BLOCKS, '.', name];
      return IDENTIFIER.test(name) ? [parent, '.', name] : super.nameLookup(parent, name, type);
    }

    override invokeKnownHelper(paramSize: number, name: string): void {
      if (!Object.hasOwn(ENCODER_HELPERS, name)) return super.invokeKnownHelper(paramSize, name);
      // setupHelper takes the call's operands off the stack; its last parameter is the options object.
      const params = this.setupHelper(paramSize, name).params.slice(0, -1);
      this.push(this.source.functionCall(`${ENCODERS}.${name}`, '', params));
    }
  }
  // Child programs are compiled by `this.compiler`, which must be this class too.
  DirectLookup.prototype.compiler = DirectLookup;
  const hb = full.create();
  hb.JavaScriptCompiler = DirectLookup;
  return hb.precompile(withoutLocations(hb.parse(source)), compileOptions());
}

/** The template specification from the code compileTemplateSpec made. */
export function templateSpecOf(code: string): TemplateSpecification {
  return new Function(ENCODERS, BLOCKS, `return ${code};`)(ENCODER_HELPERS, BLOCK_HELPERS) as TemplateSpecification;
}

/** The text of a module that exports each root template's code (`npm run build` writes it). */
export function templateModule(hash: string, codes: Record<string, string>): string {
  const entries = Object.entries(codes).map(([name, code]) => `${JSON.stringify(name)}: function (${ENCODERS}, ${BLOCKS}) { return ${code}; }`);
  return `module.exports = { hash: ${JSON.stringify(hash)}, templates: { ${entries.join(', ')} } };\n`;
}

/** The syntax tree with every `loc` removed (in place). */
function withoutLocations<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(withoutLocations);
  else if (node !== null && typeof node === 'object') {
    delete (node as { loc?: unknown }).loc;
    for (const value of Object.values(node)) withoutLocations(value);
  }
  return node;
}

/**
 * `main` with every partial written into it: a line `{{> name}}` becomes the text of
 * name.hbs, recursively. The templates stay separate files to read; rendering one template
 * spares Handlebars a partial invocation (several closures and option copies) per route, map
 * and upstream. Same output: a standalone partial line renders as its template, in the same context.
 */
export function assembledTemplate(sources: Record<string, string>, name = 'main', depth = 0): string {
  if (depth > 8) throw new Error(`templates include each other too deeply (at ${name})`);
  const source = sources[name];
  if (source === undefined) throw new Error(`no template ${name}.hbs`);
  return source.replace(/^\{\{> *([a-z]+) *\}\}\n/gm, (_line, partial: string) => assembledTemplate(sources, partial, depth + 1));
}

/**
 * The templates `npm run build` precompiled (skipping Handlebars' parse and code generation on
 * every run) when they were made from these very sources; else compiled now.
 */
function template(name: RootTemplate = 'main'): Handlebars.TemplateDelegate {
  const hit = compiled.get(name);
  if (hit) return hit;
  const require = createRequire(import.meta.url);
  const { sources, hash } = templateSources();
  let spec: TemplateSpecification | undefined;
  try {
    const pre = require(join(COMPILED_DIR, 'render', PRECOMPILED_TEMPLATES)) as { hash: string; templates: Record<string, (encoders: typeof ENCODER_HELPERS, blocks: typeof BLOCK_HELPERS) => TemplateSpecification> };
    if (pre.hash === hash) spec = pre.templates[name]?.(ENCODER_HELPERS, BLOCK_HELPERS);
  } catch {
    /* not generated: compile below */
  }
  // The full library (with the compiler) only when the templates changed since the build.
  const full = spec ? undefined : (require('handlebars') as typeof Handlebars & { default?: typeof Handlebars });
  const hb = full ? (full.default ?? full).create() : HandlebarsRuntime.create();
  // No helpers are registered: the template code calls its encoders and blocks directly (compileTemplateSpec).
  // Not precompiled (templates edited since the build): the same code generation, now.
  spec ??= templateSpecOf(compileTemplateSpec(handlebarsCompiler(full!.default ?? full!), assembledTemplate(sources, name)));
  const delegate = hb.template(spec);
  compiled.set(name, delegate);
  return delegate;
}

/** What the templates read: their field paths are checked against this type (test/security/templates.test.ts). */
export interface RenderContext {
  plan: NginxPlan;
  /** Where the build hash goes (the `buildhash` encoder). */
  hash: string;
  version: string;
}

/** What stream.hbs reads (checked the same way). */
export interface StreamRenderContext {
  plan: StreamPlan;
  hash: string;
  version: string;
}

/** The text with its build hash: a hash of the text with the slots in it. */
function withBuildHash(draft: string): string {
  const hash = createHash('sha256').update(draft).digest('hex').slice(0, 16);
  return draft.split(HASH_SLOT).join(hash);
}

/** The stream {} include (src/plan/stream). */
export function renderStreamPlan(plan: StreamPlan): string {
  const context: StreamRenderContext = { plan, hash: HASH_SLOT, version: plan.kongcVersion };
  return withBuildHash(template('stream')(context));
}

export function renderPlan(plan: NginxPlan): string {
  const context: RenderContext = { plan, hash: HASH_SLOT, version: plan.kongcVersion };
  return withBuildHash(template('main')(context));
}
