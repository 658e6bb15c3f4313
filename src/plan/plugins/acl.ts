// acl: the consumer an authentication plugin identified, allowed or denied by its groups (acls
// entries), decided at build time per distinct set of groups; X-Consumer-Groups upstream.
import type { MapEntry, MapValue } from '../ir.js';
import type { LowerContext, PluginDefinition } from './definition.js';
import { consumerId, once, when } from './auth-common.js';

interface AclConfig {
  allow?: string[];
  deny?: string[];
  hide_groups_header: boolean;
  always_use_authenticated_groups: boolean;
}

const v = (variable: string): MapValue => [{ variable }];
const t = (text: string): MapValue => [{ text }];

/** Per consumer: its groups joined as Kong sends them, and which distinct set of groups it has. */
function groupTable(ctx: LowerContext): { header: string; set: string; sets: string[][] } {
  return once(ctx, 'acl', () => {
    const vars = ctx.consumerVariables();
    const header: MapEntry[] = [];
    const set: MapEntry[] = [{ match: 'exact', key: '', value: [] }];
    const index = new Map<string, number>();
    const sets: string[][] = [];
    for (const c of ctx.state.consumers) {
      if (!c.acls.length) continue;
      const groups = c.acls.map((a) => a.group);
      header.push({ match: 'exact', key: consumerId(c), value: t(groups.join(', ')) });
      const distinct = [...new Set(groups)].sort();
      const k = JSON.stringify(distinct);
      let n = index.get(k);
      if (n === undefined) {
        index.set(k, (n = sets.length));
        sets.push(distinct);
      }
      set.push({ match: 'exact', key: consumerId(c), value: t(`g${n}`) });
    }
    return {
      header: ctx.map({ variable: 'kongc_consumer_groups', source: v(vars.consumer), entries: header, default: [], purpose: "the consumer's ACL groups (X-Consumer-Groups)" }),
      set: ctx.map({ variable: 'kongc_consumer_groupset', source: v(vars.consumer), entries: set, default: t('none'), purpose: "which distinct set of ACL groups the consumer has (none: no groups; empty: no consumer)" }),
      sets,
    };
  });
}

export const ACL: PluginDefinition<AclConfig> = {
  name: 'acl',
  priority: 950,
  tier: 'stock',
  role: 'gate',
  phase: 'rewrite',
  noConsumer: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      allow: { type: 'array', items: { type: 'string', maxLength: 1024 } },
      deny: { type: 'array', items: { type: 'string', maxLength: 1024 } },
      hide_groups_header: { type: 'boolean', default: false },
      always_use_authenticated_groups: { type: 'boolean', default: false },
    },
  },
  check(config, ctx) {
    const allow = (config.allow ?? []).length > 0;
    const deny = (config.deny ?? []).length > 0;
    if (allow && deny) ctx.error(ctx.at('deny'), "only one of these fields must be non-empty: 'config.allow', 'config.deny'", 'keep allow or deny');
    if (!allow && !deny) ctx.error(ctx.at(config.allow ? 'allow' : config.deny ? 'deny' : 'hide_groups_header'), "at least one of these fields must be non-empty: 'config.allow', 'config.deny'", 'list the groups to allow or to deny');
  },
  lower(use, ctx) {
    const c = use.config;
    const vars = ctx.consumerVariables();
    const table = groupTable(ctx);
    const deny = (c.deny ?? []).length > 0;
    const listed = new Set(deny ? c.deny : c.allow);
    const status = `kongc_acl_${use.key}`;
    once(ctx, `acl:${use.key}`, () => {
      const entries: MapEntry[] = [];
      const add = (key: string, value: string) => entries.push({ match: 'exact', key, value: t(value) });
      // No consumer: 401 (Kong: no authenticated groups either, and no credential).
      add(':', '401');
      add(':true', '401');
      // A consumer without groups: denied only in allow mode (401 for the anonymous one, which has no credential).
      add('none:', deny ? 'pass' : '403');
      add('none:true', deny ? 'pass' : '401');
      table.sets.forEach((groups, n) => {
        const inGroup = groups.some((g) => listed.has(g));
        const outcome = deny === inGroup ? '403' : 'pass';
        add(`g${n}:`, outcome);
        add(`g${n}:true`, outcome);
      });
      ctx.map({
        variable: status,
        source: [{ variable: table.set }, { text: ':' }, { variable: vars.anonymous }],
        entries,
        default: t('pass'),
        purpose: `acl ${use.label}: 401, 403 or pass, by the consumer's groups`,
      });
    });
    return {
      steps: [
        when(status, '401', [{ kind: 'answer', target: ctx.kongError(401, 'Unauthorized') }]),
        when(status, '403', [{ kind: 'answer', target: ctx.kongError(403, 'You cannot consume this service') }]),
      ],
      requestHeaders: c.hide_groups_header ? [] : [{ name: 'X-Consumer-Groups', value: v(table.header) }],
    };
  },
};
