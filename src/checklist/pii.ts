/**
 * The one PII-claim detector: checklist item 16 (`jwt-claims-minimal`) and drift's
 * classification of claim changes (`src/drift/classify.ts`) both ask it, so a claim that fails
 * the checklist is also a high-severity drift change, and the other way round.
 *
 * A claim carries PII when its name is an email or phone name, or when a string anywhere in its
 * value holds a Clerk shortcode for one (`{{user.primary_email_address}}`), at any depth: inside
 * nested objects and inside arrays (`"contact": ["{{user.primary_phone_number}}"]`).
 */
import { formatPath, type JsonPath } from '../settings/paths';
import { PII_CLAIM_NAMES, PII_SHORTCODES } from './thresholds';

/**
 * Claims are user data read from a file or an answer whose nesting is already capped (64 levels);
 * the walk is iterative anyway and stops at this many nodes, reporting what it found so far plus
 * the place it stopped, so an oversized template is never "no PII".
 */
const MAX_NODES = 100_000;

/** Paths (formatted, relative to `value`) of the claims in `value` that carry PII, in document order. */
export function piiClaimPaths(value: unknown): string[] {
  const found: string[] = [];
  const stack: { value: unknown; path: JsonPath; named?: true }[] = [{ value, path: [] }];
  let visited = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (++visited > MAX_NODES) {
      found.push(`${formatPath(node.path) || '(root)'} (not examined: more than ${MAX_NODES} values)`);
      break;
    }
    const children: { value: unknown; path: JsonPath; named?: true }[] = [];
    if (node.named) found.push(formatPath(node.path));
    else if (typeof node.value === 'string') {
      if (PII_SHORTCODES.some((code) => (node.value as string).includes(code))) found.push(formatPath(node.path));
    } else if (Array.isArray(node.value)) {
      node.value.forEach((item, index) => children.push({ value: item, path: [...node.path, index] }));
    } else if (node.value !== null && typeof node.value === 'object') {
      for (const [key, child] of Object.entries(node.value)) {
        // A PII name is a finding whatever it holds: its value is not examined.
        children.push({ value: child, path: [...node.path, key], ...(isPiiClaimName(key) ? { named: true as const } : {}) });
      }
    }
    // Reversed onto the stack so results come out in document order.
    for (let index = children.length - 1; index >= 0; index--) stack.push(children[index]!);
  }
  return found;
}

/** Whether a value (a whole claims object, one claim's value, a list) carries PII anywhere. */
export function hasPii(value: unknown): boolean {
  return piiClaimPaths(value).length > 0;
}

/** Whether a claim named `name` with this value carries PII. */
export function isPiiClaim(name: string, value: unknown): boolean {
  return isPiiClaimName(name) || hasPii(value);
}

export function isPiiClaimName(name: string): boolean {
  return PII_CLAIM_NAMES.includes(name.toLowerCase());
}
