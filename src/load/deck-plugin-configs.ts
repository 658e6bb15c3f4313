// decK's `_plugin_configs`: named plugin configs that plugins take by `_config: NAME`. As decK does
// (go-database-reconciler's fillPluginConfig), each top-level field of the named config fills in a
// field the plugin's own `config` does not set; what the plugin sets wins. Applied to the documents
// before they are modelled; the schema has checked the shapes first.
import type { Diagnostic } from '../diagnostics.js';
import { isPlainObject as isObject } from '../values.js';
import type { LoadedDocument } from './document.js';
import { diag, escapePointer } from './source-map.js';

type Raw = Record<string, unknown>;

interface NamedConfig {
  config: Raw;
  doc: LoadedDocument;
  pointer: string;
}

export function applyPluginConfigs(docs: LoadedDocument[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const named = new Map<string, NamedConfig>();
  for (const doc of docs) {
    const configs = (doc.data as Raw | null)?._plugin_configs;
    if (!isObject(configs)) continue;
    for (const [name, config] of Object.entries(configs)) {
      if (!isObject(config)) continue;
      const pointer = `/_plugin_configs/${escapePointer(name)}`;
      const first = named.get(name);
      if (!first) named.set(name, { config, doc, pointer });
      else if (JSON.stringify(first.config) !== JSON.stringify(config)) {
        out.push(diag({ map: doc.map, pointer }, 'error', 'plugin', `_plugin_configs '${name}' is also defined, differently, in ${first.doc.file}`, 'define each named plugin config once'));
      }
    }
  }
  for (const doc of docs) {
    for (const { plugin, pointer } of pluginsOf(doc.data)) {
      const name = plugin._config;
      if (typeof name !== 'string') continue;
      const source = named.get(name);
      if (!source) {
        const known = [...named.keys()].sort();
        out.push(
          diag({ map: doc.map, pointer: `${pointer}/_config` }, 'error', 'plugin', `_plugin_config '${name}' not found`, known.length ? `name one of the _plugin_configs: ${known.join(', ')}` : 'add it under _plugin_configs at the top of the file'),
        );
        continue;
      }
      // A problem with a filled-in value points where it was written, when that is in this file.
      const sameFile = source.doc === doc;
      if (!isObject(plugin.config)) {
        plugin.config = structuredClone(source.config);
        if (sameFile) doc.map.graft(`${pointer}/config`, source.pointer);
        continue;
      }
      const config = plugin.config as Raw;
      for (const [key, value] of Object.entries(source.config)) {
        if (key in config) continue;
        config[key] = structuredClone(value);
        if (sameFile) doc.map.graft(`${pointer}/config/${escapePointer(key)}`, `${source.pointer}/${escapePointer(key)}`);
      }
    }
  }
  return out;
}

/** Every plugin entity of a document, wherever it is declared, with its JSON pointer. */
function pluginsOf(data: unknown): { plugin: Raw; pointer: string }[] {
  const out: { plugin: Raw; pointer: string }[] = [];
  const take = (list: unknown, pointer: string) => {
    if (Array.isArray(list)) list.forEach((p, i) => isObject(p) && out.push({ plugin: p, pointer: `${pointer}/${i}` }));
  };
  const each = (list: unknown, pointer: string, inner: (entity: Raw, at: string) => void) => {
    if (Array.isArray(list)) list.forEach((e, i) => isObject(e) && inner(e, `${pointer}/${i}`));
  };
  if (!isObject(data)) return out;
  take(data.plugins, '/plugins');
  each(data.services, '/services', (s, at) => {
    take(s.plugins, `${at}/plugins`);
    each(s.routes, `${at}/routes`, (r, rat) => take(r.plugins, `${rat}/plugins`));
  });
  each(data.routes, '/routes', (r, at) => take(r.plugins, `${at}/plugins`));
  each(data.consumers, '/consumers', (c, at) => take(c.plugins, `${at}/plugins`));
  return out;
}
