/**
 * Item 7: every server entry point that needs a user verifies the session server-side — through
 * the middleware's `auth.protect()`, route middleware such as `requireAuth()`, or a check in
 * the handler that rejects without a user. A middleware that only looks at the session
 * cookie's presence is itself a finding.
 */
import type * as TS from 'typescript';
import { chainOf, isFunction, ts, unwrap, walk } from '../ast';
import { at, atRoot, observation, type DetectorContext } from '../context';
import { dataCalls, isWebhookHandler, localDeclaration, sessionUse, taggedQueries, type Handler } from '../handlers';
import type { MiddlewareModel } from '../middleware';
import { resolvedChain, rootIs, type SourceFile } from '../source';

/** Paths that are public by design (sign-in, health checks…); webhooks are item 9's. */
const PUBLIC_PATH = /(^|\/)(sign-?in|sign-?up|login|logout|register|signup|webhooks?|health(z|check)?|status|ping|public|robots|sitemap|favicon|og|opengraph-image|manifest|_next)(\/|$|\.|\[)/i;
/** Paths that hold a user's or a tenant's data by name. */
const PRIVATE_PATH = /(^|\/)(admin|dashboard|account|settings|billing|profile|me|internal|org|orgs|organization|organizations|team|teams|workspace|workspaces|private|user|users)(\/|$)/i;

export function detectRoutes(context: DetectorContext, handlers: readonly Handler[], middlewares: readonly MiddlewareModel[]): void {
  const { report } = context;
  let judged = 0;
  for (const middleware of middlewares) {
    if (!middleware.cookieOnly) continue;
    report(observation('session-server-side-verification', 'cookie-only-middleware', 'fail', 'high', `the middleware in ${middleware.file.display} only checks that a session cookie is present; a cookie is trivially forged — use clerkMiddleware() with auth.protect()`, at(middleware.file, middleware.cookieOnly)));
    judged++;
  }
  const cookieMiddlewares = new Set<TS.Node>();
  for (const handler of handlers) {
    if (isWebhookHandler(handler)) continue;
    // Route middleware that only checks the cookie (Express) is reported once, where it is defined.
    for (const step of handler.before) {
      const fn = middlewareFunction(step.file, step.expression) ?? importedFunction(step.file, step.expression, context);
      if (fn && !cookieMiddlewares.has(fn) && cookieOnly(fn)) {
        cookieMiddlewares.add(fn);
        const owner = context.project.files.find((candidate) => candidate.sf === fn.getSourceFile()) ?? step.file;
        report(observation('session-server-side-verification', 'cookie-only-middleware', 'fail', 'high', 'this middleware only checks that a session cookie is present; verify it with requireAuth()/getAuth() or verifyToken()', at(owner, fn)));
        judged++;
      }
    }
    const outcome = judge(handler, middlewares, context);
    if (!outcome) continue;
    judged++;
    report(observation('session-server-side-verification', outcome.check, outcome.status, outcome.confidence, outcome.message, at(handler.file, handler.fn ?? handler.node)));
  }
  if (judged === 0) {
    const count = handlers.filter((handler) => !isWebhookHandler(handler)).length;
    report(
      observation(
        'session-server-side-verification',
        'route-protection',
        'not_verifiable',
        'low',
        count === 0 ? 'no server route handler, page, server action or API route was found to check' : `none of the ${count} server entry points reads a session or user data, so none was judged`,
        atRoot(),
      ),
    );
  }
}

interface Outcome {
  check: string;
  status: 'pass' | 'fail' | 'not_verifiable';
  confidence: 'high' | 'medium' | 'low';
  message: string;
}

/**
 * The middleware Next.js runs for a route: the one beside its `app/`/`pages/` folder (Next.js
 * "src Directory": with `src/app`, only `src/middleware.ts` runs; a root `middleware.ts` is ignored).
 */
function middlewareFor(handler: Handler, middlewares: readonly MiddlewareModel[]): { model?: MiddlewareModel; note: string } {
  const model = middlewares.find((candidate) => candidate.base === (handler.base ?? ''));
  if (model) return { model, note: '' };
  const elsewhere = middlewares[0];
  if (!elsewhere) return { note: '; there is no middleware' };
  const routerFolder = `${handler.base ?? ''}${handler.framework === 'next-pages' ? 'pages' : 'app'}`;
  return { note: `; ${elsewhere.file.display} does not run for it: with the routes in ${routerFolder}/, Next.js only runs ${handler.base ?? ''}middleware.ts (or proxy.ts) beside that folder` };
}

function judge(handler: Handler, middlewares: readonly MiddlewareModel[], context: DetectorContext): Outcome | undefined {
  const name = `${handler.label} ${handler.path === '(server action)' ? `in ${handler.file.display}` : handler.path}`;
  const use = sessionUse(handler.file, handler.fn);
  if (use.protects) return { check: 'route-protection', status: 'pass', confidence: 'high', message: `${name} verifies the session (${use.how ?? 'auth check'})` };
  const routeMiddleware = handler.before.find((step) => protectingMiddleware(step.file, step.expression, context));
  if (routeMiddleware) return { check: 'route-protection', status: 'pass', confidence: 'high', message: `${name} runs behind ${routeMiddleware.expression.getText().slice(0, 40)}` };
  const nextRoute = handler.framework === 'next-app' || handler.framework === 'next-pages';
  let middlewareNote = '';
  const paired = nextRoute ? middlewareFor(handler, middlewares) : { note: '' };
  const middleware = paired.model;
  if (nextRoute && !middleware) middlewareNote = paired.note;
  if (nextRoute && middleware && middleware.kind !== 'none' && middleware.kind !== 'custom') {
    const runs = middleware.runsFor(handler.path);
    const protects = middleware.protects(handler.path);
    if (runs === true && protects === true) return { check: 'route-protection', status: 'pass', confidence: 'high', message: `${name} is protected by the middleware (${middleware.file.display})` };
    if (runs === undefined || protects === undefined) middlewareNote = `; whether the middleware protects it could not be decided (${middleware.unknown[0] ?? 'unreadable matcher'})`;
    else if (runs === false) middlewareNote = '; the middleware matcher does not run for this path';
    else middlewareNote = '; the middleware does not protect this path';
  }
  if (PUBLIC_PATH.test(handler.path)) return undefined;
  // Does it need a user? It reads the session, touches data, or lives under a private-looking path.
  const body = handler.fn?.body;
  const touchesData = body !== undefined && (dataCalls(handler.file, body).length > 0 || taggedQueries(body).length > 0 || usesClerkClient(handler.file, body));
  const privatePath = PRIVATE_PATH.test(handler.path) || (handler.framework === 'server-action' && touchesData);
  if (use.weak?.kind === 'after-data') {
    return { check: 'data-before-session-check', status: 'fail', confidence: 'high', message: `${name} touches data before it checks the session: ${use.weak.detail}${middlewareNote}` };
  }
  if (use.weak?.kind === 'conditional') {
    // Who controls the condition decides whether the check can be skipped: not decidable here.
    return { check: 'session-check-conditional', status: 'not_verifiable', confidence: 'medium', message: `${name} checks the session only for some requests (${use.weak.detail}); whether a signed-out request reaches its data could not be decided${middlewareNote}` };
  }
  if (use.reads) {
    return { check: 'session-not-enforced', status: 'fail', confidence: 'high', message: `${name} reads the session but never rejects a request without one${middlewareNote}` };
  }
  if (touchesData) return { check: 'unprotected-route', status: 'fail', confidence: privatePath ? 'high' : 'medium', message: `${name} reads or writes data without a server-side session check${middlewareNote}` };
  if (privatePath && handler.fn) return { check: 'unprotected-route', status: 'fail', confidence: 'low', message: `${name} looks private but has no server-side session check${middlewareNote}` };
  return undefined;
}

function usesClerkClient(file: SourceFile, body: TS.Node): boolean {
  const t = ts();
  let found = false;
  walk(body, (node) => {
    if (found) return false;
    if (t.isCallExpression(node) && rootIs(resolvedChain(file, node.expression), '@clerk/', ['clerkClient', 'createClerkClient'])) found = true;
    return undefined;
  });
  return found;
}

function middlewareFunction(file: SourceFile, expression: TS.Expression): TS.Node | undefined {
  const t = ts();
  const expr = unwrap(expression);
  if (isFunction(expr)) return expr;
  if (t.isIdentifier(expr)) {
    const declaration = localDeclaration(file, expr.text);
    if (declaration && isFunction(declaration)) return declaration;
    if (declaration && t.isVariableDeclaration(declaration) && declaration.initializer && isFunction(unwrap(declaration.initializer))) return unwrap(declaration.initializer);
  }
  return undefined;
}

function cookieOnly(fn: TS.Node): boolean {
  const text = fn.getText();
  return /__session|__client_uat|cookies\s*\[|cookies\.(get|has)\(|headers\.cookie/.test(text) && !/verifyToken|authenticateRequest|getAuth|requireAuth|jwtVerify|\.verify\(/.test(text);
}

/** `requireAuth()`, or a local/imported middleware whose body checks the session and rejects. */
function protectingMiddleware(file: SourceFile, expression: TS.Expression, context: DetectorContext): boolean {
  const t = ts();
  const expr = unwrap(expression);
  if (t.isCallExpression(expr)) {
    const chain = resolvedChain(file, expr.expression);
    if (rootIs(chain, ['@clerk/', '@hono/clerk-auth'], ['requireAuth'])) return true;
    // clerkMiddleware() only attaches auth; it protects nothing.
    if (rootIs(chain, ['@clerk/', '@hono/clerk-auth'], ['clerkMiddleware', 'clerkPlugin'])) return false;
  }
  const fn = middlewareFunction(file, expr) ?? importedFunction(file, expr, context);
  if (!fn || !isFunction(fn)) return false;
  const owner = context.project.files.find((candidate) => candidate.sf === fn.getSourceFile()) ?? file;
  return sessionUse(owner, fn).protects && !cookieOnly(fn);
}

function importedFunction(file: SourceFile, expression: TS.Expression, context: DetectorContext): TS.Node | undefined {
  const t = ts();
  const chain = chainOf(expression);
  const name = chain?.[0]?.replace(/\(\)$/, '');
  if (!name) return undefined;
  const binding = file.imports.get(name);
  if (!binding) return undefined;
  for (const target of context.project.graph.get(file.relative) ?? []) {
    const other = context.project.byPath.get(target);
    if (!other) continue;
    const exported = other.exports.get(binding.name === 'default' ? 'default' : binding.name);
    if (!exported) continue;
    if (isFunction(exported)) return exported;
    if (t.isExpression(exported) && isFunction(unwrap(exported))) return unwrap(exported);
    if (t.isVariableDeclaration(exported) && exported.initializer && isFunction(unwrap(exported.initializer))) return unwrap(exported.initializer);
    // A factory: export function requireUser() { return (req, res, next) => … }
    if (t.isFunctionDeclaration(exported) && exported.body) {
      let inner: TS.Node | undefined;
      walk(exported.body, (node) => {
        if (!inner && t.isReturnStatement(node) && node.expression && isFunction(unwrap(node.expression))) inner = unwrap(node.expression);
      });
      return inner ?? exported;
    }
  }
  return undefined;
}
