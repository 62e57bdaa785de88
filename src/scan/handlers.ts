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
    return { file, framework, label, path: route.path, ...(fn ? { fn } : {}), node, before: [] };
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
  // Names bound from session reads.
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
    }
    if (t.isCallExpression(node)) {
      const source = sessionCall(file, node);
      if (source) {
        result.reads = true;
        result.readNode ??= node;
        if (/verifyToken/.test(source)) {
          // verifyToken throws on a bad token: a call whose failure is not swallowed rejects.
          result.protects ||= !swallowed(node);
          if (result.protects) result.how ??= 'verifyToken()';
        }
      }
      const protect = isProtectCall(file, node, result.names);
      if (protect) {
        result.protects = true;
        result.reads = true;
        result.how ??= protect;
      }
    }
    if (t.isPropertyAccessExpression(node) && /^(req|request)$/.test(node.expression.getText()) && node.name.text === 'auth') {
      result.reads = true;
      result.readNode ??= node;
    }
  });
  if (result.protects) return result;
  // A guard: `if (!userId) return …` / `if (!user) redirect('/sign-in')` / `if (!getAuth(req).userId) …`.
  walk(fn.body, (node) => {
    if (result.protects) return false;
    if (t.isIfStatement(node) && mentionsSession(file, node.expression, result.names) && exits(node.thenStatement)) {
      result.protects = true;
      result.how ??= `a guard on ${node.expression.getText().slice(0, 40)}`;
      return false;
    }
    return undefined;
  });
  return result;
}

/**
 * Whether a condition tests that there is no session: `!userId`, `!user`, `userId == null`,
 * `!getAuth(req).userId`, `!isAuthenticated`. A condition on something else the session holds
 * (`user.publicMetadata.isAdmin`) is not such a test.
 */
function mentionsSession(file: SourceFile, expression: TS.Expression, names: Map<string, string>): boolean {
  const t = ts();
  const sessionValue = (node: TS.Expression): boolean => {
    const expr = unwrap(node);
    if (t.isIdentifier(expr)) return names.has(expr.text);
    if (t.isCallExpression(expr)) return sessionCall(file, expr) !== undefined;
    if (t.isPropertyAccessExpression(expr) && /^(userId|isAuthenticated|isSignedIn|sessionId|user|session)$/.test(expr.name.text)) {
      const base = unwrap(expr.expression);
      return sessionValue(base) || /auth/i.test(base.getText());
    }
    return false;
  };
  let found = false;
  walk(expression, (node) => {
    if (found) return false;
    if (t.isPrefixUnaryExpression(node) && node.operator === t.SyntaxKind.ExclamationToken && sessionValue(node.operand)) found = true;
    else if (t.isBinaryExpression(node) && /^(===|==|!==|!=)$/.test(node.operatorToken.getText())) {
      const nullish = (side: TS.Expression) => side.kind === t.SyntaxKind.NullKeyword || (t.isIdentifier(side) && side.text === 'undefined') || side.kind === t.SyntaxKind.FalseKeyword;
      if ((sessionValue(node.left) && nullish(node.right)) || (sessionValue(node.right) && nullish(node.left))) found = node.operatorToken.getText().startsWith('=');
    }
    return undefined;
  });
  return found;
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
