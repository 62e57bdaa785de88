/**
 * The Next.js middleware (`middleware.ts`, or `proxy.ts` from Next 16): which URL paths it
 * protects. `clerkMiddleware()` protects nothing by itself; each `auth.protect()` (or
 * `redirectToSignIn()`) protects the paths for which the conditions around it hold, evaluated
 * with the `createRouteMatcher` patterns. Conditions it cannot evaluate protect nothing
 * (fail closed), and the reason is kept for the message.
 */
import type * as TS from 'typescript';
import { chainOf, isFunction, propertyName, stringValue, ts, unwrap, walk } from './ast';
import { exits, isProtectCall } from './handlers';
import { SessionScope } from './session';
import { resolvedChain, rootIs, type SourceFile } from './source';

type Tri = boolean | undefined;

export interface MiddlewareModel {
  file: SourceFile;
  /** The folder it sits in (`''` or `src/`): it runs only for the routes beside it. */
  base: string;
  /** Whether the middleware protects a URL path (`/dashboard/[id]`); undefined = cannot tell. */
  protects(path: string): Tri;
  /** Whether the middleware runs for a path at all (its `config.matcher`). */
  runsFor(path: string): Tri;
  /** A default export that is not Clerk's middleware and only looks at the session cookie. */
  cookieOnly?: TS.Node;
  /** Why some protection could not be evaluated. */
  unknown: string[];
  kind: 'clerkMiddleware' | 'authMiddleware' | 'custom' | 'none';
}

export function analyseMiddleware(file: SourceFile, folder = ''): MiddlewareModel {
  const t = ts();
  const matchers = routeMatchers(file);
  const unknown: string[] = [];
  const runsFor = configMatcher(file, unknown);
  const exported = file.exports.get('default') ?? file.exports.get('middleware') ?? file.exports.get('proxy');
  const base = { file, base: folder, runsFor, unknown };
  if (!exported) return { ...base, protects: () => false, kind: 'none' };
  const expression = t.isExpression(exported) ? unwrap(exported) : undefined;
  const call = expression && t.isCallExpression(expression) ? expression : undefined;
  const chain = call ? resolvedChain(file, call.expression) : undefined;
  if (call && rootIs(chain, '@clerk/', ['authMiddleware'])) {
    // Deprecated authMiddleware protected every route except publicRoutes / ignoredRoutes.
    const options = call.arguments[0];
    const open: RegExp[] = [];
    if (options && t.isObjectLiteralExpression(options)) {
      for (const property of options.properties) {
        if (t.isPropertyAssignment(property) && /^(publicRoutes|ignoredRoutes)$/.test(propertyName(property.name) ?? '')) open.push(...patternsOf(property.initializer, unknown));
      }
    }
    return { ...base, kind: 'authMiddleware', protects: (path) => !open.some((pattern) => pattern.test(samplePath(path))) };
  }
  if (call && rootIs(chain, '@clerk/', ['clerkMiddleware'])) {
    const handler = call.arguments.find((argument) => isFunction(argument)) as TS.ArrowFunction | TS.FunctionExpression | undefined;
    if (!handler?.body) return { ...base, kind: 'clerkMiddleware', protects: () => false };
    const session = middlewareSession(file, handler);
    const guards: TS.Expression[][] = [];
    walk(handler.body, (node) => {
      if (t.isCallExpression(node) && isProtectCall(file, node, new Map([['redirectToSignIn', 'redirectToSignIn']]))) guards.push(conditionsAround(node, handler));
    });
    return {
      ...base,
      kind: 'clerkMiddleware',
      // A path is protected when a guard runs for every signed-out request to it.
      protects: (path) => {
        let result: Tri = false;
        for (const conditions of guards) {
          const value = all(conditions.map((condition) => evaluate(condition, samplePath(path), matchers, unknown, session)));
          if (value === true) return true;
          if (value === undefined) result = undefined;
        }
        return result;
      },
    };
  }
  // A hand-written middleware: protection only if it verifies; a cookie-presence check is a finding.
  const fn = expression && isFunction(expression) ? expression : t.isFunctionDeclaration(exported) ? exported : undefined;
  let cookieOnly: TS.Node | undefined;
  if (fn?.body) {
    const text = fn.body.getText();
    const verifies = /verifyToken|authenticateRequest|jwtVerify|verify\(/.test(text);
    if (!verifies && /__session|__client_uat|cookies\.(get|has)\(/.test(text)) cookieOnly = fn;
  }
  return { ...base, kind: 'custom', protects: () => false, ...(cookieOnly ? { cookieOnly } : {}) };
}

/** The chain of conditions that must hold for `node` to run inside `fn`. */
function conditionsAround(node: TS.Node, fn: TS.Node): TS.Expression[] {
  const t = ts();
  const conditions: TS.Expression[] = [];
  let child: TS.Node = node;
  let current: TS.Node | undefined = node.parent;
  while (current && current !== fn) {
    if (t.isIfStatement(current)) {
      if (child === current.thenStatement) conditions.push(current.expression);
      else if (child === current.elseStatement) conditions.push(negate(current.expression));
    } else if (t.isConditionalExpression(current)) {
      if (child === current.whenTrue) conditions.push(current.condition);
      else if (child === current.whenFalse) conditions.push(negate(current.condition));
    } else if (t.isBinaryExpression(current) && current.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken && child === current.right) {
      conditions.push(current.left);
    } else if (t.isBlock(current)) {
      // Earlier `if (isPublicRoute(req)) return;` statements in the same block guard what follows.
      for (const statement of current.statements) {
        if (statement === child) break;
        if (t.isIfStatement(statement) && !statement.elseStatement && exits(statement.thenStatement)) conditions.push(negate(statement.expression));
      }
    }
    child = current;
    current = current.parent;
  }
  return conditions;
}

function negate(expression: TS.Expression): TS.Expression {
  return ts().factory.createPrefixUnaryExpression(ts().SyntaxKind.ExclamationToken, expression);
}

function all(values: Tri[]): Tri {
  if (values.some((value) => value === false)) return false;
  if (values.some((value) => value === undefined)) return undefined;
  return true;
}

/**
 * The session the middleware's callback reads: `auth` (its first parameter) called, awaited or
 * not, returns the Auth object (`const { userId, redirectToSignIn } = await auth()`).
 */
function middlewareSession(file: SourceFile, handler: TS.ArrowFunction | TS.FunctionExpression): SessionScope {
  const t = ts();
  const first = handler.parameters[0];
  const authParam = first && t.isIdentifier(first.name) ? first.name.text : undefined;
  const scope = new SessionScope((call) => {
    const callee = unwrap(call.expression);
    if (authParam && t.isIdentifier(callee) && callee.text === authParam) return 'auth';
    const chain = resolvedChain(file, call.expression);
    if (rootIs(chain, '@clerk/', ['auth', 'getAuth'])) return 'auth';
    if (rootIs(chain, '@clerk/', ['currentUser'])) return 'user';
    return undefined;
  });
  if (handler.body) {
    walk(handler.body, (node) => {
      if (t.isVariableDeclaration(node)) scope.declare(node);
    });
  }
  return scope;
}

/** Bound on how deep a condition is followed (hand-written conditions are shallow). */
const MAX_CONDITION_DEPTH = 48;

/**
 * Whether a condition holds for a signed-out request to `path`: session values take their
 * signed-out value (`userId` null, `isAuthenticated` false), route matchers and pathname tests
 * are evaluated on the path; anything else is unknown (and protects nothing).
 */
function evaluate(expression: TS.Expression, path: string, matchers: Map<string, RegExp[] | undefined>, unknown: string[], session: SessionScope, depth = 0): Tri {
  const t = ts();
  const expr = unwrap(expression);
  if (depth > MAX_CONDITION_DEPTH) {
    unknown.push('a condition nested too deeply to evaluate');
    return undefined;
  }
  const signedOut = session.signedOutTruth(expr);
  if (signedOut !== undefined) return signedOut;
  if (t.isPrefixUnaryExpression(expr) && expr.operator === t.SyntaxKind.ExclamationToken) {
    const inner = evaluate(expr.operand, path, matchers, unknown, session, depth + 1);
    return inner === undefined ? undefined : !inner;
  }
  if (t.isBinaryExpression(expr)) {
    const kind = expr.operatorToken.kind;
    if (kind === t.SyntaxKind.AmpersandAmpersandToken || kind === t.SyntaxKind.BarBarToken) {
      const left = evaluate(expr.left, path, matchers, unknown, session, depth + 1);
      const right = evaluate(expr.right, path, matchers, unknown, session, depth + 1);
      if (kind === t.SyntaxKind.AmpersandAmpersandToken) return left === false || right === false ? false : left === true && right === true ? true : undefined;
      return left === true || right === true ? true : left === false && right === false ? false : undefined;
    }
  }
  if (t.isCallExpression(expr)) {
    const callee = chainOf(expr.expression);
    const name = callee?.length === 1 ? callee[0] : undefined;
    if (name !== undefined && matchers.has(name)) {
      const patterns = matchers.get(name);
      if (!patterns) return undefined;
      return patterns.some((pattern) => pattern.test(path));
    }
    // req.nextUrl.pathname.startsWith('/admin')
    const last = callee?.[callee.length - 1];
    if (callee && callee.includes('pathname') && (last === 'startsWith' || last === 'endsWith' || last === 'includes')) {
      const literal = stringValue(expr.arguments[0]);
      if (literal === undefined) return undefined;
      return last === 'startsWith' ? path.startsWith(literal) : last === 'endsWith' ? path.endsWith(literal) : path.includes(literal);
    }
  }
  const text = expr.getText?.() ?? '';
  unknown.push(`a condition it cannot evaluate (${text.slice(0, 60)})`);
  return undefined;
}

function routeMatchers(file: SourceFile): Map<string, RegExp[] | undefined> {
  const t = ts();
  const out = new Map<string, RegExp[] | undefined>();
  walk(file.sf, (node) => {
    if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.initializer && t.isCallExpression(unwrap(node.initializer))) {
      const call = unwrap(node.initializer) as TS.CallExpression;
      if (rootIs(resolvedChain(file, call.expression), '@clerk/', ['createRouteMatcher'])) {
        const unknown: string[] = [];
        const patterns = call.arguments[0] ? patternsOf(call.arguments[0], unknown, file) : [];
        out.set(node.name.text, unknown.length > 0 ? undefined : patterns);
      }
    }
  });
  return out;
}

function patternsOf(expression: TS.Expression, unknown: string[], file?: SourceFile): RegExp[] {
  const t = ts();
  let expr = unwrap(expression);
  if (t.isIdentifier(expr) && file) {
    // const protectedRoutes = ['/dashboard(.*)']; createRouteMatcher(protectedRoutes)
    let found: TS.Expression | undefined;
    walk(file.sf, (node) => {
      if (!found && t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.name.text === (expr as TS.Identifier).text && node.initializer) found = node.initializer;
    });
    if (found) expr = unwrap(found);
  }
  const items = t.isArrayLiteralExpression(expr) ? [...expr.elements] : [expr];
  const out: RegExp[] = [];
  for (const item of items) {
    const text = stringValue(item);
    const compiled = text === undefined ? undefined : compileRoutePattern(text);
    if (compiled) out.push(compiled);
    else unknown.push(`a route pattern it cannot read (${item.getText().slice(0, 40)})`);
  }
  return out;
}

function configMatcher(file: SourceFile, unknown: string[]): (path: string) => Tri {
  const t = ts();
  const config = file.exports.get('config');
  if (!config) return () => true;
  const expr = t.isExpression(config) ? unwrap(config) : undefined;
  if (!expr || !t.isObjectLiteralExpression(expr)) return () => true;
  for (const property of expr.properties) {
    if (!t.isPropertyAssignment(property) || propertyName(property.name) !== 'matcher') continue;
    const problems: string[] = [];
    const patterns = patternsOf(property.initializer, problems, file);
    if (problems.length > 0) {
      unknown.push(...problems.map((problem) => `config.matcher has ${problem}`));
      return () => undefined;
    }
    return (path) => patterns.some((pattern) => pattern.test(samplePath(path)));
  }
  return () => true;
}

/**
 * A path-to-regexp pattern as Clerk's createRouteMatcher and Next's matcher read it:
 * `(…)` groups are regular expressions, `:name` one segment, `:name*` / `:name+` / `:name?`
 * zero-or-more / one-or-more / optional segments.
 */
export function compileRoutePattern(pattern: string): RegExp | undefined {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '(') {
      let depth = 0;
      let j = i;
      for (; j < pattern.length; j++) {
        if (pattern[j] === '\\') {
          j++;
          continue;
        }
        if (pattern[j] === '(') depth++;
        else if (pattern[j] === ')' && --depth === 0) break;
      }
      if (depth !== 0) return undefined;
      source += pattern.slice(i, j + 1);
      i = j;
      const modifier = pattern[i + 1];
      if (modifier === '?' || modifier === '*' || modifier === '+') {
        source += modifier;
        i++;
      }
    } else if (ch === ':') {
      const name = /^:[A-Za-z_][A-Za-z0-9_]*/.exec(pattern.slice(i))?.[0] ?? ':';
      i += name.length - 1;
      const modifier = pattern[i + 1];
      const slash = source.endsWith('/');
      if (slash) source = source.slice(0, -1);
      if (modifier === '*') {
        source += '(?:/[^/]+)*';
        i++;
      } else if (modifier === '+') {
        source += '(?:/[^/]+)+';
        i++;
      } else if (modifier === '?') {
        source += '(?:/[^/]+)?';
        i++;
      } else source += `${slash ? '/' : ''}[^/]+`;
    } else if (ch === '*') source += '.*';
    else source += ch.replace(/[.+^${}|[\]\\?]/g, '\\$&');
  }
  try {
    return new RegExp(`^${source}/?$`, 'i');
  } catch {
    return undefined;
  }
}

/** A concrete URL for a route pattern: dynamic segments filled with sample values. */
export function samplePath(path: string): string {
  const filled = path
    .replace(/\/\[\[\.\.\.[^\]]+\]\]/g, '')
    .replace(/\[\.\.\.[^\]]+\]/g, 'a/b')
    .replace(/\[[^\]]+\]/g, '1')
    .replace(/:[A-Za-z_][A-Za-z0-9_]*[*+?]?/g, '1');
  return filled === '' ? '/' : filled;
}
