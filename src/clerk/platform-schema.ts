/**
 * The instance's own Platform config schema (`GET …/config/schema`), used as the authority on
 * what a Platform config write may hold.
 *
 * A baseline's `platform_config` (any top-level key, Clerk's own names) and the typed session
 * mapping are checked against it at run time with a real JSON Schema validator (ajv 8: draft-07
 * and 2020-12), never against ranges clerkguard made up. What is validated is what a PATCH would
 * produce: the live value of the key with the baseline's fields merged in, so a partial write is
 * judged as the document Clerk would hold afterwards. `required` at the document root is left
 * out (a PATCH names only some keys; PUT, which needs every key, is never used).
 */
import { ClerkguardError } from '../util/errors';
import { closestMatch } from '../util/suggest';
import { isRedactedValue } from './types';

export interface SchemaProblem {
  /** Dotted path inside the config document, e.g. `session.lifetime`. */
  path: string;
  message: string;
}

type Validator = ((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null };

export interface PlatformSchema {
  /** Top-level keys the schema describes. */
  readonly keys: readonly string[];
  /** The schema of one top-level key (undefined when the schema does not describe it). */
  keySchema(key: string): Record<string, unknown> | undefined;
  /** The schema of a dotted field path (`session.lifetime`), when the schema spells it out. */
  fieldSchema(path: string): Record<string, unknown> | undefined;
  /** Problems of the config document a PATCH of `patch` onto `live` would produce. */
  validatePatch(patch: Record<string, unknown>, live: Record<string, unknown>): SchemaProblem[];
}

export function platformSchema(document: Record<string, unknown>): PlatformSchema {
  const properties = isObject(document.properties) ? document.properties : {};
  const keys = Object.keys(properties);
  let validator: Validator | undefined;
  const compiled = (): Validator => {
    if (validator) return validator;
    // Required lazily: only runs that manage Platform config keys pay for loading ajv.
    const root: Record<string, unknown> = { ...document };
    delete root.required;
    delete root.$id;
    const draft2020 = typeof root.$schema === 'string' && root.$schema.includes('2020-12');
    /* eslint-disable @typescript-eslint/no-require-imports */
    const Ajv = draft2020 ? (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default : (require('ajv') as typeof import('ajv')).default;
    /* eslint-enable @typescript-eslint/no-require-imports */
    if (!draft2020) delete root.$schema;
    try {
      validator = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(root) as unknown as Validator;
    } catch (error) {
      throw new ClerkguardError(`the instance's Platform config schema (GET …/config/schema) could not be compiled: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'this may be a schema feature clerkguard\'s validator (ajv 8) does not support; please report it',
      });
    }
    return validator;
  };
  return {
    keys,
    keySchema: (key) => (Object.prototype.hasOwnProperty.call(properties, key) && isObject(properties[key]) ? properties[key] : undefined),
    fieldSchema(path) {
      let node: unknown = document;
      for (const segment of path.split('.')) {
        const props = isObject(node) && isObject(node.properties) ? node.properties : undefined;
        if (!props || !Object.prototype.hasOwnProperty.call(props, segment)) return undefined;
        node = props[segment];
      }
      return isObject(node) ? node : undefined;
    },
    validatePatch(patch, live) {
      const problems: SchemaProblem[] = [];
      const document: Record<string, unknown> = {};
      for (const key of Object.keys(patch)) {
        if (!keys.includes(key)) {
          const close = closestMatch(key, keys);
          problems.push({ path: key, message: `is not a key of this instance's Platform config${close ? ` (did you mean "${close}"?)` : ''}` });
          continue;
        }
        // A redacted value (a secret Clerk serves as presence + fingerprint) is not the value:
        // it is left out rather than judged against the field's type.
        document[key] = mergePatch(withoutRedacted(live[key]), patch[key]);
      }
      if (Object.keys(document).length === 0) return problems;
      const validate = compiled();
      if (!validate(document)) {
        for (const error of validate.errors ?? []) {
          const path = error.instancePath.split('/').filter(Boolean).map(unescapePointer);
          const extra = error.params && typeof error.params.additionalProperty === 'string' ? [error.params.additionalProperty] : [];
          problems.push({ path: [...path, ...extra].join('.'), message: error.message ?? 'is invalid' });
        }
      }
      return problems;
    },
  };
}

/** PATCH semantics: objects merge field by field, anything else replaces. */
export function mergePatch(live: unknown, patch: unknown): unknown {
  if (!isObject(patch) || !isObject(live)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...live };
  for (const key of Object.keys(patch)) out[key] = mergePatch(live[key], patch[key]);
  return out;
}

function withoutRedacted(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!isRedactedValue(value[key])) out[key] = withoutRedacted(value[key]);
  return out;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** "settings.platform_config.session.lifetime: must be <= 10" lines for an error message. */
export function describeProblems(problems: readonly SchemaProblem[], prefix: string, max = 5): string {
  const shown = problems.slice(0, max).map((problem) => `${prefix}${problem.path}: ${problem.message}`);
  return problems.length > max ? `${shown.join('; ')}; and ${problems.length - max} more` : shown.join('; ');
}
