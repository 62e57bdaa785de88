/**
 * The parser boundary: TypeScript's compiler API, loaded only when a scan runs (it is the
 * largest module clerkguard loads), plus the few AST helpers every detector shares.
 * docs/architecture.md says why this parser was chosen over oxc-parser and @babel/parser.
 */
import type * as TS from 'typescript';

export type Ts = typeof TS;
export type Node = TS.Node;

let loaded: Ts | undefined;

export function ts(): Ts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('typescript') as Ts;
  return loaded;
}

export type Lang = 'ts' | 'tsx' | 'js' | 'jsx';

export function langOf(file: string): Lang {
  if (/\.tsx$/i.test(file)) return 'tsx';
  if (/\.[mc]?ts$/i.test(file)) return 'ts';
  // JSX is legal in .js files of React apps; the JSX grammar accepts plain JS too.
  return 'jsx';
}

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

export interface Parsed {
  sf: TS.SourceFile;
  errors: SyntaxProblem[];
}

export function parse(file: string, text: string): Parsed {
  const t = ts();
  const lang = langOf(file);
  const kind = lang === 'tsx' ? t.ScriptKind.TSX : lang === 'ts' ? t.ScriptKind.TS : t.ScriptKind.JSX;
  const sf = t.createSourceFile(file, text, t.ScriptTarget.Latest, true, kind);
  // parseDiagnostics is the parser's own error list (not in the public typings, stable since TS 2).
  const diagnostics = (sf as unknown as { parseDiagnostics?: readonly TS.Diagnostic[] }).parseDiagnostics;
  if (!Array.isArray(diagnostics)) {
    // Fail closed: without the parser's verdict a file is not known to be valid.
    return { sf, errors: [{ line: 1, column: 1, message: 'the parser reported no diagnostics list; file not analysed' }] };
  }
  const errors = diagnostics.slice(0, 3).map((diagnostic) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return { line: line + 1, column: character + 1, message: t.flattenDiagnosticMessageText(diagnostic.messageText, ' ') };
  });
  return { sf, errors };
}

export interface Span {
  line: number;
  column: number;
  end_line: number;
  end_column: number;
}

export function spanOf(node: Node): Span {
  const sf = node.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return { line: start.line + 1, column: start.character + 1, end_line: end.line + 1, end_column: end.character + 1 };
}

/** Strips wrappers that do not change what an expression refers to. */
export function unwrap(node: TS.Expression): TS.Expression {
  const t = ts();
  let current = node;
  for (let i = 0; i < 32; i++) {
    if (t.isParenthesizedExpression(current) || t.isAwaitExpression(current) || t.isNonNullExpression(current) || t.isAsExpression(current) || t.isSatisfiesExpression(current) || t.isTypeAssertionExpression(current)) {
      current = current.expression;
    } else return current;
  }
  return current;
}

/**
 * The access chain of an expression as names: `clerkClient().users.updateUser` →
 * ['clerkClient()', 'users', 'updateUser']; `process.env["X"]` → ['process', 'env', 'X'];
 * undefined for anything else (computed keys, literals, element access with a variable).
 */
export function chainOf(node: TS.Expression, depth = 0): string[] | undefined {
  const t = ts();
  if (depth > 24) return undefined;
  const expr = unwrap(node);
  if (t.isIdentifier(expr)) return [expr.text];
  if (expr.kind === t.SyntaxKind.ThisKeyword) return ['this'];
  if (t.isPropertyAccessExpression(expr)) {
    const base = chainOf(expr.expression, depth + 1);
    return base ? [...base, expr.name.text] : undefined;
  }
  if (t.isElementAccessExpression(expr)) {
    const key = stringValue(expr.argumentExpression);
    const base = chainOf(expr.expression, depth + 1);
    return base && key !== undefined ? [...base, key] : undefined;
  }
  if (t.isCallExpression(expr)) {
    const base = chainOf(expr.expression, depth + 1);
    if (!base || base.length === 0) return undefined;
    return [...base.slice(0, -1), `${base[base.length - 1]}()`];
  }
  if (expr.kind === t.SyntaxKind.ImportKeyword) return ['import'];
  if (t.isMetaProperty(expr)) return [`${t.tokenToString(expr.keywordToken)}.${expr.name.text}`];
  return undefined;
}

/** The text of a string literal or a template without substitutions. */
export function stringValue(node: TS.Node | undefined): string | undefined {
  const t = ts();
  if (!node) return undefined;
  if (t.isStringLiteral(node) || t.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

export function propertyName(name: TS.PropertyName | TS.BindingName | undefined): string | undefined {
  const t = ts();
  if (!name) return undefined;
  if (t.isIdentifier(name) || t.isStringLiteral(name) || t.isNumericLiteral(name) || t.isPrivateIdentifier(name)) return name.text;
  if (t.isComputedPropertyName(name)) return stringValue(name.expression);
  return undefined;
}

export type FunctionNode = TS.FunctionDeclaration | TS.FunctionExpression | TS.ArrowFunction | TS.MethodDeclaration;

export function isFunction(node: Node): node is FunctionNode {
  const t = ts();
  return t.isFunctionDeclaration(node) || t.isFunctionExpression(node) || t.isArrowFunction(node) || t.isMethodDeclaration(node);
}

export function enclosingFunction(node: Node): FunctionNode | undefined {
  let current: Node | undefined = node.parent;
  while (current) {
    if (isFunction(current)) return current;
    current = current.parent;
  }
  return undefined;
}

/** Levels walked by recursion (fast) before the walk continues with an explicit stack. */
const RECURSION_LIMIT = 200;

/**
 * Depth-first walk in source order; `visit` returns false to skip a subtree. Recursive through
 * forEachChild (no child arrays: the scan walks millions of nodes) for the first 200 levels,
 * then with an explicit stack: generated code nests thousands of levels deep (a 3,000-term
 * `"a" + "a" + …` is a 3,000-deep tree), deeper than the call stack. Measured on 3,000 generated
 * files: a walk that is iterative throughout is 1.44× slower; this one is as fast as recursion.
 */
export function walk(root: Node, visit: (node: Node) => boolean | void): void {
  const t = ts();
  const step = (node: Node, depth: number): void => {
    if (visit(node) === false) return;
    if (depth >= RECURSION_LIMIT) {
      walkBelow(node, visit);
      return;
    }
    t.forEachChild(node, (child): undefined => {
      step(child, depth + 1);
      return undefined;
    });
  };
  step(root, 0);
}

/** The descendants of `node` (already visited), with an explicit stack instead of recursion. */
function walkBelow(node: Node, visit: (node: Node) => boolean | void): void {
  const t = ts();
  const stack: Node[] = [];
  const children: Node[] = [];
  const collect = (child: Node): undefined => {
    children.push(child);
    return undefined;
  };
  const push = (parent: Node) => {
    t.forEachChild(parent, collect);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
    children.length = 0;
  };
  push(node);
  while (stack.length > 0) {
    const current = stack.pop() as Node;
    if (visit(current) !== false) push(current);
  }
}

/** Thrown by the parser (and any recursive helper) on code nested deeper than the call stack. */
export function isStackExhausted(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

export function isInside(node: Node, ancestor: Node): boolean {
  return node.pos >= ancestor.pos && node.end <= ancestor.end && node.getSourceFile() === ancestor.getSourceFile();
}

/** Source text of a node on one line, shortened; callers redact secrets before it leaves. */
export function excerpt(node: Node, max = 120): string {
  const text = node.getText().replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Directive prologue strings of a block or file: `'use client'`, `'use server'`. */
export function directivesOf(statements: TS.NodeArray<TS.Statement> | undefined): string[] {
  const t = ts();
  const out: string[] = [];
  for (const statement of statements ?? []) {
    if (t.isExpressionStatement(statement) && t.isStringLiteral(statement.expression)) out.push(statement.expression.text);
    else break;
  }
  return out;
}

export function functionBody(fn: FunctionNode): TS.Node | undefined {
  return fn.body;
}

/** Names bound by a declaration's pattern: `const { userId, orgId: org } = …` → userId, org. */
export function boundNames(name: TS.BindingName, depth = 0): { local: string; property?: string }[] {
  const t = ts();
  if (t.isIdentifier(name)) return [{ local: name.text }];
  // Patterns nested deeper than any hand-written code bind nothing the detectors look for.
  if (depth > 32) return [];
  const out: { local: string; property?: string }[] = [];
  if (t.isObjectBindingPattern(name)) {
    for (const element of name.elements) {
      if (t.isIdentifier(element.name)) {
        const property = element.propertyName ? propertyName(element.propertyName) : element.name.text;
        out.push(property === undefined ? { local: element.name.text } : { local: element.name.text, property });
      } else out.push(...boundNames(element.name, depth + 1));
    }
  } else {
    for (const element of name.elements) if (!t.isOmittedExpression(element)) out.push(...boundNames(element.name, depth + 1));
  }
  return out;
}
