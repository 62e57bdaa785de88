/**
 * `$comment` notes in baseline files. Strict JSON has no comments, so a baseline carries notes
 * for people the way JSON Schema does: a `$comment` key (a string or an array of strings) in
 * any object of fixed shape — the file itself, `target`, `settings`, every settings group and
 * nested object, a JWT template, a role, an exception. They are removed before validation, so
 * nothing downstream (checklist, drift, Pulumi, the policy pack) ever sees them.
 *
 * Not inside maps whose keys are yours (JWT claims, `platform_config` and its keys, the
 * template, role, domain and endpoint maps): there a `$comment` key is data — a claim named
 * `$comment` stays a claim — so the walk follows the schema, never the key name alone.
 */
import { z } from 'zod';
import { formatPath, type JsonPath, type PathSegment } from '../settings/paths';
import { isComment } from './generated-runtime';
import { locatePath, unwrap, type ValidationIssue } from './validate';

export const COMMENT_KEY = '$comment';


/**
 * Removes `$comment` from every fixed-shape object of `value` (in place: `value` is a fresh
 * JSON.parse result) and reports each one that is not a string or an array of strings. Walks
 * as deep as the schema and the value both go; parseJsonText has already bounded the depth.
 */
export function stripComments(schema: z.ZodType, value: unknown, file: string, text?: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visit(schema, value, [], (path, comment) => {
    if (isComment(comment)) return;
    issues.push({
      file,
      path: formatPath(path),
      ...(text === undefined ? {} : (locatePath(text, path) ?? {})),
      message: `expected a string or an array of strings, got ${describe(comment)}`,
      hint: '$comment holds notes for people, e.g. "$comment": ["why this value"]',
    });
  });
  return issues;
}

// `path` is one array pushed and popped along the walk (a copy only for a comment found): a
// 50,000-template baseline would otherwise allocate an array per node it passes.
function visit(schema: z.ZodType, value: unknown, path: PathSegment[], onComment: (path: JsonPath, comment: unknown) => void): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(value)) {
    if (Object.prototype.hasOwnProperty.call(value, COMMENT_KEY)) {
      onComment([...path, COMMENT_KEY], value[COMMENT_KEY]);
      delete value[COMMENT_KEY];
    }
    const shape = inner.shape as Record<string, z.ZodType>;
    for (const key of Object.keys(shape)) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      path.push(key);
      visit(shape[key]!, value[key], path, onComment);
      path.pop();
    }
    return;
  }
  if (inner instanceof z.ZodRecord && isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      path.push(key);
      visit(inner.valueType as z.ZodType, value[key], path, onComment);
      path.pop();
    }
    return;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      visit(inner.element as z.ZodType, value[index], path, onComment);
      path.pop();
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array holding something other than strings';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The JSON Schema of a `$comment` value, defined once and referenced by every closed object. */
const COMMENT_JSON_SCHEMA = {
  description: 'Notes for people (clerkguard init writes its findings and TODOs here); removed before validation.',
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
} as const;

const COMMENT_DEFINITION = 'comment';

/**
 * Adds `$comment` to the properties of every closed object (additionalProperties: false) of a
 * generated JSON Schema, so editors accept the notes the loader accepts. Maps (open objects)
 * are left alone: there `$comment` is an ordinary key.
 */
export function allowCommentsInJsonSchema(root: Record<string, unknown>): void {
  const stack: unknown[] = [root];
  // Bounded by the schema's own size: every node is visited once.
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      stack.push(...current);
      continue;
    }
    if (!isPlainObject(current)) continue;
    if (current.additionalProperties === false && isPlainObject(current.properties) && !Object.prototype.hasOwnProperty.call(current.properties, COMMENT_KEY)) {
      current.properties[COMMENT_KEY] = { $ref: `#/$defs/${COMMENT_DEFINITION}` };
    }
    for (const child of Object.values(current)) stack.push(child);
  }
  const definitions = isPlainObject(root.$defs) ? root.$defs : {};
  definitions[COMMENT_DEFINITION] = structuredClone(COMMENT_JSON_SCHEMA);
  root.$defs = definitions;
}
