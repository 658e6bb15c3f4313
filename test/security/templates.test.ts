// Templates reach values only through encoder helpers: a lint over the Handlebars AST of every
// template, plus nginx-level rules (explicit location modifiers, no input text in comments).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT, TEMPLATES_DIR } from '../../src/paths.js';
import { ENCODER_HELPERS } from '../../src/render/render.js';

type Node = { type: string; [k: string]: any };

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
/**
 * Helpers that compare generated values (render.ts LOGIC_HELPERS, read from its source); allowed
 * only as sub-expressions inside block conditions, where their result is never output.
 */
const LOGIC_HELPERS = new Set(
  [...(/const LOGIC_HELPERS\b[^{]*\{([\s\S]*?)\n\};/.exec(readFileSync(join(PACKAGE_ROOT, 'src', 'render', 'render.ts'), 'utf8'))?.[1] ?? '').matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/gm)].map((m) => m[1]!),
);
/**
 * Helpers whose output may appear in an nginx comment: generated identifiers and numbers, and
 * `comment`, which prints text as printable ASCII only, so a comment can never end early.
 */
const COMMENT_SAFE = new Set(['id', 'key', 'token', 'int', 'buildhash', 'comment']);

/**
 * Field names a template may read: the ones src/plan/ir.ts declares, plus the render context's
 * own (`plan`, `hash`, `version`) and tuple indexes. Handlebars' `strict` mode checks only plain
 * mustaches, and kongc's templates have none (every value goes through an encoder helper), so a
 * misspelt field would otherwise reach an encoder as undefined, or make an {{#if}} silently false.
 */
const IR_FIELDS = new Set([
  ...[...readFileSync(join(PACKAGE_ROOT, 'src', 'plan', 'ir.ts'), 'utf8').matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\??:/g)].map((m) => m[1]!),
  'plan',
  'hash',
  'version',
  '0',
  '1',
]);

const templates = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.hbs')).sort();
const partials = new Set(templates.map((f) => f.replace(/\.hbs$/, '')));

/** Every mustache in a template, with the nginx line it sits on (for comment checks). */
function lint(file: string, text: string): string[] {
  const problems: string[] = [];
  if (text.includes('{{{')) problems.push('uses {{{ (unescaped output outside the encoders)');
  if (/\{\{&/.test(text)) problems.push('uses {{& (unescaped output outside the encoders)');
  const ast = Handlebars.parse(text) as unknown as Node;
  const at = (n: Node) => `${file}:${n.loc?.start?.line ?? '?'}`;
  const checkExpr = (n: Node, where: string) => {
    // Arguments of helpers: paths, literals, or sub-expressions of logic helpers.
    if (n.type === 'PathExpression') {
      for (const part of n.parts ?? []) if (!IR_FIELDS.has(String(part))) problems.push(`${at(n)}: '${n.original}' in ${where} reads '${part}', which src/plan/ir.ts does not declare`);
    }
    if (n.type === 'SubExpression') {
      const name = n.path?.original;
      if (!LOGIC_HELPERS.has(name)) problems.push(`${at(n)}: sub-expression (${name} …) in ${where}: only ${[...LOGIC_HELPERS]} may be nested`);
      for (const p of n.params ?? []) checkExpr(p, where);
    } else if (!['PathExpression', 'StringLiteral', 'NumberLiteral', 'BooleanLiteral'].includes(n.type)) {
      problems.push(`${at(n)}: unexpected ${n.type} in ${where}`);
    }
  };
  const walk = (n: Node | null | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case 'Program':
        for (const s of n.body) walk(s);
        return;
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const name = n.path?.original;
        if (n.escaped === false) problems.push(`${at(n)}: unescaped mustache`);
        if (n.path?.type !== 'PathExpression' || !(name in ENCODER_HELPERS)) {
          problems.push(`${at(n)}: {{${name}…}} is not an encoder helper call`);
        } else if ((n.params ?? []).length === 0) {
          problems.push(`${at(n)}: {{${name}}} without an argument would be a value lookup, not an encoder call`);
        }
        if (n.hash?.pairs?.length) problems.push(`${at(n)}: hash arguments are not used by encoders`);
        for (const p of n.params ?? []) checkExpr(p, `{{${name}}}`);
        return;
      }
      case 'BlockStatement': {
        const name = n.path?.original;
        if (!BLOCK_HELPERS.has(name)) problems.push(`${at(n)}: block {{#${name}}} is not one of ${[...BLOCK_HELPERS]}`);
        for (const p of n.params ?? []) checkExpr(p, `{{#${name}}}`);
        walk(n.program);
        walk(n.inverse);
        return;
      }
      case 'PartialStatement': {
        const name = n.name?.original;
        if (!partials.has(name)) problems.push(`${at(n)}: partial {{> ${name}}} is not a template file`);
        if ((n.params ?? []).length || n.hash) problems.push(`${at(n)}: partial with arguments`);
        return;
      }
      default:
        problems.push(`${at(n)}: ${n.type} is not allowed in templates`);
    }
  };
  walk(ast);
  return problems;
}

describe('templates', () => {
  it('there are templates, and each helper the templates may call is an encoder', () => {
    assert.ok(templates.length >= 4);
    assert.ok(LOGIC_HELPERS.has('eq'), `logic helpers read from render.ts: ${[...LOGIC_HELPERS]}`);
    for (const name of LOGIC_HELPERS) assert.ok(!(name in ENCODER_HELPERS));
    for (const name of Object.keys(ENCODER_HELPERS)) assert.equal(typeof ENCODER_HELPERS[name], 'function');
  });

  for (const file of templates) {
    const text = readFileSync(join(TEMPLATES_DIR, file), 'utf8');
    describe(file, () => {
      it('interpolates only through encoder helpers (no {{{, no bare {{value}}, no unknown helpers)', () => {
        assert.deepEqual(lint(file, text), []);
      });

      it('writes an explicit location modifier (=, ^~, ~, ~*, or a named @location) as its own token', () => {
        for (const [i, line] of text.split('\n').entries()) {
          const m = /^\s*location\s+(.*)$/.exec(line);
          if (!m) continue;
          const rest = m[1]!;
          const ok = /^(=|\^~|~\*?) /.test(rest) || /^@kongc_[a-z_]+ \{/.test(rest) || /^\{\{id [^}]+\}\} \{/.test(rest);
          assert.ok(ok, `${file}:${i + 1}: location without an explicit modifier token: ${line.trim()}`);
          if (/^(=|\^~|~\*?) /.test(rest) && rest.includes('{{')) assert.match(rest, /^(=|\^~|~\*?) \{\{(path|rx|lit) /, `${file}:${i + 1}: location argument must go through path/rx/lit`);
        }
      });

      it('puts input text in nginx comments only through the comment encoder', () => {
        for (const [i, line] of text.split('\n').entries()) {
          const hash = line.search(/(^|\s)#/);
          if (hash < 0) continue;
          const comment = line.slice(hash);
          for (const m of comment.matchAll(/\{\{([#/>]?)\s*([A-Za-z@.]+)/g)) {
            if (m[1] === '/') continue;
            if (m[1] === '#') {
              // A condition in a comment outputs nothing itself; what it shows is checked here too.
              assert.ok(['if', 'unless'].includes(m[2]!), `${file}:${i + 1}: {{#${m[2]}}} inside an nginx comment`);
              continue;
            }
            if (m[1] === '>') assert.fail(`${file}:${i + 1}: partial inside an nginx comment`);
            assert.ok(COMMENT_SAFE.has(m[2]!), `${file}:${i + 1}: {{${m[2]}}} in an nginx comment; only ${[...COMMENT_SAFE]} may appear there`);
          }
        }
      });
    });
  }

  it('the lint catches what it is meant to catch', () => {
    assert.ok(lint('t', 'a {{{x}}}').length > 0);
    assert.ok(lint('t', 'a {{&x}}').length > 0);
    assert.ok(lint('t', 'a {{x}}').length > 0);
    assert.deepEqual(lint('t', '{{#if guard}}{{val guard.signature}}{{/if}}'), []);
    assert.ok(lint('t', '{{#if guard}}{{val guard.signatur}}{{/if}}').length > 0, 'misspelt field in an encoder call');
    assert.ok(lint('t', '{{#if proxy.sll}}x{{/if}}').length > 0, 'misspelt field in a block condition');
    assert.ok(lint('t', 'a {{lit}}').length > 0);
    assert.ok(lint('t', 'a {{nosuch x}}').length > 0);
    assert.ok(lint('t', 'a {{lit (lookup x "y")}}').length > 0);
    assert.ok(lint('t', '{{#each x}}{{this}}{{/each}}').length > 0);
    assert.ok(lint('t', '{{> nosuch}}').length > 0);
    assert.deepEqual(lint('t', '{{#if (eq path "b")}}x {{lit path}};{{/if}}'), []);
  });

  it('Handlebars is compiled with noEscape, strict and knownHelpersOnly', () => {
    const src = readFileSync(join(PACKAGE_ROOT, 'src', 'render', 'render.ts'), 'utf8');
    assert.match(src, /noEscape:\s*true/);
    assert.match(src, /strict:\s*true/);
    assert.match(src, /knownHelpersOnly:\s*true/);
  });
});
