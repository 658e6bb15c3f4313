// bot-detection: refuses (403) a User-Agent matching a deny pattern or one of Kong's built-in bot
// patterns, unless an allow pattern matches it first. nginx: one `map` on $http_user_agent whose
// regex entries are tried in order (allow, then deny, then the built-in rules).
import { analyzeRouteRegex } from '../../model/route-regex.js';
import type { MapEntry } from '../ir.js';
import { shortHash } from '../names.js';
import { once } from './answers.js';
import { BOT_RULES } from './bot-rules.js';
import type { PluginDefinition } from './definition.js';

interface Config {
  allow: string[];
  deny: string[];
}

const PATTERNS = { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000, default: [] };

/** PCRE refuses a quantifier at the start of the pattern, of a group or of an alternative. */
function nothingToRepeat(pattern: string): boolean {
  let inClass = false;
  let previous = '(';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      previous = 'x';
      continue;
    }
    if (inClass) {
      if (c === ']') (inClass = false), (previous = 'x');
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if ('*+?'.includes(c) || (c === '{' && /^\{\d+(?:,\d*)?\}/.test(pattern.slice(i)))) {
      if (previous === '(' || previous === '|') return true;
      previous = 'q';
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      // (?:  (?=  (?!  (?<name>  …: the group's body starts after the header.
      const header = /^\(\?(?:<[A-Za-z_]\w*>|P<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|[:=!>|]|<[=!]|[A-Za-z-]*:|[A-Za-z-]+\))/.exec(pattern.slice(i));
      if (header) {
        i += header[0].length - 1;
        previous = '(';
        continue;
      }
    }
    previous = c === '(' || c === '|' ? c : 'x';
  }
  return false;
}

export const botDetection: PluginDefinition<Config> = {
  name: 'bot-detection',
  priority: 2500,
  tier: 'stock',
  role: 'gate',
  phase: 'rewrite',
  noConsumer: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { allow: PATTERNS, deny: PATTERNS },
  },
  check(config, ctx) {
    for (const list of ['allow', 'deny'] as const) {
      config[list].forEach((pattern, i) => {
        const rx = analyzeRouteRegex(pattern);
        const error = 'error' in rx ? rx.error : nothingToRepeat(rx.pattern) ? 'a quantifier (*, +, ?, {n}) follows nothing it could repeat' : null;
        if (error) ctx.error(ctx.at(list, i), `${list}[${i}]: '${pattern}' is not a regex kongc can give nginx: ${error}`, ('error' in rx && rx.hint) || 'write it in the PCRE syntax without lookaround or backreferences');
      });
    }
  },
  lower(use, ctx) {
    const c = use.config;
    // Groups made non-capturing: a pattern from the config must not create nginx variables.
    const own = (p: string) => (analyzeRouteRegex(p) as { pattern: string }).pattern;
    const entries: MapEntry[] = [
      ...c.allow.map((p): MapEntry => ({ match: 'regex', caseless: false, pattern: own(p), value: [] })),
      ...c.deny.map((p): MapEntry => ({ match: 'regex', caseless: false, pattern: own(p), value: [{ text: '1' }] })),
      ...BOT_RULES.map((p): MapEntry => ({ match: 'regex', caseless: false, pattern: p, value: [{ text: '1' }] })),
    ];
    // No User-Agent: Kong lets the request through without looking at the patterns.
    entries.unshift({ match: 'exact', key: '', value: [] });
    const variable = ctx.map({
      variable: `kongc_bot_${shortHash(JSON.stringify([c.allow, c.deny]), 10)}`,
      source: [{ variable: 'http_user_agent' }],
      entries,
      default: [],
      purpose: `bot-detection: 1 for a User-Agent refused (allow ${c.allow.length}, deny ${c.deny.length}, ${BOT_RULES.length} built-in patterns)`,
    });
    if (once(use.plugin, 'bot-detection')) ctx.approximate(
      ctx.at(use),
      `${use.label}: a request with several User-Agent headers is judged by the first one; Kong answers it 400 "Only one User-Agent header allowed"`,
      'nothing to change in the config: only clients sending the header twice see the difference',
    );
    return { steps: [{ kind: 'if', check: { variable, op: '=', operand: '1' }, then: [{ kind: 'answer', target: ctx.kongError(403, 'Forbidden') }] }] };
  },
};
