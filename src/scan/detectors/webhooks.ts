/**
 * Items 9, 11 and 12: webhook handlers.
 *   9  verify the Svix signature (verifyWebhook, svix / standardwebhooks `Webhook#verify`) before
 *      the body is used, and never answer 2xx when verification throws
 *   11 de-duplicate deliveries on `svix-id` (or `webhook-id`)
 *   12 handle `user.deleted` by deleting or anonymizing when user data is stored
 */
import type * as TS from 'typescript';
import { chainOf, isFunction, stringValue, ts, unwrap, walk } from '../ast';
import { at, atRoot, observation, type DetectorContext } from '../context';
import { dataCalls, exits, isWebhookHandler, type Handler } from '../handlers';
import { resolvedChain, rootIs, type SourceFile } from '../source';

export function detectWebhooks(context: DetectorContext, handlers: readonly Handler[]): void {
  const { report } = context;
  const webhooks = handlers.filter((handler) => isWebhookHandler(handler) && handler.fn?.body);
  if (webhooks.length === 0) {
    const none = 'no webhook handler was found (looked for routes named *webhook*, handlers reading svix-* / webhook-* headers, verifyWebhook and Webhook#verify)';
    for (const rule of ['webhook-signature-verification', 'webhook-idempotency', 'webhook-user-deleted-pii'] as const) report(observation(rule, 'webhook-handler', 'not_verifiable', 'low', none, atRoot()));
    return;
  }
  let storesUserData: Handler | undefined;
  let deletedHandled = false;
  for (const handler of webhooks) {
    const body = handler.fn?.body as TS.Node;
    const name = `webhook ${handler.label} ${handler.path}`;
    const verify = verificationCall(handler.file, body, context);
    if (!verify) {
      report(observation('webhook-signature-verification', 'webhook-unverified', 'fail', 'high', `${name} never verifies the Svix signature before acting on the payload`, at(handler.file, handler.fn ?? handler.node)));
    } else {
      const early = bodyUseBefore(handler.file, body, verify);
      const swallow = answersOkOnFailure(verify);
      if (early) report(observation('webhook-signature-verification', 'webhook-body-before-verify', 'fail', 'high', `${name} reads the payload before verifying its signature`, at(handler.file, early)));
      if (swallow) report(observation('webhook-signature-verification', 'webhook-2xx-on-failure', 'fail', 'high', `${name} ${swallow} when signature verification fails; answer 400/401 so forgeries are rejected`, at(handler.file, verify)));
      if (!early && !swallow) report(observation('webhook-signature-verification', 'webhook-verified', 'pass', 'high', `${name} verifies the signature before using the payload and rejects on failure`, at(handler.file, verify)));
    }
    const dedupe = deduplicates(handler.file, body, verify);
    if (dedupe) report(observation('webhook-idempotency', 'webhook-dedupe', 'pass', 'medium', `${name} de-duplicates deliveries (${dedupe})`, at(handler.file, handler.fn ?? handler.node)));
    else report(observation('webhook-idempotency', 'webhook-no-dedupe', 'fail', 'medium', `${name} never uses svix-id (or webhook-id) to de-duplicate repeated deliveries`, at(handler.file, handler.fn ?? handler.node)));

    const events = eventBranches(body);
    const writes = dataCalls(handler.file, body).length > 0;
    if ((events.has('user.created') || events.has('user.updated')) && writes) storesUserData ??= handler;
    const deleted = events.get('user.deleted');
    if (deleted) {
      deletedHandled = true;
      const erases = deleted.some((branch) => dataCalls(handler.file, branch).some((call) => /delete|destroy|remove|anonymi[sz]e|erase|purge|update|upsert|scrub|redact/i.test(call.getText().slice(0, 200))));
      if (erases) report(observation('webhook-user-deleted-pii', 'user-deleted-handled', 'pass', 'medium', `${name} deletes or anonymizes data on user.deleted`, at(handler.file, deleted[0] as TS.Node)));
      else report(observation('webhook-user-deleted-pii', 'user-deleted-no-erase', 'fail', 'high', `${name} handles user.deleted without deleting or anonymizing anything`, at(handler.file, deleted[0] as TS.Node)));
    }
  }
  if (!deletedHandled) {
    if (storesUserData) {
      report(observation('webhook-user-deleted-pii', 'user-deleted-missing', 'fail', 'high', `webhook handler ${storesUserData.path} stores user data from user.created/user.updated, but no handler acts on user.deleted`, at(storesUserData.file, storesUserData.fn ?? storesUserData.node)));
    } else {
      report(observation('webhook-user-deleted-pii', 'user-deleted-handled', 'not_verifiable', 'low', 'the webhook handlers store no user data the scan can see, and none handles user.deleted', atRoot()));
    }
  }
}

/** The call that verifies a delivery, in the handler or in a local helper it calls. */
export function verificationCall(file: SourceFile, body: TS.Node, context?: DetectorContext, depth = 0): TS.CallExpression | undefined {
  const t = ts();
  let found: TS.CallExpression | undefined;
  walk(body, (node) => {
    if (found) return false;
    if (!t.isCallExpression(node)) return undefined;
    if (isVerifyCall(file, node)) {
      found = node;
      return false;
    }
    // A local helper that verifies: `const evt = await verifyClerkWebhook(req)`.
    if (depth < 2 && context) {
      const helper = helperFunction(file, node, context);
      if (helper?.fn.body && verificationCall(helper.file, helper.fn.body, context, depth + 1)) {
        found = node;
        return false;
      }
    }
    return undefined;
  });
  return found;
}

function isVerifyCall(file: SourceFile, call: TS.CallExpression): boolean {
  const t = ts();
  const chain = resolvedChain(file, call.expression);
  if (rootIs(chain, '@clerk/', ['verifyWebhook'])) return true;
  const callee = call.expression;
  if (!t.isPropertyAccessExpression(callee) || callee.name.text !== 'verify') return false;
  const object = unwrap(callee.expression);
  if (t.isNewExpression(object)) return rootIs(resolvedChain(file, object.expression), ['svix', 'standardwebhooks'], ['Webhook']);
  if (t.isIdentifier(object)) {
    // const wh = new Webhook(secret)
    let created = false;
    walk(file.sf, (node) => {
      if (created) return false;
      if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.name.text === object.text && node.initializer) {
        const init = unwrap(node.initializer);
        if (t.isNewExpression(init) && rootIs(resolvedChain(file, init.expression), ['svix', 'standardwebhooks'], ['Webhook'])) created = true;
      }
      return undefined;
    });
    return created;
  }
  return false;
}

function helperFunction(file: SourceFile, call: TS.CallExpression, context: DetectorContext): { file: SourceFile; fn: TS.FunctionLikeDeclaration } | undefined {
  const t = ts();
  const chain = chainOf(call.expression);
  if (!chain || chain.length !== 1) return undefined;
  const name = chain[0] as string;
  const find = (owner: SourceFile, local: string): TS.FunctionLikeDeclaration | undefined => {
    for (const statement of owner.sf.statements) {
      if (t.isFunctionDeclaration(statement) && statement.name?.text === local) return statement;
      if (t.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (t.isIdentifier(declaration.name) && declaration.name.text === local && declaration.initializer && isFunction(unwrap(declaration.initializer))) return unwrap(declaration.initializer) as TS.FunctionLikeDeclaration;
        }
      }
    }
    return undefined;
  };
  const local = find(file, name);
  if (local) return { file, fn: local };
  const binding = file.imports.get(name);
  if (!binding) return undefined;
  for (const target of context.project.graph.get(file.relative) ?? []) {
    const other = context.project.byPath.get(target);
    const fn = other ? find(other, binding.name) : undefined;
    if (other && fn) return { file: other, fn };
  }
  return undefined;
}

/** A use of the request body before `verify` runs: `req.json()`, `JSON.parse`, `req.body.x`. */
function bodyUseBefore(file: SourceFile, body: TS.Node, verify: TS.CallExpression): TS.Node | undefined {
  const t = ts();
  let found: TS.Node | undefined;
  walk(body, (node) => {
    if (found || node.getStart() >= verify.getStart()) return false;
    if (isFunction(node) && node !== body.parent) return false;
    if (t.isCallExpression(node)) {
      const chain = chainOf(node.expression);
      const last = chain?.[chain.length - 1];
      if (last === 'json' && chain && chain.length >= 2 && /^(req|request|c|ctx|context)$/i.test(chain[0] as string)) found = node;
      else if (chain?.join('.') === 'JSON.parse') found = node;
    } else if (t.isPropertyAccessExpression(node) && t.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'body' && /^(req|request)$/.test(node.expression.expression.getText())) {
      found = node;
    } else if (t.isVariableDeclaration(node) && t.isObjectBindingPattern(node.name) && node.initializer && /^(req|request)\.body$/.test(unwrap(node.initializer).getText())) {
      found = node;
    }
    return undefined;
  });
  // JSON.parse of the verified payload inside the verify arguments is not an early use.
  if (found && found.pos >= verify.pos && found.end <= verify.end) return undefined;
  void file;
  return found;
}

/** How the handler answers when verification throws, if that answer is a success. */
function answersOkOnFailure(verify: TS.CallExpression): string | undefined {
  const t = ts();
  let current: TS.Node | undefined = verify.parent;
  while (current && !isFunction(current)) {
    if (t.isTryStatement(current) && current.catchClause && verify.pos >= current.tryBlock.pos && verify.end <= current.tryBlock.end) {
      const block = current.catchClause.block;
      if (!exits(block)) return 'carries on';
      const status = catchStatus(block);
      if (status !== undefined && status >= 200 && status < 300) return `answers ${status}`;
      return undefined;
    }
    current = current.parent;
  }
  return undefined;
}

/** The HTTP status the first response in a catch block answers with (200 when none is named). */
function catchStatus(block: TS.Block): number | undefined {
  const t = ts();
  let status: number | undefined;
  let responded = false;
  walk(block, (node) => {
    if (responded) return false;
    if (t.isThrowStatement(node)) {
      responded = true;
      return false;
    }
    if (t.isNewExpression(node) && /^(Response|NextResponse)$/.test(node.expression.getText())) {
      responded = true;
      status = statusOption(node.arguments?.[1]) ?? 200;
      return false;
    }
    if (t.isCallExpression(node)) {
      const chain = chainOf(node.expression);
      const last = chain?.[chain.length - 1] ?? '';
      const joined = chain?.join('.') ?? '';
      if (/^(NextResponse|Response)\.json$/.test(joined)) {
        responded = true;
        status = statusOption(node.arguments[1]) ?? 200;
        return false;
      }
      if (last === 'status' || last === 'sendStatus' || last === 'code') {
        responded = true;
        const value = node.arguments[0];
        status = value && t.isNumericLiteral(value) ? Number(value.text) : undefined;
        return false;
      }
      if (/^(json|send|end|text|body)$/.test(last) && chain && chain.length >= 2 && /^(res|response|reply|c|ctx)$/.test(chain[0] as string)) {
        responded = true;
        // res.status(401).json(…): the status call earlier in the chain decides.
        const earlier = statusInChain(node.expression);
        const second = node.arguments[1];
        status = earlier ?? (second && t.isNumericLiteral(second) ? Number(second.text) : 200);
        return false;
      }
    }
    if (t.isReturnStatement(node) && !node.expression) {
      responded = true;
      status = 200;
      return false;
    }
    return undefined;
  });
  return status;
}

function statusInChain(expression: TS.Expression): number | undefined {
  const t = ts();
  let current: TS.Expression = expression;
  for (let i = 0; i < 8; i++) {
    if (t.isPropertyAccessExpression(current)) current = current.expression;
    else if (t.isCallExpression(current)) {
      const name = t.isPropertyAccessExpression(current.expression) ? current.expression.name.text : '';
      const value = current.arguments[0];
      if ((name === 'status' || name === 'code') && value && t.isNumericLiteral(value)) return Number(value.text);
      current = current.expression;
    } else return undefined;
  }
  return undefined;
}

function statusOption(options: TS.Expression | undefined): number | undefined {
  const t = ts();
  if (!options || !t.isObjectLiteralExpression(options)) return undefined;
  for (const property of options.properties) {
    if (t.isPropertyAssignment(property) && property.name.getText() === 'status' && t.isNumericLiteral(property.initializer)) return Number(property.initializer.text);
  }
  return undefined;
}

/** How a handler de-duplicates, or undefined: svix-id used beyond verification, or a dedupe helper. */
function deduplicates(file: SourceFile, body: TS.Node, verify: TS.CallExpression | undefined): string | undefined {
  const t = ts();
  const idNames = new Set<string>();
  let direct: string | undefined;
  walk(body, (node) => {
    const literal = stringValue(node);
    if (literal === 'svix-id' || literal === 'webhook-id') {
      // The header read (`headers.get('svix-id')`, `req.headers['svix-id']`), then where its value goes.
      const read: TS.Node = node.parent;
      let up: TS.Node | undefined = read.parent;
      for (let i = 0; i < 6 && up; i++, up = up.parent) {
        if (t.isVariableDeclaration(up)) {
          if (t.isIdentifier(up.name)) idNames.add(up.name.text);
          break;
        }
        if (t.isPropertyAssignment(up) && /svix-|webhook-/.test(up.name.getText())) break;
        if (t.isCallExpression(up) && up !== read) {
          if (!isVerifyArgument(up, verify) && dataLike(up)) direct = `${literal} passed to ${chainOf(up.expression)?.join('.') ?? 'a call'}`;
          break;
        }
        if (t.isStatement(up)) break;
      }
    }
    return undefined;
  });
  if (direct) return direct;
  let used: string | undefined;
  walk(body, (node) => {
    if (used) return false;
    if (t.isIdentifier(node) && idNames.has(node.text) && !t.isVariableDeclaration(node.parent)) {
      if (verify && node.pos >= verify.pos && node.end <= verify.end) return undefined;
      const parent = node.parent;
      // `'svix-id': svixId` in a headers object handed to verify, or `if (!svixId)` presence checks, do not dedupe.
      if (t.isPropertyAssignment(parent) && /svix-|webhook-/.test(parent.name.getText())) return undefined;
      if (t.isShorthandPropertyAssignment(parent)) return undefined;
      if (t.isPrefixUnaryExpression(parent) || (t.isBinaryExpression(parent) && /\|\||&&/.test(parent.operatorToken.getText()))) return undefined;
      const call = enclosingCall(node);
      if (call && !isVerifyArgument(call, verify)) used = `${node.text} used in ${chainOf(call.expression)?.join('.') ?? 'a call'}`;
    }
    return undefined;
  });
  if (used) return used;
  // Case-sensitive on purpose: `WebhookEvent` the type is not `webhookEvent` the table.
  const helper = /\b(idempot[a-zA-Z]*|[dD]edup[a-zA-Z]*|alreadyProcessed|markProcessed|processedEvents?|webhookEvents?|webhookDeliver(?:y|ies)|seenEvents?)\b/.exec(body.getText());
  return helper ? `calls ${helper[0]}…` : undefined;
}

function isVerifyArgument(call: TS.CallExpression, verify: TS.CallExpression | undefined): boolean {
  return verify !== undefined && call.pos >= verify.pos && call.end <= verify.end;
}

function dataLike(call: TS.CallExpression): boolean {
  return !/^(headers|req|request)\b/.test(call.expression.getText());
}

function enclosingCall(node: TS.Node): TS.CallExpression | undefined {
  const t = ts();
  let current: TS.Node | undefined = node.parent;
  for (let i = 0; i < 8 && current && !isFunction(current); i++, current = current.parent) {
    if (t.isCallExpression(current)) return current;
    if (t.isBlock(current) || t.isIfStatement(current)) return undefined;
  }
  return undefined;
}

/** Event type → the branches (if-then blocks, switch cases) that handle it. */
function eventBranches(body: TS.Node): Map<string, TS.Node[]> {
  const t = ts();
  const out = new Map<string, TS.Node[]>();
  const add = (event: string, node: TS.Node) => out.set(event, [...(out.get(event) ?? []), node]);
  walk(body, (node) => {
    if (t.isIfStatement(node)) {
      walk(node.expression, (inner) => {
        const literal = stringValue(inner);
        if (literal && /^(user|session|organization|organizationMembership)\.[a-z_]+$/.test(literal)) add(literal, node.thenStatement);
      });
    } else if (t.isCaseClause(node)) {
      const literal = stringValue(node.expression);
      if (literal && /^[a-zA-Z]+\.[a-z_]+$/.test(literal)) {
        // Fall-through cases share the next non-empty body.
        const clauses = (node.parent as TS.CaseBlock).clauses;
        let index = clauses.indexOf(node);
        while (index < clauses.length - 1 && (clauses[index] as TS.CaseOrDefaultClause).statements.length === 0) index++;
        add(literal, clauses[index] as TS.Node);
      }
    } else if (t.isPropertyAssignment(node) && stringValue(node.name as TS.Expression) !== undefined) {
      // Handler maps: { 'user.deleted': async (data) => … }
      const literal = stringValue(node.name as TS.Expression) as string;
      if (/^(user|session|organization)\.[a-z_]+$/.test(literal)) add(literal, node.initializer);
    }
  });
  return out;
}
