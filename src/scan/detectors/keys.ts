/**
 * Items 1, 2 and 10: where keys and signing secrets live.
 *   1  a secret under a public env prefix (env files, code); a secret read or written in a module
 *      that ships to the browser; a secret key literal in source; a secret key in a build
 *   2  a test key in production env files and builds; a publishable key of another instance
 *   10 a `whsec_` literal in code or committed files; a signing secret taken from a constant
 */
import type * as TS from 'typescript';
import { chainOf, stringValue, ts, unwrap } from '../ast';
import { at, atLine, atRoot, lineColumn, observation, type DetectorContext, type TextFile } from '../context';
import { findKeys, isSecretName, publicPrefix, publishableKeyHost, type KeyToken } from '../keys';
import { serverOnlyRanges } from '../project';
import { resolvedChain, rootIs, type SourceFile } from '../source';

export function detectKeys(context: DetectorContext): void {
  const before = { item1: 0 };
  const count = (rule: string) => (rule === 'keys-secret-server-only' ? before.item1++ : undefined);
  const report: DetectorContext['report'] = (value) => {
    if (value.status === 'fail') count(value.rule);
    context.report(value);
  };
  const local = { ...context, report };
  for (const file of context.texts) scanText(file, local);
  for (const file of context.project.files) scanSource(file, local);
  checkSigningSecrets(local);
  if (before.item1 === 0) {
    const clientCount = context.project.client.size;
    const build = context.builds.length > 0 ? `and the build (${context.builds.join(', ')})` : 'no build directory was given (--build)';
    report(
      observation(
        'keys-secret-server-only',
        'secret-key-placement',
        'pass',
        context.builds.length > 0 ? 'high' : 'medium',
        `no secret key under a public env prefix, in the ${clientCount} module${clientCount === 1 ? '' : 's'} bundled for the browser, or as a literal in source; ${build}`,
        atRoot(),
      ),
    );
  }
}

const PRODUCTION_ENV_FILE = /(^|\/)\.env\.production(\.local)?$/;
/** Next.js commits these by convention; `.env*.local` files are for machine-local secrets. */
const COMMITTED_ENV_FILE = /(^|\/)\.env(\.(development|production|test|example|sample|template|defaults|dist))?$/;

function scanText(file: TextFile, context: DetectorContext): void {
  if (file.kind === 'env' && !file.binary) scanEnvFile(file, context);
  // Source that could not be parsed is judged as source is: hard-coded for the app the baseline describes.
  const production = file.kind === 'build' || file.kind === 'source' ? context.policy.environmentType === 'production' : PRODUCTION_ENV_FILE.test(file.relative);
  // Whether an unparsed module ships to the browser is unknown: the finding says so instead of guessing.
  const unparsed = file.kind === 'source' ? ' (the file could not be parsed, so whether it ships to the browser was not determined)' : '';
  for (const key of findKeys(file.text)) {
    const { line, column } = lineColumn(file.text, key.index);
    const where = atLine(file.relative, line, column, `${key.kind}_…`);
    if (key.kind === 'sk_live' || key.kind === 'sk_test') {
      if (file.kind === 'build') {
        context.report(observation('keys-secret-server-only', 'secret-key-in-build', 'fail', 'high', `a ${key.kind}_ secret key is in the build output (${file.buildRoot ?? 'build'}): anyone who loads the bundle has full Backend API access`, where));
      } else if (file.kind === 'text' || file.kind === 'source') {
        context.report(observation('keys-secret-server-only', 'secret-key-literal', 'fail', 'high', `a ${key.kind}_ secret key is committed in ${file.relative}${unparsed}`, where));
      }
      if (key.kind === 'sk_test' && production) context.report(observation('keys-production-live', 'test-key-in-production', 'fail', 'high', `a test secret key (sk_test_) is ${file.kind === 'source' ? `hard-coded in ${file.relative} of a production app` : `configured for production in ${file.relative}`}`, where));
    } else if (key.kind === 'whsec') {
      if (file.kind === 'text' || file.kind === 'build' || file.kind === 'source' || (file.kind === 'env' && COMMITTED_ENV_FILE.test(file.relative))) {
        const why = file.kind === 'env' ? `${file.relative} is committed by convention; keep the secret in .env*.local or the host's environment` : `committed in ${file.relative}`;
        context.report(observation('webhook-secret-in-env', 'signing-secret-literal', 'fail', file.kind === 'env' ? 'medium' : 'high', `a whsec_ webhook signing secret is ${file.kind === 'build' ? `in the build output (${file.buildRoot ?? 'build'})` : why}`, where));
      }
    } else if (key.kind === 'pk_test' && production) {
      context.report(observation('keys-production-live', 'test-key-in-production', 'fail', 'high', `a test publishable key (pk_test_) is ${file.kind === 'build' ? 'in the production build' : `configured for production in ${file.relative}`}: the app talks to a development instance`, where));
    } else if (key.kind === 'pk_live' && (production || file.kind === 'env' || file.kind === 'source')) {
      checkPublishableHost(key, where, file.relative, context);
    }
  }
}

function scanEnvFile(file: TextFile, context: DetectorContext): void {
  const lines = file.text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(raw);
    if (!match) return;
    const name = match[1] as string;
    const value = (match[2] as string).trim().replace(/^(['"])(.*)\1$/, '$2');
    const prefix = publicPrefix(name);
    if (!prefix) return;
    const keys = findKeys(value);
    const secretValue = keys.some((key) => key.kind === 'sk_live' || key.kind === 'sk_test' || key.kind === 'whsec');
    if (isSecretName(name) || secretValue) {
      const where = atLine(file.relative, index + 1, 1, `${name}=[REDACTED]`);
      context.report(
        observation(
          'keys-secret-server-only',
          'secret-public-env',
          'fail',
          'high',
          `${name} ${secretValue ? 'holds a secret key' : 'names a secret'} under the public prefix ${prefix}: bundlers inline it into browser code`,
          where,
        ),
      );
    }
  });
}

function checkPublishableHost(key: KeyToken, where: ReturnType<typeof atLine>, relative: string, context: DetectorContext): void {
  const expected = context.policy.productionHost;
  const host = publishableKeyHost(key.tail);
  if (!host) {
    context.report(observation('keys-production-live', 'publishable-key-host', 'fail', 'medium', `a pk_live_ key in ${relative} does not decode to a Frontend API host`, where));
    return;
  }
  if (!expected) return;
  if (host === expected) context.report(observation('keys-production-live', 'publishable-key-host', 'pass', 'high', `the publishable key in ${relative} belongs to the production instance (${host})`, where));
  else context.report(observation('keys-production-live', 'publishable-key-host', 'fail', 'high', `the publishable key in ${relative} belongs to ${host}, not the production instance (${expected})`, where));
}

function scanSource(file: SourceFile, context: DetectorContext): void {
  const clientEntry = context.project.client.get(file.relative);
  const serverOnly = serverOnlyRanges(file);
  const clientAt = (node: TS.Node) => clientEntry !== undefined && !serverOnly.some((range) => node.pos >= range.pos && node.end <= range.end);
  const via = clientEntry && clientEntry !== file.relative ? ` (bundled for the browser through ${clientEntry})` : ' (a client module)';
  for (const read of file.envReads) {
    const prefix = publicPrefix(read.name);
    if (prefix && isSecretName(read.name)) {
      context.report(observation('keys-secret-server-only', 'secret-public-env', 'fail', 'high', `${read.name} names a secret under the public prefix ${prefix}: bundlers inline it into browser code`, at(file, read.node)));
    } else if (clientAt(read.node) && isSecretName(read.name)) {
      context.report(observation('keys-secret-server-only', 'secret-in-client', 'fail', 'high', `${read.name} is read in ${file.display}${via}`, at(file, read.node)));
    }
  }
  for (const literal of file.literals) {
    for (const key of findKeys(literal.text)) {
      const inClient = clientAt(literal.node);
      if (key.kind === 'sk_live' || key.kind === 'sk_test') {
        const message = inClient ? `a ${key.kind}_ secret key literal is in ${file.display}${via}` : `a ${key.kind}_ secret key literal is committed in ${file.display}`;
        context.report(observation('keys-secret-server-only', inClient ? 'secret-in-client' : 'secret-key-literal', 'fail', 'high', message, at(file, literal.node)));
        if (key.kind === 'sk_test' && context.policy.environmentType === 'production') {
          context.report(observation('keys-production-live', 'test-key-in-production', 'fail', 'medium', `a test secret key (sk_test_) is hard-coded in ${file.display} of a production app`, at(file, literal.node)));
        }
      } else if (key.kind === 'whsec') {
        context.report(observation('webhook-secret-in-env', 'signing-secret-literal', 'fail', 'high', `a whsec_ webhook signing secret literal is committed in ${file.display}`, at(file, literal.node)));
      } else if (key.kind === 'pk_test' && context.policy.environmentType === 'production') {
        context.report(observation('keys-production-live', 'test-key-in-production', 'fail', 'high', `a test publishable key (pk_test_) is hard-coded in ${file.display} of a production app`, at(file, literal.node)));
      } else if (key.kind === 'pk_live') {
        checkPublishableHost(key, at(file, literal.node), file.display, context);
      }
    }
  }
}

/** Item 10's second half: the secret handed to a verifier comes from the environment, not a constant. */
function checkSigningSecrets(context: DetectorContext): void {
  for (const file of context.project.files) {
    for (const node of file.news) {
      const chain = resolvedChain(file, node.expression);
      if (!rootIs(chain, ['svix', 'standardwebhooks', '@clerk/'], ['Webhook'])) continue;
      const secret = node.arguments?.[0];
      judgeSecret(file, node, secret, context);
    }
    for (const call of file.calls) {
      const chain = resolvedChain(file, call.expression);
      if (!rootIs(chain, '@clerk/', ['verifyWebhook'])) continue;
      const options = call.arguments[1];
      const t = ts();
      let secret: TS.Expression | undefined;
      if (options && t.isObjectLiteralExpression(options)) {
        for (const property of options.properties) {
          if (t.isPropertyAssignment(property) && property.name.getText() === 'signingSecret') secret = property.initializer;
          if (t.isShorthandPropertyAssignment(property) && property.name.text === 'signingSecret') secret = property.name;
        }
      }
      if (!secret) {
        context.report(observation('webhook-secret-in-env', 'signing-secret-source', 'pass', 'high', 'verifyWebhook reads the signing secret from CLERK_WEBHOOK_SIGNING_SECRET', at(file, call)));
      } else judgeSecret(file, call, secret, context);
    }
  }
}

function judgeSecret(file: SourceFile, site: TS.Node, secret: TS.Expression | undefined, context: DetectorContext): void {
  if (!secret) return;
  const origin = originOf(file, secret);
  if (origin === 'constant') {
    context.report(observation('webhook-secret-in-env', 'signing-secret-constant', 'fail', 'high', 'the webhook signing secret comes from a constant in code; read it from an environment variable', at(file, site)));
  } else if (origin === 'env') {
    context.report(observation('webhook-secret-in-env', 'signing-secret-source', 'pass', 'high', 'the webhook signing secret is read from the environment', at(file, site)));
  } else {
    context.report(observation('webhook-secret-in-env', 'signing-secret-source', 'not_verifiable', 'low', 'where the webhook signing secret comes from could not be followed', at(file, site)));
  }
}

/** Follows an expression through local `const` bindings to an env read or a literal. */
function originOf(file: SourceFile, expression: TS.Expression, depth = 0): 'env' | 'constant' | 'unknown' {
  const t = ts();
  const expr = unwrap(expression);
  if (depth > 8) return 'unknown';
  if (stringValue(expr) !== undefined || t.isTemplateExpression(expr)) return t.isTemplateExpression(expr) ? 'unknown' : 'constant';
  if (t.isBinaryExpression(expr) && (expr.operatorToken.kind === t.SyntaxKind.QuestionQuestionToken || expr.operatorToken.kind === t.SyntaxKind.BarBarToken)) {
    // `process.env.X ?? 'whsec_…'`: a literal fallback is still a secret in code.
    const right = originOf(file, expr.right, depth + 1);
    return right === 'constant' ? 'constant' : originOf(file, expr.left, depth + 1);
  }
  const chain = chainOf(expr);
  if (chain && ['process.env', 'import.meta.env', 'Deno.env', 'Bun.env'].some((env) => chain.join('.').startsWith(env))) return 'env';
  if (chain && chain.length >= 1 && /env|config|secret/i.test(chain[0] as string) && chain.length > 1) return 'env';
  if (t.isCallExpression(expr)) {
    const callee = chainOf(expr.expression)?.join('.') ?? '';
    if (/env|getSecret|secret|config/i.test(callee)) return 'env';
    return 'unknown';
  }
  if (t.isIdentifier(expr)) {
    const declaration = findConst(file, expr.text);
    if (declaration?.initializer) return originOf(file, declaration.initializer, depth + 1);
    const binding = file.imports.get(expr.text);
    if (binding && /env|config/i.test(binding.module)) return 'env';
  }
  return 'unknown';
}

function findConst(file: SourceFile, name: string): TS.VariableDeclaration | undefined {
  const t = ts();
  let found: TS.VariableDeclaration | undefined;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.name.text === name) {
      found = node;
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(file.sf);
  return found;
}
