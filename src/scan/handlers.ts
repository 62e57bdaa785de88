/**
 * Server entry points of an application and what their code does with the session:
 *   - Next.js App Router route handlers, pages and server actions; Pages Router API routes and
 *     getServerSideProps;
 *   - Express / Hono / Fastify routes (`app.get('/x', …)`, `fastify.route({…})`), with the
 *     middleware that runs before them (route arguments, earlier `app.use`, mounted routers).
 * `sessionUse` says whether a function verifies the session and rejects without one.
 */
import type * as TS from 'typescript';
import { boundNames, chainOf, isFunction, propertyName, stringValue, ts, unwrap, walk, type FunctionNode } from './ast';
import type { NextRoute, Project } from './project';
import { SessionScope, type SourceKind } from './session';
import { resolvedChain, rootIs, type SourceFile } from './source';

export type Framework = 'next-app' | 'next-pages' | 'server-action' | 'express' | 'hono' | 'fastify';

export interface Handler {
  file: SourceFile;
  framework: Framework;
  /** What it is: `route-handler GET`, `page`, `api-route`, `getServerSideProps`, `server action`, `POST`. */
  label: string;
  /** URL path it serves (`/api/items/[id]`), or `(server action)`. */
  path: string;
  /** The function's node; undefined when the handler is defined elsewhere and could not be followed. */
  fn?: FunctionNode;
  /** Where to point at. */
  node: TS.Node;
  /** Middleware expressions that run before it, in order (Express/Hono/Fastify). */
  before: { expression: TS.Expression; file: SourceFile }[];
  /** Next.js routes: the folder holding their `app/`/`pages/` folder, which pairs them with a middleware. */
  base?: string;
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const ROUTER_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'options', 'head']);

export function findHandlers(project: Project): Handler[] {
  const handlers: Handler[] = [];
  for (const route of project.routes) handlers.push(...nextHandlers(route));
  for (const file of project.files) handlers.push(...inlineServerActions(file));
  handlers.push(...serverRoutes(project));
  return handlers;
}

function functionOf(file: SourceFile, node: TS.Node | undefined, depth = 0): FunctionNode | undefined {
  const t = ts();
  if (!node || depth > 4) return undefined;
  if (isFunction(node)) return node;
  if (t.isVariableDeclaration(node)) return functionOf(file, node.initializer, depth + 1);
  if (t.isExportSpecifier(node)) return functionOf(file, localDeclaration(file, (node.propertyName ?? node.name).text), depth + 1);
  if (t.isExpression(node)) {
    const expr = unwrap(node);
    if (isFunction(expr)) return expr;
    if (t.isIdentifier(expr)) return functionOf(file, localDeclaration(file, expr.text), depth + 1);
    // withSomething(handler): the wrapped function is what runs.
    if (t.isCallExpression(expr)) {
      for (const argument of expr.arguments) {
        const inner = functionOf(file, argument, depth + 1);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

/** A top-level function or const of this name in the file. */
export function localDeclaration(file: SourceFile, name: string): TS.Node | undefined {
  const t = ts();
  for (const statement of file.sf.statements) {
    if (t.isFunctionDeclaration(statement) && statement.name?.text === name) return statement;
    if (t.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (t.isIdentifier(declaration.name) && declaration.name.text === name) return declaration;
    }
  }
  return undefined;
}

function nextHandlers(route: NextRoute): Handler[] {
  const { file } = route;
  const make = (label: string, node: TS.Node, framework: Framework = 'next-app'): Handler => {
    const fn = functionOf(file, node);
    return { file, framework, label, path: route.path, ...(fn ? { fn } : {}), node, before: [], ...(route.base === undefined ? {} : { base: route.base }) };
  };
  switch (route.kind) {
    case 'route-handler':
      return HTTP_METHODS.filter((method) => file.exports.has(method)).map((method) => make(`route handler ${method}`, file.exports.get(method) as TS.Node));
    case 'page': {
      const page = file.exports.get('default');
      // A client page renders in the browser: its data comes from route handlers, checked there.
      return page && !file.directives.includes('use client') ? [make('page', page)] : [];
    }
    case 'api-route': {
      const handler = file.exports.get('default');
      return handler ? [make('API route', handler, 'next-pages')] : [];
    }
    case 'pages-page': {
      const data = file.exports.get('getServerSideProps');
      return data ? [make('getServerSideProps', data, 'next-pages')] : [];
    }
    case 'server-action':
      return [...file.exports.entries()]
        .filter(([, node]) => functionOf(file, node) !== undefined)
        .map(([name, node]) => ({ ...make(`server action ${name}`, node, 'server-action'), path: '(server action)' }));
    default:
      return [];
  }
}

/** Functions with their own `'use server'` directive, in files that are not server-action modules. */
function inlineServerActions(file: SourceFile): Handler[] {
  if (file.directives.includes('use server') || !file.text.includes('use server')) return [];
  const t = ts();
  const out: Handler[] = [];
  walk(file.sf, (node) => {
    if (isFunction(node) && node.body && t.isBlock(node.body)) {
      const first = node.body.statements[0];
      if (first && t.isExpressionStatement(first) && t.isStringLiteral(first.expression) && first.expression.text === 'use server') {
        out.push({ file, framework: 'server-action', label: `server action ${functionName(node) ?? '(inline)'}`, path: '(server action)', fn: node, node, before: [] });
      }
    }
  });
  return out;
}

function functionName(fn: FunctionNode): string | undefined {
  const t = ts();
  if (fn.name && t.isIdentifier(fn.name)) return fn.name.text;
  if (t.isVariableDeclaration(fn.parent) && t.isIdentifier(fn.parent.name)) return fn.parent.name.text;
  return undefined;
}

// --- Express / Hono / Fastify ---------------------------------------------------------------

type ServerKind = 'express' | 'hono' | 'fastify';

interface RouterObject {
  file: SourceFile;
  name: string;
  kind: ServerKind;
}

/** Identifiers bound to `express()`, `Router()`, `new Hono()`, `Fastify()` in a file. */
function routerObjects(file: SourceFile): RouterObject[] {
  const t = ts();
  const out: RouterObject[] = [];
  // Only files that load a server framework can create one: skip the walk everywhere else.
  if (![...file.imports.values()].some((binding) => /^(express|hono|fastify)(\/|$)/.test(binding.module)) && !/fastify/i.test(file.text)) return out;
  walk(file.sf, (node) => {
    if (!t.isVariableDeclaration(node) || !t.isIdentifier(node.name) || !node.initializer) return;
    const init = unwrap(node.initializer);
    const callee = t.isCallExpression(init) || t.isNewExpression(init) ? init.expression : undefined;
    if (!callee) return;
    const chain = resolvedChain(file, callee);
    if (!chain) return;
    const head = chain.join('.');
    if (/^express#(default|\*)(\.Router)?$/.test(head) || /^express#Router$/.test(head) || head === 'express') out.push({ file, name: node.name.text, kind: 'express' });
    else if (/^hono(\/[a-z-]+)?#Hono$/.test(head)) out.push({ file, name: node.name.text, kind: 'hono' });
    else if (/^fastify#(default|\*|fastify)$/.test(head)) out.push({ file, name: node.name.text, kind: 'fastify' });
  });
  // Fastify plugins receive the instance as a parameter: `export default async function (fastify) { fastify.get(…) }`.
  if (/fastify/i.test(file.text)) {
    walk(file.sf, (node) => {
      if (isFunction(node)) {
        const first = node.parameters[0];
        if (first && t.isIdentifier(first.name) && /^(fastify|app|server|instance)$/.test(first.name.text) && /fastify/i.test(file.text)) out.push({ file, name: first.name.text, kind: 'fastify' });
      }
    });
  }
  return out;
}

interface UseCall {
  object: string;
  prefix?: string;
  args: TS.Expression[];
  position: number;
}

function serverRoutes(project: Project): Handler[] {
  const handlers: Handler[] = [];
  // Mounted routers: app.use('/api', requireAuth(), apiRouter) → the routes in apiRouter's file.
  const mounts = new Map<string, { prefix: string; before: { expression: TS.Expression; file: SourceFile }[] }[]>();
  const perFile = project.files.map((file) => ({ file, objects: routerObjects(file) }));
  for (const { file, objects } of perFile) {
    if (objects.length === 0) continue;
    const names = new Set(objects.map((object) => object.name));
    const uses = useCalls(file, names);
    for (const use of uses) {
      const last = use.args[use.args.length - 1];
      if (!last) continue;
      const target = ts().isIdentifier(unwrap(last)) ? (unwrap(last) as TS.Identifier).text : undefined;
      const binding = target ? file.imports.get(target) : undefined;
      if (!binding) continue;
      const resolved = project.graph.get(file.relative)?.find((candidate) => sameModule(file, binding.module, candidate));
      if (!resolved) continue;
      const globals = uses.filter((other) => other.object === use.object && other.position < use.position && other.prefix === undefined).flatMap((other) => other.args);
      const list = mounts.get(resolved) ?? [];
      list.push({ prefix: use.prefix ?? '', before: [...globals, ...use.args.slice(0, -1)].map((expression) => ({ expression, file })) });
      mounts.set(resolved, list);
    }
  }
  for (const { file, objects } of perFile) {
    if (objects.length === 0) continue;
    const names = new Map(objects.map((object) => [object.name, object.kind]));
    const uses = useCalls(file, new Set(names.keys()));
    const mountedAt = mounts.get(file.relative) ?? [{ prefix: '', before: [] }];
    for (const call of file.calls) {
      const callee = call.expression;
      if (!ts().isPropertyAccessExpression(callee)) continue;
      const objectChain = chainOf(callee.expression);
      const object = objectChain?.[0];
      const kind = object === undefined ? undefined : names.get(object);
      if (!kind || objectChain?.length !== 1) continue;
      const method = callee.name.text;
      const route = method === 'route' && kind === 'fastify' ? fastifyRouteObject(call) : ROUTER_METHODS.has(method) || (kind === 'hono' && method === 'on') ? plainRoute(call, method) : undefined;
      if (!route) continue;
      const earlier = uses.filter((use) => use.object === object && use.position < call.getStart() && (use.prefix === undefined || route.path.startsWith(use.prefix.replace(/\*$/, '').replace(/\/$/, ''))));
      for (const mount of mountedAt) {
        const fn = route.handler ? functionOf(file, route.handler) : undefined;
        handlers.push({
          file,
          framework: kind,
          label: `${route.method.toUpperCase()} route`,
          path: joinPath(mount.prefix, route.path),
          ...(fn ? { fn } : {}),
          node: call,
          before: [...mount.before, ...earlier.flatMap((use) => use.args.map((expression) => ({ expression, file }))), ...route.before.map((expression) => ({ expression, file }))],
        });
      }
    }
  }
  return handlers;
}

function sameModule(file: SourceFile, spec: string, candidate: string): boolean {
  if (!spec.startsWith('.') && !spec.startsWith('@/') && !spec.startsWith('~/')) return false;
  const base = spec.replace(/^[@~]\//, '').replace(/\.(js|ts|mjs|cjs|jsx|tsx)$/, '');
  const tail = base.split('/').filter((segment) => segment !== '.' && segment !== '..').join('/');
  return candidate.replace(/\.(js|ts|mjs|cjs|jsx|tsx|mts|cts)$/, '').replace(/\/index$/, '').endsWith(tail) && file.relative !== candidate;
}

function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  return `${prefix.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`.replace(/\/$/, '') || '/';
}

function useCalls(file: SourceFile, objects: Set<string>): UseCall[] {
  const t = ts();
  const out: UseCall[] = [];
  for (const call of file.calls) {
    const callee = call.expression;
    if (!t.isPropertyAccessExpression(callee)) continue;
    const object = chainOf(callee.expression);
    if (!object || object.length !== 1 || !objects.has(object[0] as string)) continue;
    const method = callee.name.text;
    if (method === 'use' || method === 'addHook' || method === 'register') {
      const args = [...call.arguments];
      const first = stringValue(args[0]);
      if (method === 'addHook') {
        if (first === 'preHandler' || first === 'onRequest' || first === 'preValidation') out.push({ object: object[0] as string, args: args.slice(1), position: call.getStart() });
      } else if (first !== undefined) out.push({ object: object[0] as string, prefix: first, args: args.slice(1), position: call.getStart() });
      else out.push({ object: object[0] as string, args, position: call.getStart() });
    } else if (method === 'route' && call.arguments.length === 2 && stringValue(call.arguments[0]) !== undefined) {
      // Hono: app.route('/prefix', subApp) mounts like express's app.use.
      out.push({ object: object[0] as string, prefix: stringValue(call.arguments[0]) as string, args: [call.arguments[1] as TS.Expression], position: call.getStart() });
    }
  }
  return out;
}

interface PlainRoute {
  method: string;
  path: string;
  handler?: TS.Expression;
  before: TS.Expression[];
}

function plainRoute(call: TS.CallExpression, method: string): PlainRoute | undefined {
  const t = ts();
  const args = [...call.arguments];
  const path = stringValue(args[0]);
  if (path === undefined || !(path.startsWith('/') || path === '*')) return undefined;
  const rest = args.slice(1);
  const handler = rest[rest.length - 1];
  const before: TS.Expression[] = [];
  for (const argument of rest.slice(0, -1)) {
    // Fastify's route options: { preHandler: [...] }
    if (t.isObjectLiteralExpression(argument)) {
      for (const property of argument.properties) {
        if (t.isPropertyAssignment(property) && ['preHandler', 'onRequest', 'preValidation'].includes(propertyName(property.name) ?? '')) {
          const value = unwrap(property.initializer);
          if (t.isArrayLiteralExpression(value)) before.push(...value.elements);
          else before.push(value);
        }
      }
    } else if (t.isArrayLiteralExpression(argument)) before.push(...argument.elements);
    else before.push(argument);
  }
  return { method, path, ...(handler ? { handler } : {}), before };
}

function fastifyRouteObject(call: TS.CallExpression): PlainRoute | undefined {
  const t = ts();
  const options = call.arguments[0];
  if (!options || !t.isObjectLiteralExpression(options)) return undefined;
  let method = 'route';
  let path: string | undefined;
  let handler: TS.Expression | undefined;
  const before: TS.Expression[] = [];
  for (const property of options.properties) {
    if (!t.isPropertyAssignment(property) && !t.isMethodDeclaration(property)) continue;
    const name = propertyName(property.name);
    if (t.isMethodDeclaration(property)) {
      if (name === 'handler') handler = property as unknown as TS.Expression;
      continue;
    }
    const value = unwrap(property.initializer);
    if (name === 'url' || name === 'path') path = stringValue(value);
    else if (name === 'method') method = stringValue(value) ?? method;
    else if (name === 'handler') handler = value;
    else if (name === 'preHandler' || name === 'onRequest' || name === 'preValidation') {
      if (t.isArrayLiteralExpression(value)) before.push(...value.elements);
      else before.push(value);
    }
  }
  return path === undefined ? undefined : { method, path, ...(handler ? { handler } : {}), before };
}

// --- What a function does with the session -----------------------------------------------------

export interface SessionUse {
  /** The function verifies the session and rejects (or redirects) without one. */
  protects: boolean;
  /** It reads the session (auth(), currentUser(), getAuth(), req.auth, verifyToken). */
  reads: boolean;
  /** How it protects, for messages. */
  how?: string;
  /** Local names bound from the session: userId, orgId, user, has, … */
  names: Map<string, string>;
  /** The first session read, for pointing at. */
  readNode?: TS.Node;
  /**
   * A session check that does not protect the function: it comes after data access (the data
   * call already ran for signed-out requests), or only some requests reach it.
   */
  weak?: { kind: 'after-data' | 'conditional'; node: TS.Node; detail: string };
}

const SESSION_SOURCES = ['auth', 'currentUser', 'getAuth', 'authenticateRequest', 'verifyToken', 'requireAuth'];
const EXIT_CALLS = /^(redirect|permanentRedirect|notFound|unauthorized|forbidden|redirectToSignIn|redirectToSignUp)$/;

/** Whether a call reads the session; returns a label. */
export function sessionCall(file: SourceFile, call: TS.CallExpression): string | undefined {
  const chain = resolvedChain(file, call.expression);
  if (!chain) return undefined;
  if (rootIs(chain, ['@clerk/', '@hono/clerk-auth'], SESSION_SOURCES)) return chain.join('.');
  const last = chain[chain.length - 1] ?? '';
  if (/^(authenticateRequest|verifyToken)$/.test(last)) return chain.join('.');
  // req.auth() in @clerk/express 2.x
  if (chain.length === 2 && /^(req|request)$/.test(chain[0] as string) && chain[1] === 'auth') return 'req.auth()';
  return undefined;
}

export function isProtectCall(file: SourceFile, call: TS.CallExpression, names?: Map<string, string>): string | undefined {
  const chain = resolvedChain(file, call.expression);
  if (!chain) return undefined;
  const last = (chain[chain.length - 1] ?? '').replace(/\(\)$/, '');
  const head = chain[0] ?? '';
  if (last === 'protect' && (head.includes('#auth') || head === 'auth' || head === 'auth()' || (names && names.has(head.replace(/\(\)$/, ''))))) return 'auth.protect()';
  if (chain.length === 1 && head === 'protect' && names?.has('protect')) return 'auth.protect()';
  if (last === 'redirectToSignIn' && (chain.length > 1 || names?.has('redirectToSignIn'))) return 'redirectToSignIn()';
  return undefined;
}

const sessionUseCache = new WeakMap<FunctionNode, SessionUse>();

export function sessionUse(file: SourceFile, fn: FunctionNode | undefined): SessionUse {
  if (!fn?.body) return { protects: false, reads: false, names: new Map() };
  const cached = sessionUseCache.get(fn);
  if (cached) return cached;
  const result = computeSessionUse(file, fn);
  sessionUseCache.set(fn, result);
  return result;
}

function computeSessionUse(file: SourceFile, fn: FunctionNode): SessionUse {
  const result: SessionUse = { protects: false, reads: false, names: new Map() };
  if (!fn.body) return result;
  const t = ts();
  const scope = new SessionScope((call) => sessionSourceKind(file, call));
  // What the function reads from the session, nested functions included (names feed item 13).
  walk(fn.body, (node) => {
    if (t.isVariableDeclaration(node) && node.initializer) {
      const init = unwrap(node.initializer);
      const source = t.isCallExpression(init) ? sessionCall(file, init) : undefined;
      const fromReqAuth = !source && (chainOf(init)?.join('.') ?? '').match(/^(req|request|c)\.(auth|get\(\)|var)$/);
      if (source || fromReqAuth) {
        result.reads = true;
        result.readNode ??= node;
        for (const bound of boundNames(node.name)) result.names.set(bound.local, bound.property ?? bound.local);
      }
      scope.declare(node);
    }
    if (t.isCallExpression(node) && (sessionCall(file, node) || isProtectCall(file, node, result.names))) {
      result.reads = true;
      result.readNode ??= node;
    }
    if (t.isPropertyAccessExpression(node) && /^(req|request)$/.test(node.expression.getText()) && node.name.text === 'auth') {
      result.reads = true;
      result.readNode ??= node;
    }
  });
  // Only a check that every request passes before the function touches data protects it: a
  // statement of the function's own body (not a callback), unconditional, ahead of any data call.
  let touched: TS.Node | undefined;
  for (const statement of sequence(fn.body)) {
    const guard = guardOf(file, statement, scope, result.names);
    if (guard) {
      // A data call in the guard's own statement runs before (or alongside) the check too.
      const early = touched ?? dataAccess(file, t.isIfStatement(statement) ? statement.expression : statement);
      if (early) {
        result.weak = { kind: 'after-data', node: early, detail: `${guard.how} comes after ${describeData(early)}` };
        return result;
      }
      result.protects = true;
      result.how = guard.how;
      return result;
    }
    const conditional = result.weak ? undefined : conditionalCheck(file, statement, scope, result.names);
    if (conditional) result.weak = { kind: 'conditional', node: conditional.node, detail: conditional.how };
    touched ??= dataAccess(file, statement);
  }
  return result;
}

/**
 * The statements every call of the function runs in order: its body, with plain blocks and
 * `try` blocks flattened in place (a check in a `try` still runs first; whether its failure is
 * swallowed is judged per call). An expression body is one statement.
 */
function sequence(body: TS.ConciseBody): TS.Node[] {
  const t = ts();
  if (!t.isBlock(body)) return [body];
  const out: TS.Node[] = [];
  const add = (statements: readonly TS.Statement[], depth: number) => {
    for (const statement of statements) {
      if (depth < 8 && t.isBlock(statement)) add(statement.statements, depth + 1);
      else if (depth < 8 && t.isTryStatement(statement)) {
        add(statement.tryBlock.statements, depth + 1);
        if (statement.finallyBlock) add(statement.finallyBlock.statements, depth + 1);
      } else out.push(statement);
    }
  };
  add(body.statements, 0);
  return out;
}

interface Guard {
  how: string;
}

/**
 * A statement that rejects every signed-out request before anything after it runs:
 * `await auth.protect()` / `const { userId } = await auth.protect()` (not inside a condition,
 * a callback or a try that swallows its failure), `verifyToken()` likewise, or
 * `if (<true for every signed-out request>) <leave>` (`if (!userId) return …`).
 */
function guardOf(file: SourceFile, statement: TS.Node, session: SessionScope, names: Map<string, string>): Guard | undefined {
  const t = ts();
  if (t.isIfStatement(statement)) {
    const signedOut = session.signedOutTruth(statement.expression);
    if (signedOut === true && leavesAlways(statement.thenStatement)) return { how: `a guard on ${oneLine(statement.expression)}` };
    // if (userId) { … } else return …: signed-out requests take the branch that leaves.
    if (signedOut === false && statement.elseStatement && leavesAlways(statement.elseStatement)) return { how: `a guard on ${oneLine(statement.expression)}` };
  }
  // An if's condition runs for every request; its branches do not.
  const scope = t.isIfStatement(statement) ? statement.expression : statement;
  let found: Guard | undefined;
  walk(scope, (node) => {
    if (found) return false;
    if (node !== scope && isFunction(node)) return false;
    if (!t.isCallExpression(node) || !unconditionalIn(node, scope) || swallowed(node)) return undefined;
    const how = checkCall(file, node, names);
    if (how) found = { how };
    return undefined;
  });
  return found;
}

/** A call that rejects a signed-out request (auth.protect(), redirectToSignIn(), verifyToken()): how it is named in messages. */
function checkCall(file: SourceFile, call: TS.CallExpression, names: Map<string, string>): string | undefined {
  return isProtectCall(file, call, names) ?? (/verifyToken/.test(sessionCall(file, call) ?? '') ? 'verifyToken()' : undefined);
}

/** A session check inside the statement that only some requests reach (`if (x) await auth.protect()`). */
function conditionalCheck(file: SourceFile, statement: TS.Node, scope: SessionScope, names: Map<string, string>): { node: TS.Node; how: string } | undefined {
  const t = ts();
  let found: { node: TS.Node; how: string } | undefined;
  walk(statement, (node) => {
    if (found) return false;
    if (node !== statement && isFunction(node)) return false;
    // A check whose failure a catch swallows protects nothing, conditional or not.
    if (t.isCallExpression(node) && !swallowed(node)) {
      const protect = checkCall(file, node, names);
      if (protect) found = { node, how: `${protect} runs only ${conditionOf(node, statement)}` };
    } else if (t.isIfStatement(node) && node !== statement && scope.signedOutTruth(node.expression) === true && leavesAlways(node.thenStatement)) {
      found = { node, how: `the guard on ${oneLine(node.expression)} runs only ${conditionOf(node, statement)}` };
    }
    return undefined;
  });
  return found;
}

/** Whether every execution of `statement` reaches `node` (no branch, loop, callback or short-circuit between). */
function unconditionalIn(node: TS.Node, statement: TS.Node): boolean {
  const t = ts();
  let child: TS.Node = node;
  for (let current = node.parent; current && child !== statement; child = current, current = current.parent) {
    if (isFunction(current)) return false;
    if (t.isIfStatement(current) && child !== current.expression) return false;
    if (t.isConditionalExpression(current) && child !== current.condition) return false;
    if (t.isBinaryExpression(current) && child === current.right && isShortCircuit(current.operatorToken.kind)) return false;
    if (t.isIterationStatement(current, false) || t.isSwitchStatement(current) || t.isCatchClause(current) || t.isCaseClause(current) || t.isDefaultClause(current)) return false;
    if ((t.isPropertyAccessExpression(current) || t.isElementAccessExpression(current) || t.isCallExpression(current)) && current.questionDotToken !== undefined && child !== current.expression) return false;
  }
  return child === statement;
}

function isShortCircuit(kind: TS.SyntaxKind): boolean {
  const t = ts();
  return kind === t.SyntaxKind.AmpersandAmpersandToken || kind === t.SyntaxKind.BarBarToken || kind === t.SyntaxKind.QuestionQuestionToken || kind === t.SyntaxKind.AmpersandAmpersandEqualsToken || kind === t.SyntaxKind.BarBarEqualsToken || kind === t.SyntaxKind.QuestionQuestionEqualsToken;
}

/** "when <condition>" for the nearest condition around `node`, for messages. */
function conditionOf(node: TS.Node, statement: TS.Node): string {
  const t = ts();
  let child: TS.Node = node;
  for (let current = node.parent; current && child !== statement; child = current, current = current.parent) {
    if (t.isIfStatement(current) && child !== current.expression) return `when ${child === current.elseStatement ? 'not ' : ''}${oneLine(current.expression)}`;
    if (t.isConditionalExpression(current) && child !== current.condition) return `when ${child === current.whenFalse ? 'not ' : ''}${oneLine(current.condition)}`;
    if (t.isBinaryExpression(current) && child === current.right && isShortCircuit(current.operatorToken.kind)) return `after ${oneLine(current.left)}`;
    if (t.isIterationStatement(current, false)) return 'inside a loop';
    if (t.isCaseClause(current) || t.isDefaultClause(current)) return 'in one switch case';
    if (t.isCatchClause(current)) return 'when something failed';
  }
  if (t.isIfStatement(statement)) return `when ${oneLine(statement.expression)}`;
  return 'under a condition';
}

/** Whether a branch always leaves: its own statements return, throw, redirect or answer 401/403. */
function leavesAlways(statement: TS.Node, depth = 0): boolean {
  const t = ts();
  if (depth > 8) return false;
  if (t.isBlock(statement)) return statement.statements.some((inner) => leavesAlways(inner, depth + 1));
  if (t.isReturnStatement(statement) || t.isThrowStatement(statement)) return true;
  if (t.isIfStatement(statement)) return statement.elseStatement !== undefined && leavesAlways(statement.thenStatement, depth + 1) && leavesAlways(statement.elseStatement, depth + 1);
  if (t.isExpressionStatement(statement)) {
    const expr = unwrap(statement.expression);
    if (!t.isCallExpression(expr)) return false;
    const chain = chainOf(expr.expression) ?? [];
    return chain.some((part) => {
      const name = part.replace(/\(\)$/, '');
      return EXIT_CALLS.test(name) || /^(sendStatus|status|code)$/.test(name);
    });
  }
  return false;
}

/** The first data access in a node (a database client, a tagged sql query, clerkClient), callbacks included. */
function dataAccess(file: SourceFile, node: TS.Node): TS.Node | undefined {
  const t = ts();
  let found: TS.Node | undefined;
  walk(node, (inner) => {
    if (found) return false;
    if (t.isCallExpression(inner) && (isDataCall(file, inner) || rootIs(resolvedChain(file, inner.expression), '@clerk/', ['clerkClient', 'createClerkClient']))) found = inner;
    else if (t.isTaggedTemplateExpression(inner) && /^(sql|db\.sql|pool\.sql)$/i.test(inner.tag.getText())) found = inner;
    return undefined;
  });
  return found;
}

function describeData(node: TS.Node): string {
  const line = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;
  return `${oneLine(node, 50)} (line ${line})`;
}

function oneLine(node: TS.Node, max = 40): string {
  const text = node.getText().replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What a session source returns: the Auth object, a request state, the user, token claims. */
function sessionSourceKind(file: SourceFile, call: TS.CallExpression): SourceKind | undefined {
  const label = sessionCall(file, call);
  if (!label) return undefined;
  const last = (label.split(/[.#]/).pop() ?? '').replace(/\(\)$/, '');
  if (last === 'currentUser') return 'user';
  if (last === 'authenticateRequest') return 'request-state';
  if (last === 'verifyToken') return 'claims';
  if (last === 'requireAuth') return 'other';
  return 'auth';
}

/** Whether a statement leaves the function or answers: return, throw, redirect(), res.status(401)… */
export function exits(statement: TS.Node): boolean {
  const t = ts();
  let found = false;
  walk(statement, (node) => {
    if (found) return false;
    if (isFunction(node)) return false;
    if (t.isReturnStatement(node) || t.isThrowStatement(node)) found = true;
    else if (t.isCallExpression(node)) {
      const chain = chainOf(node.expression);
      const last = (chain?.[chain.length - 1] ?? '').replace(/\(\)$/, '');
      if (EXIT_CALLS.test(last) || /^(sendStatus|status|code)$/.test(last)) found = true;
    }
    return undefined;
  });
  return found;
}

/** A call inside a try whose catch neither rethrows nor answers: its failure is swallowed. */
function swallowed(node: TS.Node): boolean {
  const t = ts();
  let current: TS.Node | undefined = node.parent;
  while (current && !isFunction(current)) {
    if (t.isTryStatement(current) && current.catchClause && node.pos >= current.tryBlock.pos && node.end <= current.tryBlock.end) {
      return !exits(current.catchClause.block);
    }
    current = current.parent;
  }
  return false;
}

// --- Data access -------------------------------------------------------------------------------

const DATA_MODULES = /^(@prisma\/client|drizzle-orm|pg|postgres|mysql2?|mongoose|mongodb|@supabase\/supabase-js|knex|kysely|@vercel\/(postgres|kv)|redis|ioredis|@upstash\/redis|@planetscale\/database|better-sqlite3|sqlite3?|@neondatabase\/serverless|typeorm|sequelize|@libsql\/client|firebase-admin)/;
const DATA_LOCAL = /(^|\/)(db|database|prisma|drizzle|supabase|sql|kv|redis|models?|repositories|repository|store|data)(\/|$|\.|-)/i;
const DATA_ROOTS = new Set(['db', 'prisma', 'sql', 'knex', 'pool', 'pg', 'supabase', 'drizzle', 'mongo', 'mongoose', 'redis', 'kv', 'database', 'repo', 'repository', 'collection', 'orm', 'tx', 'trx', 'firestore', 'dynamo', 'store']);

/** Calls that read or write application data: the outermost call of each chain. */
export function dataCalls(file: SourceFile, root: TS.Node): TS.CallExpression[] {
  const t = ts();
  const out: TS.CallExpression[] = [];
  walk(root, (node) => {
    if (!t.isCallExpression(node)) return undefined;
    if (isDataCall(file, node)) {
      out.push(outermost(node));
      return false;
    }
    return undefined;
  });
  return [...new Set(out)];
}

export function isDataCall(file: SourceFile, call: TS.CallExpression): boolean {
  const t = ts();
  let expr: TS.Expression = call.expression;
  // Walk down a fluent chain to its root: db.select().from(x).where(y)
  for (let i = 0; i < 16; i++) {
    if (t.isPropertyAccessExpression(expr) || t.isElementAccessExpression(expr)) expr = expr.expression;
    else if (t.isCallExpression(expr)) expr = expr.expression;
    else if (t.isParenthesizedExpression(expr) || t.isAwaitExpression(expr) || t.isNonNullExpression(expr)) expr = expr.expression;
    else break;
  }
  if (!t.isIdentifier(expr)) return false;
  const name = expr.text;
  if (expr === call.expression) {
    // A bare call: sql`…` tagged templates are TaggedTemplateExpressions, not calls; `query(...)` imported from a db module is.
    const binding = file.imports.get(name);
    return binding !== undefined && (DATA_MODULES.test(binding.module) || DATA_LOCAL.test(binding.module)) && !/^(auth|currentUser)$/.test(name);
  }
  if (DATA_ROOTS.has(name.toLowerCase())) return true;
  const binding = file.imports.get(name);
  return binding !== undefined && (DATA_MODULES.test(binding.module) || DATA_LOCAL.test(binding.module));
}

function outermost(call: TS.CallExpression): TS.CallExpression {
  const t = ts();
  let current: TS.CallExpression = call;
  for (let i = 0; i < 16; i++) {
    const parent = current.parent;
    if (parent && (t.isPropertyAccessExpression(parent) || t.isElementAccessExpression(parent)) && parent.parent && t.isCallExpression(parent.parent) && parent.parent.expression === parent) current = parent.parent;
    else break;
  }
  return current;
}

/** Tagged `sql\`…\`` templates count as data access too. */
export function taggedQueries(root: TS.Node): TS.TaggedTemplateExpression[] {
  const t = ts();
  const out: TS.TaggedTemplateExpression[] = [];
  walk(root, (node) => {
    if (t.isTaggedTemplateExpression(node) && /^(sql|db\.sql|pool\.sql)$/i.test(node.tag.getText())) out.push(node);
  });
  return out;
}

/** Webhook handlers: by path, by Svix/Standard Webhooks headers, or by verification calls. */
export function isWebhookHandler(handler: Handler): boolean {
  if (/webhook/i.test(handler.path) || /webhook/i.test(handler.file.relative)) return true;
  const body = handler.fn?.body;
  if (!body) return false;
  const text = body.getText();
  return /svix-(id|signature|timestamp)|webhook-(id|signature)|verifyWebhook|\.verify\(/.test(text);
}
