// Templates reach values only through encoder helpers: a lint over the Handlebars AST of every
// template, plus nginx-level rules (explicit location modifiers, no input text in comments); every
// field a template reads is resolved against the TypeScript type of what it is given.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import ts from 'typescript';
import { PACKAGE_ROOT, TEMPLATES_DIR } from '../../src/paths.js';
import { assembledTemplate, compileOptions, ENCODER_HELPERS, LOGIC_HELPERS, templateSources } from '../../src/render/render.js';

type Node = { type: string; [k: string]: any };
const parse = (text: string): Node => Handlebars.parse(text);

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
/** Helpers that compare generated values: allowed only as sub-expressions inside block conditions, where their result is never output. */
const LOGIC = new Set(Object.keys(LOGIC_HELPERS));
/**
 * Helpers whose output may appear in an nginx comment: generated identifiers and numbers, and
 * `comment`, which prints text as printable ASCII only, so a comment can never end early.
 */
const COMMENT_SAFE = new Set(['id', 'key', 'token', 'int', 'buildhash', 'comment']);

/**
 * The types templates are given, from the TypeScript source: render.ts `RenderContext` (what
 * renderPlan passes) and the IR types it reaches. Handlebars' `strict` mode checks only plain
 * mustaches, and kongc's templates have none (every value goes through an encoder helper), so a
 * misspelt or removed field would otherwise reach an encoder as undefined, or make an {{#if}}
 * silently false.
 */
const types = (() => {
  const program = ts.createProgram([join(PACKAGE_ROOT, 'src', 'render', 'render.ts')], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    resolveJsonModule: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const named = (file: string, name: string): ts.Type => {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(PACKAGE_ROOT, 'src', file))!)!;
    const symbol = checker.getExportsOfModule(module).find((s) => s.name === name);
    assert.ok(symbol, `src/${file} exports ${name}`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };
  return { checker, named };
})();

/** A value's possible types (the members of a union, null and undefined left out). */
type Alternatives = ts.Type[];

function alternatives(type: ts.Type): Alternatives {
  const t = types.checker.getNonNullableType(type);
  return t.isUnion() ? t.types : [t];
}

/** The types of `name` on a value of these types: a field of any union member, or a list or tuple index. */
function member(of: Alternatives, name: string): Alternatives {
  const { checker } = types;
  const out: Alternatives = [];
  for (const t of of) {
    if (/^\d+$/.test(name) && checker.isTupleType(t)) {
      const element = checker.getTypeArguments(t as ts.TypeReference)[Number(name)];
      if (element) out.push(...alternatives(element));
    } else if (/^\d+$/.test(name) && checker.isArrayType(t)) out.push(...alternatives(checker.getTypeArguments(t as ts.TypeReference)[0]!));
    else {
      const field = checker.getPropertyOfType(t, name);
      if (field) out.push(...alternatives(checker.getTypeOfSymbol(field)));
    }
  }
  return out;
}

/** The element types of a list `{{#each}}` walks. */
function elements(of: Alternatives): Alternatives {
  const { checker } = types;
  return of.flatMap((t) => (checker.isArrayType(t) || checker.isTupleType(t) ? checker.getTypeArguments(t as ts.TypeReference).flatMap(alternatives) : []));
}

/**
 * Every field path in a template, resolved against the type of its context (`root` at the top, a
 * list's element inside `{{#each}}`): the problems, with the template line.
 */
function fieldProblems(file: string, text: string, root: ts.Type): string[] {
  const problems: string[] = [];
  const at = (n: Node) => `${file}:${n.loc?.start?.line ?? '?'}`;
  const resolve = (n: Node, stack: Alternatives[]): Alternatives => {
    if (n.type === 'SubExpression') {
      for (const p of n.params ?? []) resolve(p, stack);
      return [];
    }
    if (n.type !== 'PathExpression' || n.data) return [];
    let current = stack[stack.length - 1 - (n.depth ?? 0)];
    if (!current) {
      problems.push(`${at(n)}: '${n.original}' climbs above the template's context`);
      return [];
    }
    for (const part of n.parts as string[]) {
      const next = member(current, part);
      if (!next.length) {
        problems.push(`${at(n)}: '${n.original}' reads '${part}', which ${current.map((t) => types.checker.typeToString(t)).join(' | ')} does not have`);
        return [];
      }
      current = next;
    }
    return current;
  };
  const walk = (n: Node | null | undefined, stack: Alternatives[]): void => {
    if (!n) return;
    if (n.type === 'Program') for (const s of n.body) walk(s, stack);
    else if (n.type === 'MustacheStatement') for (const p of n.params ?? []) resolve(p, stack);
    else if (n.type === 'BlockStatement') {
      const values = (n.params ?? []).map((p: Node) => resolve(p, stack));
      walk(n.program, n.path?.original === 'each' ? [...stack, elements(values[0] ?? [])] : stack);
      walk(n.inverse, stack);
    }
  };
  walk(parse(text), [alternatives(root)]);
  return problems;
}

const templates = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.hbs')).sort();
const partials = new Set(templates.map((f) => f.replace(/\.hbs$/, '')));

/** Every mustache in a template, with the nginx line it sits on (for comment checks). */
function lint(file: string, text: string): string[] {
  const problems: string[] = [];
  if (text.includes('{{{')) problems.push('uses {{{ (unescaped output outside the encoders)');
  if (/\{\{&/.test(text)) problems.push('uses {{& (unescaped output outside the encoders)');
  const ast = parse(text);
  const at = (n: Node) => `${file}:${n.loc?.start?.line ?? '?'}`;
  const checkExpr = (n: Node, where: string) => {
    // Arguments of helpers: paths, literals, or sub-expressions of logic helpers.
    if (n.type === 'SubExpression') {
      const name = n.path?.original;
      if (!LOGIC.has(name)) problems.push(`${at(n)}: sub-expression (${name} …) in ${where}: only ${[...LOGIC]} may be nested`);
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
    assert.ok(LOGIC.has('eq'), `logic helpers: ${[...LOGIC]}`);
    for (const name of LOGIC) assert.ok(!(name in ENCODER_HELPERS));
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

  it('reads only fields the render context and the IR types have (all templates, as main includes them)', () => {
    assert.deepEqual(fieldProblems('main.hbs (assembled)', assembledTemplate(templateSources().sources), types.named('render/render.ts', 'RenderContext')), []);
  });

  it('the field check catches a field the types do not have', () => {
    const route = types.named('plan/ir.ts', 'RouteLocation');
    assert.deepEqual(fieldProblems('t', '{{#if guard}}{{val guard.signature}}{{/if}}', route), []);
    assert.deepEqual(fieldProblems('t', '{{#if (eq body.kind "proxy")}}{{#each body.proxy.presets}}{{id variable}}{{/each}}{{/if}}', route), []);
    assert.equal(fieldProblems('t', '{{#if guard}}{{val guard.signatur}}{{/if}}', route).length, 1, 'misspelt field in an encoder call');
    assert.equal(fieldProblems('t', '{{#if body.proxy.sll}}x{{/if}}', route).length, 1, 'misspelt field in a block condition');
    assert.equal(fieldProblems('t', '{{#each guard.failures}}{{id name}}{{/each}}', route).length, 1, 'a field of the list, read on its element');
    assert.deepEqual(fieldProblems('t', '{{#each guard.failures}}{{id ../name}}{{/each}}', route), [], 'the enclosing context after ../');
    assert.equal(fieldProblems('t', '{{lit (eq nosuch "x")}}', route).length, 1, 'inside a sub-expression');
  });

  it('the lint catches what it is meant to catch', () => {
    assert.ok(lint('t', 'a {{{x}}}').length > 0);
    assert.ok(lint('t', 'a {{&x}}').length > 0);
    assert.ok(lint('t', 'a {{x}}').length > 0);
    assert.deepEqual(lint('t', '{{#if guard}}{{val guard.signature}}{{/if}}'), []);
    assert.ok(lint('t', 'a {{lit}}').length > 0);
    assert.ok(lint('t', 'a {{nosuch x}}').length > 0);
    assert.ok(lint('t', 'a {{lit (lookup x "y")}}').length > 0);
    assert.ok(lint('t', '{{#each x}}{{this}}{{/each}}').length > 0);
    assert.ok(lint('t', '{{> nosuch}}').length > 0);
    assert.deepEqual(lint('t', '{{#if (eq path "b")}}x {{lit path}};{{/if}}'), []);
  });

  it('Handlebars is compiled with noEscape, strict and knownHelpersOnly', () => {
    const options = compileOptions();
    assert.equal(options.noEscape, true);
    assert.equal(options.strict, true);
    assert.equal(options.knownHelpersOnly, true);
  });
});
