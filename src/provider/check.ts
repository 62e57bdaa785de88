/**
 * `check` and `diff` for every kind: pure functions of the inputs, no API calls, so `pulumi
 * preview` explains a bad baseline before any credential is needed.
 */
import { validateWithSchema } from '../baseline/validate';
import { changedKeys, normalizeProps, type Props } from './compare';
import { KIND_SCHEMAS, REPLACE_ON_CHANGE, type KindName } from './kinds';

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckOutcome {
  inputs: Props;
  failures: CheckFailure[];
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
}

/**
 * Validates inputs with the settings model. Failures name the property (a dotted path inside
 * the resource) and say what was expected, in the words `clerkguard check` uses.
 */
export function checkInputs(kind: KindName, news: Props): CheckOutcome {
  const inputs = normalizeProps(kind, news);
  const result = validateWithSchema(KIND_SCHEMAS[kind], inputs, `clerkguard:${kind}`);
  const failures = result.errors.map((issue) => ({
    property: issue.path === '' ? kind : issue.path,
    reason: issue.hint ? `${issue.message} (${issue.hint})` : issue.message,
  }));
  // The checked inputs are what Pulumi stores: set-like arrays in canonical order, so that a
  // refresh (whose inputs come back from Clerk) never shows an order-only difference.
  return { inputs, failures };
}

/**
 * Compares state (`olds`: the last outputs, which `refresh` replaces with live values) with the
 * desired inputs. Collections whose identity changes (a renamed JWT template, a role with a new
 * key) are replaced; a renamed template's old token stops validating, so the new one is created
 * first.
 */
export function diffProps(kind: KindName, olds: Props, news: Props): DiffOutcome {
  const changed = changedKeys(kind, olds, news);
  const replaces = changed.filter((key) => REPLACE_ON_CHANGE[kind].includes(key));
  const stables = Object.keys(normalizeProps(kind, news)).filter((key) => !changed.includes(key));
  return { changes: changed.length > 0, replaces, stables, deleteBeforeReplace: false };
}
