/**
 * One parsed source file and the facts the detectors need, gathered in a single AST walk:
 * imports (ESM and require), directives, calls, `new` expressions, env reads, key-shaped
 * literals, metadata reads, string markers (Svix headers, event types, cookie names), exports.
 */
import type * as TS from 'typescript';
import { chainOf, directivesOf, isStackExhausted, parse, stringValue, ts, walk, type Lang, type SyntaxProblem, langOf, boundNames } from './ast';

export interface ImportBinding {
  module: string;
  /** `default`, `*`, or the exported name. */
  name: string;
}

export interface SourceFile {
  /** Relative to its application root: what routes and imports resolve against. */
  relative: string;
  /** Relative to the working directory: what reports show. */
  display: string;
  absolute: string;
  /** The scanned root this file belongs to (for resolving app structure). */
  root: string;
  text: string;
  lang: Lang;
  sf: TS.SourceFile;
  directives: string[];
  imports: Map<string, ImportBinding>;
  /** Module specifiers this file loads (import, export-from, require, import()). */
  specifiers: string[];
  calls: TS.CallExpression[];
  news: TS.NewExpression[];
  envReads: { name: string; node: TS.Node }[];
  literals: { text: string; node: TS.Node }[];
  metadataReads: TS.Node[];
  /** Exported bindings by name (`default` for the default export) → the node that defines them. */
  exports: Map<string, TS.Node>;
}

/** A failure carries the parser's first errors, or (code nested past the call stack) only a reason. */
export type ParseOutcome = { ok: true; file: SourceFile } | { ok: false; errors: SyntaxProblem[]; reason?: string };

/** Why a file nested too deeply for the parser is not analysed (never counted as clean). */
const TOO_DEEP_REASON = 'nested too deeply to parse (the parser ran out of stack): not analysed';

/** Literals worth keeping: key and secret shapes, and markers the detectors look for. */
const INTERESTING_LITERAL = /sk_(live|test)_|pk_(live|test)_|whsec_|svix-|webhook-(id|signature|timestamp)|^user\.|^session\.|__session|__client|BEGIN [A-Z ]*PRIVATE KEY/;
const METADATA_NAMES = new Set(['publicMetadata', 'unsafeMetadata', 'public_metadata', 'unsafe_metadata', 'privateMetadata', 'private_metadata']);

export function parseSourceFile(relative: string, display: string, absolute: string, root: string, text: string): ParseOutcome {
  try {
    return parseAndCollect(relative, display, absolute, root, text);
  } catch (error) {
    // TypeScript's parser recurses once per nesting level; thousands of levels exhaust the stack.
    if (!isStackExhausted(error)) throw error;
    return { ok: false, errors: [], reason: TOO_DEEP_REASON };
  }
}

function parseAndCollect(relative: string, display: string, absolute: string, root: string, text: string): ParseOutcome {
  const { sf, errors } = parse(relative, text);
  if (errors.length > 0) return { ok: false, errors };
  const t = ts();
  const file: SourceFile = {
    relative,
    display,
    absolute,
    root,
    text,
    lang: langOf(relative),
    sf,
    directives: directivesOf(sf.statements),
    imports: new Map(),
    specifiers: [],
    calls: [],
    news: [],
    envReads: [],
    literals: [],
    metadataReads: [],
    exports: new Map(),
  };
  for (const statement of sf.statements) collectTopLevel(statement, file);
  walk(sf, (node) => {
    if (t.isCallExpression(node)) {
      file.calls.push(node);
      const callee = node.expression;
      const requireOf = t.isIdentifier(callee) && callee.text === 'require' ? stringValue(node.arguments[0]) : undefined;
      if (requireOf !== undefined) {
        file.specifiers.push(requireOf);
        bindRequire(node, requireOf, file);
      } else if (callee.kind === t.SyntaxKind.ImportKeyword) {
        const spec = stringValue(node.arguments[0]);
        if (spec !== undefined) file.specifiers.push(spec);
      }
    } else if (t.isNewExpression(node)) file.news.push(node);
    else if (t.isPropertyAccessExpression(node) || t.isElementAccessExpression(node)) {
      const name = t.isPropertyAccessExpression(node) ? node.name.text : stringValue(node.argumentExpression);
      if (name !== undefined && METADATA_NAMES.has(name)) file.metadataReads.push(node);
      // Cheap test first: env objects end in `.env` (process.env, import.meta.env).
      const base = node.expression;
      if (name !== undefined && t.isPropertyAccessExpression(base) && base.name.text === 'env') {
        const parentChain = chainOf(base);
        if (parentChain && isEnvObject(parentChain)) file.envReads.push({ name, node });
      }
    } else if (t.isStringLiteral(node) || t.isNoSubstitutionTemplateLiteral(node) || t.isTemplateHead(node) || t.isTemplateMiddle(node) || t.isTemplateTail(node)) {
      if (INTERESTING_LITERAL.test(node.text)) file.literals.push({ text: node.text, node });
    } else if (t.isVariableDeclaration(node) && node.initializer && t.isObjectBindingPattern(node.name)) {
      // const { CLERK_SECRET_KEY } = process.env
      const chain = chainOf(node.initializer);
      if (chain && isEnvObject(chain)) for (const bound of boundNames(node.name)) file.envReads.push({ name: bound.property ?? bound.local, node });
    }
  });
  return { ok: true, file };
}

function isEnvObject(chain: string[]): boolean {
  const joined = chain.join('.');
  return joined === 'process.env' || joined === 'import.meta.env' || joined === 'Deno.env' || joined === 'Bun.env';
}

function collectTopLevel(statement: TS.Statement, file: SourceFile): void {
  const t = ts();
  if (t.isImportDeclaration(statement)) {
    const module = stringValue(statement.moduleSpecifier);
    if (module === undefined) return;
    file.specifiers.push(module);
    const clause = statement.importClause;
    if (!clause) return;
    if (clause.name) file.imports.set(clause.name.text, { module, name: 'default' });
    const bindings = clause.namedBindings;
    if (bindings && t.isNamespaceImport(bindings)) file.imports.set(bindings.name.text, { module, name: '*' });
    else if (bindings) for (const element of bindings.elements) file.imports.set(element.name.text, { module, name: (element.propertyName ?? element.name).text });
    return;
  }
  if (t.isExportDeclaration(statement)) {
    const module = statement.moduleSpecifier ? stringValue(statement.moduleSpecifier) : undefined;
    if (module !== undefined) file.specifiers.push(module);
    if (statement.exportClause && t.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const local = (element.propertyName ?? element.name).text;
        if (module !== undefined) file.imports.set(`${local}`, file.imports.get(local) ?? { module, name: local });
        file.exports.set(element.name.text, element);
      }
    }
    return;
  }
  if (t.isExportAssignment(statement)) {
    file.exports.set('default', statement.expression);
    return;
  }
  const modifiers = t.canHaveModifiers(statement) ? t.getModifiers(statement) : undefined;
  const exported = modifiers?.some((modifier) => modifier.kind === t.SyntaxKind.ExportKeyword) ?? false;
  const isDefault = modifiers?.some((modifier) => modifier.kind === t.SyntaxKind.DefaultKeyword) ?? false;
  if (!exported) {
    // CommonJS: module.exports = handler; exports.handler = …
    if (t.isExpressionStatement(statement) && t.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const target = chainOf(statement.expression.left);
      if (target?.join('.') === 'module.exports') file.exports.set('default', statement.expression.right);
      else if (target && target.length === 2 && (target[0] === 'exports' || target[0] === 'module.exports')) file.exports.set(target[1] as string, statement.expression.right);
      else if (target && target.length === 3 && target[0] === 'module' && target[1] === 'exports') file.exports.set(target[2] as string, statement.expression.right);
    }
    return;
  }
  if ((t.isFunctionDeclaration(statement) || t.isClassDeclaration(statement)) && (isDefault || statement.name)) {
    file.exports.set(isDefault ? 'default' : (statement.name as TS.Identifier).text, statement);
  } else if (t.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) {
      if (t.isIdentifier(declaration.name)) file.exports.set(declaration.name.text, declaration.initializer ?? declaration);
    }
  }
}

function bindRequire(call: TS.CallExpression, module: string, file: SourceFile): void {
  const t = ts();
  let parent: TS.Node = call.parent;
  let member: string | undefined;
  if (t.isPropertyAccessExpression(parent) && parent.expression === call) {
    member = parent.name.text;
    parent = parent.parent;
  }
  if (!t.isVariableDeclaration(parent)) return;
  if (t.isIdentifier(parent.name)) file.imports.set(parent.name.text, { module, name: member ?? 'default' });
  else if (t.isObjectBindingPattern(parent.name) && member === undefined) {
    for (const bound of boundNames(parent.name)) file.imports.set(bound.local, { module, name: bound.property ?? bound.local });
  }
}

/** What an identifier refers to when it was imported: `{ module, name }`. */
export function importOf(file: SourceFile, local: string): ImportBinding | undefined {
  return file.imports.get(local);
}

/**
 * The canonical name of a callee: imported roots become `module#name` (`@clerk/nextjs/server#auth`),
 * namespace imports fold in (`clerk.auth` → `@clerk/nextjs/server#auth`), the rest stays as written.
 */
export function resolvedChain(file: SourceFile, expression: TS.Expression): string[] | undefined {
  const chain = chainOf(expression);
  if (!chain || chain.length === 0) return chain;
  const head = chain[0] as string;
  const called = head.endsWith('()');
  const binding = importOf(file, called ? head.slice(0, -2) : head);
  if (!binding) return chain;
  if (binding.name === '*' && chain.length > 1) {
    const next = chain[1] as string;
    return [`${binding.module}#${next}`, ...chain.slice(2)];
  }
  return [`${binding.module}#${binding.name}${called ? '()' : ''}`, ...chain.slice(1)];
}

/** True when the chain's root comes from one of `modules` (a prefix such as `@clerk/`) under one of `names`. */
export function rootIs(chain: string[] | undefined, modulePrefix: string | readonly string[], names: readonly string[]): boolean {
  const head = chain?.[0];
  if (!head) return false;
  const hash = head.indexOf('#');
  if (hash === -1) return false;
  const module = head.slice(0, hash);
  const name = head.slice(hash + 1).replace(/\(\)$/, '');
  const prefixes = typeof modulePrefix === 'string' ? [modulePrefix] : modulePrefix;
  return prefixes.some((prefix) => module === prefix || module.startsWith(prefix)) && names.includes(name);
}

export function usesClerk(file: SourceFile): boolean {
  for (const binding of file.imports.values()) if (binding.module.startsWith('@clerk/') || binding.module === '@hono/clerk-auth') return true;
  return false;
}
