// decK's `_info` block. `select_tags` is merged into tags by model/build.ts;
// `defaults` is applied here: field values for the services, routes, upstreams and targets that do
// not set them, before the documents are modelled, as decK fills them in before it syncs. What
// kongc cannot act on (`default_lookup_tags`) is a warning. The schema has checked `_info` first.
import type { Diagnostic } from '../diagnostics.js';
import { parseServiceUrl } from '../kong/service-url.js';
import { isPlainObject as isObject } from '../values.js';
import type { LoadedDocument } from './document.js';
import { diag, escapePointer } from './source-map.js';

type Raw = Record<string, unknown>;
type Kind = 'service' | 'route' | 'upstream' | 'target';

/** One default field: its value, and where it was written. */
interface DefaultField {
  value: unknown;
  doc: LoadedDocument;
  pointer: string;
}

/** Fields a service's `url` sets (decK expands it before filling in defaults; `path` only when the url has one). */
const URL_FIELDS = ['protocol', 'host', 'port', 'path'];

export function applyDeckInfo(docs: LoadedDocument[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defaults = new Map<Kind, Map<string, DefaultField>>();
  for (const doc of docs) {
    const info = (doc.data as Raw | null)?._info;
    if (!isObject(info)) continue;
    if (info.default_lookup_tags !== undefined) {
      out.push(
        diag(
          { map: doc.map, pointer: '/_info/default_lookup_tags' },
          'warning',
          'deck-info',
          '_info.default_lookup_tags is ignored: decK uses it to look entities up in Kong, and kongc reads only the files given',
          'declare the entities these tags would find in the files you compile, or remove default_lookup_tags',
        ),
      );
    }
    if (!isObject(info.defaults)) continue;
    // Several files merge as decK merges them: a field set by an earlier file wins.
    for (const [kind, fields] of Object.entries(info.defaults) as [Kind, unknown][]) {
      if (!isObject(fields)) continue;
      let merged = defaults.get(kind);
      if (!merged) defaults.set(kind, (merged = new Map()));
      for (const [key, value] of Object.entries(fields)) {
        const pointer = `/_info/defaults/${kind}/${escapePointer(key)}`;
        const prev = merged.get(key);
        if (!prev || unset(prev.value)) merged.set(key, { value, doc, pointer });
        else if (isObject(prev.value) && isObject(value)) fillMissing(prev.value, value, null, '', '');
      }
    }
  }
  if (defaults.size === 0) return out;

  for (const doc of docs) {
    const data = doc.data as Raw | null;
    if (!isObject(data)) continue;
    // decK merges select_tags into every entity's tags before defaulting: a tags default then never applies.
    const selectTags = isObject(data._info) && Array.isArray(data._info.select_tags) && data._info.select_tags.length > 0;
    const apply = (kind: Kind, entity: unknown, pointer: string) => {
      const fields = defaults.get(kind);
      if (!fields || !isObject(entity)) return;
      const fromUrl = kind === 'service' && typeof entity.url === 'string' ? urlFields(entity.url) : [];
      for (const [key, d] of fields) {
        if (fromUrl.includes(key) || (key === 'tags' && selectTags)) continue;
        const at = `${pointer}/${escapePointer(key)}`;
        const graftFrom = d.doc === doc ? d.pointer : null;
        if (unset(entity[key])) {
          entity[key] = structuredClone(d.value);
          if (graftFrom) doc.map.graft(at, graftFrom);
        } else if (isObject(entity[key]) && isObject(d.value)) fillMissing(entity[key], d.value, graftFrom ? doc : null, at, graftFrom ?? '');
      }
    };
    list(data.services).forEach((s, i) => {
      apply('service', s, `/services/${i}`);
      if (isObject(s)) list(s.routes).forEach((r, j) => apply('route', r, `/services/${i}/routes/${j}`));
    });
    list(data.routes).forEach((r, i) => apply('route', r, `/routes/${i}`));
    list(data.upstreams).forEach((u, i) => {
      apply('upstream', u, `/upstreams/${i}`);
      if (isObject(u)) list(u.targets).forEach((t, j) => apply('target', t, `/upstreams/${i}/targets/${j}`));
    });
    list(data.targets).forEach((t, i) => apply('target', t, `/targets/${i}`));
  }
  return out;
}

/** The fields a service url sets; all four when it does not parse (the model reports it). */
function urlFields(url: string): string[] {
  const parsed = parseServiceUrl(url);
  return 'error' in parsed || parsed.path !== null ? URL_FIELDS : URL_FIELDS.slice(0, 3);
}

/**
 * Fills what `into` leaves unset from `from`, recursing into records (healthchecks, headers), as
 * decK's merge does; with `doc`, the filled values are reported where `from` was written.
 */
function fillMissing(into: Raw, from: Raw, doc: LoadedDocument | null, at: string, fromPointer: string): void {
  for (const [key, value] of Object.entries(from)) {
    const k = escapePointer(key);
    if (unset(into[key])) {
      into[key] = structuredClone(value);
      doc?.map.graft(`${at}/${k}`, `${fromPointer}/${k}`);
    } else if (isObject(into[key]) && isObject(value)) fillMissing(into[key], value, doc, `${at}/${k}`, `${fromPointer}/${k}`);
  }
}

/** decK (Go) cannot tell an absent field from null or an empty list: all three take the default. */
function unset(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
