/**
 * What a session value is for a signed-out request, so a condition can be judged by what it does
 * to the visitor a guard exists for. Clerk's facts (docs/scan.md cites them):
 *
 *   - `auth()` / `getAuth(req)` / `req.auth` always return the Auth object, signed in or not;
 *     signed out, its `userId`, `sessionId` and `sessionClaims` are null and `isAuthenticated`
 *     is false (Clerk, "Auth object" and `auth()` references). `!session` is never true.
 *   - `currentUser()` resolves to null when nobody is signed in.
 *   - `authenticateRequest()` returns a request state whose `isSignedIn` / `isAuthenticated` are
 *     false when signed out.
 *
 * A condition counts as "true for every signed-out request" only when these values decide it
 * (`!userId`, `userId == null`, `!userId || !orgId`); anything else it leaves undecided.
 */
import type * as TS from 'typescript';
import { boundNames, ts, unwrap } from './ast';

/** What a local holds when it came from the session. */
export type SessionBinding =
  /** The whole Auth object: an object signed in or not. */
  | { kind: 'auth' }
  /** authenticateRequest()'s request state. */
  | { kind: 'request-state' }
  /** A value that is null (userId, currentUser(), sessionClaims) or false (isAuthenticated) when signed out. */
  | { kind: 'value'; signedOut: null | false | undefined }
  /** Something else the session holds (orgId, has, protect, redirectToSignIn): says nothing about sign-in. */
  | { kind: 'other' };

/** What a session source call returns, by the source's name. */
export type SourceKind = 'auth' | 'request-state' | 'user' | 'claims' | 'other';

/** The signed-out value of an expression: a JS value class, or unknown. */
type SignedOut = null | false | undefined | 'truthy' | 'unknown';

const AUTH_NULL = new Set(['userId', 'sessionId', 'sessionClaims']);
const AUTH_FALSE = new Set(['isAuthenticated']);
const STATE_FALSE = new Set(['isSignedIn', 'isAuthenticated']);
/** Bound on the nesting a condition is followed through (hand-written conditions are shallow). */
const MAX_DEPTH = 48;

export class SessionScope {
  readonly bindings = new Map<string, SessionBinding>();

  /** `sourceOf` says whether a call reads the session and what it returns. */
  constructor(private readonly sourceOf: (call: TS.CallExpression) => SourceKind | undefined) {}

  /**
   * Records what a declaration binds when its initializer is a session read or derives from one
   * (`const { userId } = await auth()`, `const uid = session.userId`, `const { userId } = session`).
   * Returns whether it bound anything from the session.
   */
  declare(declaration: TS.VariableDeclaration): boolean {
    const t = ts();
    if (!declaration.initializer) return false;
    const init = unwrap(declaration.initializer);
    const whole = this.wholeKind(init);
    if (whole !== undefined) {
      if (t.isIdentifier(declaration.name)) this.bindings.set(declaration.name.text, wholeBinding(whole));
      else for (const bound of boundNames(declaration.name)) this.bindings.set(bound.local, memberBinding(whole, bound.property ?? bound.local));
      return true;
    }
    const value = this.signedOut(init, 0);
    if (t.isIdentifier(declaration.name) && (value === null || value === false || value === undefined)) {
      this.bindings.set(declaration.name.text, { kind: 'value', signedOut: value });
      return true;
    }
    return false;
  }

  /** Whether the value of `expression` is the whole Auth object / request state / user / claims. */
  private wholeKind(expression: TS.Expression): SourceKind | undefined {
    const t = ts();
    const expr = unwrap(expression);
    if (t.isCallExpression(expr)) return this.sourceOf(expr);
    if (t.isIdentifier(expr)) {
      const binding = this.bindings.get(expr.text);
      if (binding?.kind === 'auth') return 'auth';
      if (binding?.kind === 'request-state') return 'request-state';
    }
    return undefined;
  }

  /** True/false when the session alone decides `condition` for a signed-out request; else undefined. */
  signedOutTruth(condition: TS.Expression): boolean | undefined {
    const value = this.signedOut(condition, 0);
    if (value === 'unknown') return undefined;
    return value === 'truthy';
  }

  private signedOut(expression: TS.Expression, depth: number): SignedOut {
    const t = ts();
    if (depth > MAX_DEPTH) return 'unknown';
    const expr = unwrap(expression);
    if (t.isIdentifier(expr)) {
      const binding = this.bindings.get(expr.text);
      if (!binding) return 'unknown';
      if (binding.kind === 'value') return binding.signedOut;
      return binding.kind === 'other' ? 'unknown' : 'truthy';
    }
    if (t.isCallExpression(expr)) {
      const kind = this.sourceOf(expr);
      if (kind === 'user') return null;
      return kind === 'auth' || kind === 'request-state' ? 'truthy' : 'unknown';
    }
    if (t.isPropertyAccessExpression(expr)) return this.member(expr, depth);
    if (t.isPrefixUnaryExpression(expr) && expr.operator === t.SyntaxKind.ExclamationToken) {
      const inner = this.signedOut(expr.operand, depth + 1);
      if (inner === 'unknown') return 'unknown';
      return inner === 'truthy' ? false : 'truthy';
    }
    if (t.isBinaryExpression(expr)) {
      const operator = expr.operatorToken.kind;
      if (operator === t.SyntaxKind.AmpersandAmpersandToken || operator === t.SyntaxKind.BarBarToken) {
        const left = this.signedOut(expr.left, depth + 1);
        const right = () => this.signedOut(expr.right, depth + 1);
        if (operator === t.SyntaxKind.AmpersandAmpersandToken) {
          if (left !== 'unknown') return left === 'truthy' ? right() : left;
          const r = right();
          return r !== 'unknown' && r !== 'truthy' ? false : 'unknown';
        }
        if (left !== 'unknown') return left === 'truthy' ? 'truthy' : right();
        return right() === 'truthy' ? 'truthy' : 'unknown';
      }
      if (operator === t.SyntaxKind.EqualsEqualsToken || operator === t.SyntaxKind.EqualsEqualsEqualsToken || operator === t.SyntaxKind.ExclamationEqualsToken || operator === t.SyntaxKind.ExclamationEqualsEqualsToken) {
        return this.comparison(expr, depth);
      }
    }
    return 'unknown';
  }

  /** `session.userId`, `getAuth(req).userId`, `state.isSignedIn`, `claims?.sub`, `user?.id`. */
  private member(expr: TS.PropertyAccessExpression, depth: number): SignedOut {
    const t = ts();
    const name = expr.name.text;
    const base = unwrap(expr.expression);
    const baseKind = this.wholeKind(base) ?? (isRequestAuth(base) ? 'auth' : undefined);
    if (baseKind === 'auth' || baseKind === 'request-state') return memberSignedOut(baseKind, name);
    // Optional chaining on a value that is null when signed out: `user?.id`, `sessionClaims?.sub`.
    const baseValue = this.signedOut(base, depth + 1);
    if ((baseValue === null || baseValue === undefined) && (expr.questionDotToken !== undefined || t.isOptionalChain(expr))) return undefined;
    return 'unknown';
  }

  private comparison(expr: TS.BinaryExpression, depth: number): SignedOut {
    const t = ts();
    const literal = (node: TS.Expression): { value: null | undefined | boolean } | undefined => {
      const e = unwrap(node);
      if (e.kind === t.SyntaxKind.NullKeyword) return { value: null };
      if (t.isIdentifier(e) && e.text === 'undefined') return { value: undefined };
      if (e.kind === t.SyntaxKind.FalseKeyword) return { value: false };
      if (e.kind === t.SyntaxKind.TrueKeyword) return { value: true };
      return undefined;
    };
    const rightLiteral = literal(expr.right);
    const leftLiteral = literal(expr.left);
    const side = rightLiteral ? this.signedOut(expr.left, depth + 1) : leftLiteral ? this.signedOut(expr.right, depth + 1) : 'unknown';
    const other = rightLiteral ?? leftLiteral;
    if (!other || side === 'unknown' || side === 'truthy') return 'unknown';
    const operator = expr.operatorToken.kind;
    const equal = operator === t.SyntaxKind.EqualsEqualsToken || operator === t.SyntaxKind.ExclamationEqualsToken ? side == other.value : side === other.value;
    const negated = operator === t.SyntaxKind.ExclamationEqualsToken || operator === t.SyntaxKind.ExclamationEqualsEqualsToken;
    return equal !== negated ? 'truthy' : false;
  }
}

function wholeBinding(kind: SourceKind): SessionBinding {
  if (kind === 'auth') return { kind: 'auth' };
  if (kind === 'request-state') return { kind: 'request-state' };
  if (kind === 'user' || kind === 'claims') return { kind: 'value', signedOut: null };
  return { kind: 'other' };
}

function memberBinding(kind: SourceKind, property: string): SessionBinding {
  if (kind !== 'auth' && kind !== 'request-state') return { kind: 'other' };
  const signedOut = memberSignedOut(kind, property);
  return signedOut === 'unknown' ? { kind: 'other' } : { kind: 'value', signedOut };
}

/** A member of the Auth object or request state when signed out; `unknown` when it says nothing about sign-in. */
function memberSignedOut(kind: 'auth' | 'request-state', property: string): null | false | 'unknown' {
  if (kind === 'auth') return AUTH_NULL.has(property) ? null : AUTH_FALSE.has(property) ? false : 'unknown';
  return STATE_FALSE.has(property) ? false : 'unknown';
}

/** `req.auth` / `request.auth` (Express, Fastify): the Auth object clerkMiddleware attached. */
function isRequestAuth(expr: TS.Expression): boolean {
  const t = ts();
  return t.isPropertyAccessExpression(expr) && expr.name.text === 'auth' && t.isIdentifier(expr.expression) && /^(req|request)$/.test(expr.expression.text);
}
