// A plugin's config checked against its module's JSON Schema (ajv), with Kong's defaults filled in
// and errors positioned like every other schema error.
import { createRequire } from 'node:module';
import type Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../../diagnostics.js';
import { child } from '../../load/source-map.js';
import type { Plugin } from '../../model/types.js';
import { explainErrors } from '../../validate/schema.js';
import { isPlainObject } from '../../values.js';
import { LIMITS } from '../../load/limits.js';
import type { PluginDefinition } from './definition.js';

const require = createRequire(import.meta.url);
let ajv: InstanceType<typeof Ajv2020Module.default> | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(def: PluginDefinition): ValidateFunction {
  let v = compiled.get(def.name);
  if (!v) {
    if (!ajv) {
      const Ajv = (require('ajv/dist/2020.js') as typeof Ajv2020Module).default;
      ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, useDefaults: true });
      ajv.addVocabulary(['x-hint']);
    }
    // Validated as `{config: …}` so that messages name the field as the file does (`config.minute`).
    v = ajv.compile({ type: 'object', properties: { config: def.schema }, required: ['config'] });
    compiled.set(def.name, v);
  }
  return v;
}

/** decK writes every unset field as `null`; Kong reads that as unset, so its default applies. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

/** Strings longer than an nginx token can hold, by JSON pointer under `/config`. */
function tooLong(v: unknown, pointer: string, out: string[]): void {
  if (typeof v === 'string' && Buffer.byteLength(v) > LIMITS.valueBytes) out.push(pointer);
  else if (Array.isArray(v)) v.forEach((x, i) => tooLong(x, `${pointer}/${i}`, out));
  else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) tooLong(x, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
}

/** The config with defaults, or null when it has errors (reported in `out`). */
export function checkConfig<C>(def: PluginDefinition<C>, plugin: Plugin, out: Diagnostic[]): C | null {
  const data = { config: dropNulls(plugin.config) };
  const base = child(plugin.src);
  const long: string[] = [];
  tooLong(data.config, '/config', long);
  for (const pointer of long) {
    const ref = { map: base.map, pointer: base.pointer + pointer };
    out.push({ ...ref.map.locate(ref.pointer), severity: 'error', code: 'limit', path: ref.pointer, message: `plugin '${plugin.name}': a value longer than ${LIMITS.valueBytes} bytes`, hint: 'nginx reads each value as one token of at most 4096 bytes' });
  }
  if (long.length) return null;
  const validate = validatorFor(def);
  if (validate(data)) return data.config as C;
  for (const e of explainErrors(validate.errors ?? [])) {
    const ref = { map: base.map, pointer: base.pointer + e.pointer };
    const pos = e.atKey ? ref.map.locateKey(ref.pointer) : ref.map.locate(ref.pointer);
    out.push({ ...pos, severity: 'error', code: 'plugin', path: ref.pointer, message: `plugin '${plugin.name}': ${e.message}`, ...(e.hint ? { hint: e.hint } : {}) });
  }
  return null;
}
