// JSON Schema validation (ajv, draft 2020-12) of each loaded document, with readable positioned errors.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedDocument } from '../load/document.js';
import { COMPILED_DIR, SCHEMA_FILE } from '../paths.js';
import { closest } from '../suggest.js';

type Ajv2020 = InstanceType<typeof Ajv2020Module.default>;
const require = createRequire(import.meta.url);

let compiled: ValidateFunction | undefined;
let schemaText: string | undefined;

export function schemaJson(): string {
  schemaText ??= readFileSync(SCHEMA_FILE, 'utf8');
  return schemaText;
}

/** ajv options: the build-time precompiled validator and the runtime fallback must agree. */
export function schemaCompiler(source = false): Ajv2020 {
  // Loaded on demand: runs use the precompiled validator, and ajv takes ~45 ms to load.
  const Ajv = (require('ajv/dist/2020.js') as typeof Ajv2020Module).default;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, ...(source ? { code: { source: true } } : {}) });
  ajv.addVocabulary(['x-hint']);
  return ajv;
}

export const PRECOMPILED_VALIDATOR = 'kong.schema.validator.cjs';

export function schemaHash(): string {
  return createHash('sha256').update(schemaJson()).digest('hex');
}

/**
 * The validator `npm run build` generated from the schema (ajv standalone code: compiling the
 * schema takes a quarter of a second on every run otherwise), if it was made from this very
 * schema; else the schema compiled now.
 */
function validator(): ValidateFunction {
  if (!compiled) {
    try {
      const generated = require(join(COMPILED_DIR, 'validate', PRECOMPILED_VALIDATOR)) as ValidateFunction & { schemaHash?: string };
      if (generated.schemaHash === schemaHash()) compiled = generated;
    } catch {
      /* not generated: compile below */
    }
    compiled ??= schemaCompiler().compile(JSON.parse(schemaJson()));
  }
  return compiled;
}

export function validateSchema(doc: LoadedDocument): Diagnostic[] {
  const validate = validator();
  if (validate(doc.data)) return [];
  return explainErrors(validate.errors ?? []).map((e) => {
    const pos = e.atKey ? doc.map.locateKey(e.pointer) : doc.map.locate(e.pointer);
    return { ...pos, severity: 'error', code: 'schema', path: e.pointer, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  });
}

export interface Explained {
  pointer: string;
  /** The diagnostic is about the key (an unknown field), not its value. */
  atKey?: boolean;
  message: string;
  hint?: string;
}

/** Turns ajv's error list into one message per location, preferring the most specific. */
export function explainErrors(errors: ErrorObject[]): Explained[] {
  // anyOf failures repeat each branch's error; keep the most informative per instance path.
  const byPointer = new Map<string, Explained>();
  const rank = (e: ErrorObject) =>
    e.keyword === 'anyOf' ? 0 : e.keyword === 'type' ? 1 : e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties' ? 3 : 2;
  const ranked = new Map<string, number>();
  for (const e of errors) {
    const x = explainOne(e);
    const r = rank(e);
    const prev = ranked.get(x.pointer);
    if (prev === undefined || r > prev) {
      byPointer.set(x.pointer, x);
      ranked.set(x.pointer, r);
    }
  }
  return [...byPointer.values()];
}

function explainOne(e: ErrorObject): Explained {
  const field = fieldName(e.instancePath);
  const hint = (e.parentSchema as { 'x-hint'?: string } | undefined)?.['x-hint'];
  const base = { pointer: e.instancePath, ...(hint ? { hint } : {}) };
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const extra = (e.params as { additionalProperty?: string; unevaluatedProperty?: string }).additionalProperty ??
        (e.params as { unevaluatedProperty?: string }).unevaluatedProperty ?? '?';
      const near = closest(extra, knownFields(e.parentSchema));
      return {
        pointer: `${e.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        atKey: true,
        message: `unknown field '${extra}'${field ? ` in ${field}` : ''}`,
        hint: near ? `did you mean '${near}'?` : 'check the spelling against Kong 3.x; kongc rejects fields it does not know rather than ignoring them',
      };
    }
    case 'required':
      return { ...base, message: `missing required field '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'enum':
      return { ...base, message: `${field}: expected one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}` };
    case 'type': {
      const expected = String((e.params as { type: string | string[] }).type).split(',');
      const message = `${field || 'top level'}: expected ${expected.join(' or ')}, got ${describe(e.data)}`;
      // `methods: GET` for `methods: [GET]`: show the list form.
      const key = e.instancePath.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~');
      const listForm = expected.includes('array') && (typeof e.data === 'string' || typeof e.data === 'number') && !/^\d+$/.test(key);
      return listForm ? { ...base, message, hint: `write a list: ${key}: [${JSON.stringify(e.data)}]` } : { ...base, message };
    }
    case 'pattern':
      return { ...base, message: `${field}: invalid value ${JSON.stringify(truncate(e.data))}` };
    case 'minimum':
    case 'maximum':
      return { ...base, message: `${field}: must be ${(e.params as { comparison: string }).comparison} ${(e.params as { limit: number }).limit}, got ${String(e.data)}` };
    case 'anyOf':
      return { ...base, message: `${field}: invalid value ${JSON.stringify(truncate(e.data))}` };
    case 'not':
      // The schema's `not: {}` marks a field that may not appear at this place (with an x-hint why).
      return { ...base, atKey: true, message: `'${field.split('.').pop()}' is not allowed in ${fieldName(e.instancePath.replace(/\/[^/]*$/, '')) || 'the top level'}` };
    case 'uniqueItems':
      return { ...base, message: `${field}: duplicate values are not allowed` };
    case 'minItems':
      return { ...base, message: `${field}: must not be empty` };
    case 'minLength':
      return { ...base, message: `${field}: must not be empty` };
    case 'maxLength':
      return { ...base, message: `${field}: longer than ${(e.params as { limit: number }).limit} characters` };
    default:
      return { ...base, message: `${field}: ${e.message ?? 'invalid value'}` };
  }
}

/** Field names an object schema allows: its `properties`, through local `$ref`s and `allOf`. */
function knownFields(schema: unknown, seen = new Set<unknown>()): string[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as { properties?: object; $ref?: string; allOf?: unknown[] };
  const out = Object.keys(s.properties ?? {});
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')) {
    const defs = (JSON.parse(schemaJson()) as { $defs: Record<string, unknown> }).$defs;
    out.push(...knownFields(defs[s.$ref.slice('#/$defs/'.length)], seen));
  }
  for (const sub of s.allOf ?? []) out.push(...knownFields(sub, seen));
  return out;
}

function fieldName(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  // e.g. services[0].routes[1].paths[0]
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function truncate(v: unknown): unknown {
  return typeof v === 'string' && v.length > 80 ? v.slice(0, 77) + '...' : v;
}
