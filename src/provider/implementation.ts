/**
 * What the serialized dynamic providers call (see dynamic.ts). Runs in the Pulumi provider
 * process: builds the Clerk API client per call from the configured credentials, validates,
 * diffs and applies, and turns every failure into one scrubbed sentence for the Pulumi output.
 */
import { createClerkApi, type ClerkApi } from '../clerk/api';
import { secretsOf } from '../clerk/connection';
import { scrubSecrets } from '../settings/redact';
import { ClerkguardError } from '../util/errors';
import { checkInputs, diffProps, type CheckOutcome, type DiffOutcome } from './check';
import { normalizeProps, pick, type Props } from './compare';
import { EMPTY_CONFIG, providerConnection, type ConfigSource } from './credentials';
import { isKindName, LOCAL_KINDS, SECRET_KEYS, type KindName } from './kinds';
import { OPERATIONS, OUTPUT_ONLY_KEYS } from './operations';

let configured: ConfigSource = EMPTY_CONFIG;

const SECRET_INPUT_KEYS: readonly string[] = [...new Set(Object.values(SECRET_KEYS).flat())];

/** Called by the provider's `configure(req)`: keeps the stack config in memory only. */
export function configure(config: ConfigSource): void {
  configured = config;
}

/** Forgets configured credentials (tests). */
export function resetConfiguration(): void {
  configured = EMPTY_CONFIG;
}

function kindOf(kind: string): KindName {
  if (!isKindName(kind)) throw new Error(`clerkguard: unknown resource kind "${kind}"`);
  return kind;
}

function clerkApi(): ClerkApi {
  return createClerkApi(providerConnection(configured));
}

/** Secrets to scrub besides the well-known patterns: whatever the config holds. */
function knownSecrets(): string[] {
  try {
    return secretsOf(providerConnection(configured));
  } catch {
    return [];
  }
}

/**
 * Pulumi prints provider errors verbatim, so every error becomes a plain Error whose message
 * is scrubbed and carries the hint; no stack trace of ours reaches the user.
 */
async function guarded<T>(what: string, run: () => Promise<T>, ...secretProps: (Props | undefined)[]): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof ClerkguardError && error.hint ? ` (hint: ${error.hint})` : '';
    throw providerError(scrubSecrets(`clerkguard: ${what}: ${message}${hint}`, [...knownSecrets(), ...secretValues(secretProps)]));
  }
}

/**
 * An error the dynamic-provider plugin prints as one line: for check, read and delete it logs
 * `${error}: ${error.stack}`, so the stack is empty (no trace of ours, and not the message a
 * second time).
 */
function providerError(message: string): Error {
  const error = new Error(message);
  error.stack = '';
  return error;
}

/** Secret inputs (a JWT signing key) have no recognizable pattern: scrub them by value. */
function secretValues(propsList: readonly (Props | undefined)[]): string[] {
  const values: string[] = [];
  for (const props of propsList) {
    for (const key of SECRET_INPUT_KEYS) {
      const value = props?.[key];
      if (typeof value === 'string' && value !== '') values.push(value);
    }
  }
  return values;
}

/** Log lines from the provider process (Pulumi shows them with the resource), scrubbed. */
function note(message: string | undefined): void {
  if (message) console.error(scrubSecrets(message, knownSecrets()));
}

function inputsOf(props: Props | undefined): Props {
  const out: Props = {};
  for (const [key, value] of Object.entries(props ?? {})) {
    if (key === '__provider' || OUTPUT_ONLY_KEYS.includes(key) || value === undefined) continue;
    out[key] = value;
  }
  return out;
}

export async function check(kind: string, _olds: Props, news: Props): Promise<CheckOutcome> {
  return checkInputs(kindOf(kind), news);
}

export async function diff(kind: string, _id: string, olds: Props, news: Props): Promise<DiffOutcome> {
  const name = kindOf(kind);
  const outcome = diffProps(name, inputsOf(olds), inputsOf(news));
  // A kind with a server-side dry run (the Platform config) previews the change it would make,
  // so `pulumi preview` fails on a write Clerk would refuse, naming the field.
  const preview = outcome.changes && !LOCAL_KINDS.has(name) ? OPERATIONS[name as Exclude<KindName, 'Baseline'>].preview : undefined;
  if (preview) await guarded(`previewing ${name}`, () => preview(clerkApi(), inputsOf(olds), inputsOf(news)), news);
  return outcome;
}

export async function create(kind: string, inputs: Props): Promise<{ id: string; outs: Props }> {
  const name = kindOf(kind);
  const desired = inputsOf(inputs);
  if (LOCAL_KINDS.has(name)) return { id: String(desired.environment ?? name), outs: desired };
  const created = await guarded(`creating ${name}`, () => OPERATIONS[name as Exclude<KindName, 'Baseline'>].create(clerkApi(), desired), desired);
  note(created.note);
  // Outputs in the same canonical form `read` returns, so a refresh shows only real changes.
  return { id: created.id, outs: normalizeProps(name, created.outs) };
}

/**
 * Returns live properties and, as inputs, the same managed values: after `pulumi refresh` the
 * next diff compares the baseline with what is really in Clerk, so dashboard drift shows up
 * as a change to the exact property that drifted.
 */
export async function read(kind: string, id: string, props: Props | undefined): Promise<{ id?: string; props?: Props; inputs?: Props }> {
  const name = kindOf(kind);
  const state = normalizeProps(name, props);
  if (LOCAL_KINDS.has(name)) return { id, props: inputsOf(state), inputs: inputsOf(state) };
  const live = await guarded(`reading ${name} ${id}`, () => OPERATIONS[name as Exclude<KindName, 'Baseline'>].read(clerkApi(), id, state), state);
  if (!live) return {};
  note(live.warning);
  // Set-like arrays in canonical order, so a refresh never reports an order-only change.
  const liveProps = normalizeProps(name, live.props);
  return { id: live.id, props: liveProps, inputs: inputsOf(liveProps) };
}

export async function update(kind: string, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const name = kindOf(kind);
  const desired = inputsOf(news);
  if (LOCAL_KINDS.has(name)) return { outs: desired };
  const state = { ...inputsOf(olds), ...pick(olds, OUTPUT_ONLY_KEYS) };
  const outs = await guarded(`updating ${name} ${id}`, () => OPERATIONS[name as Exclude<KindName, 'Baseline'>].update(clerkApi(), id, state, desired), state, desired);
  return { outs: normalizeProps(name, outs) };
}

/** Named `remove` because `delete` is reserved; the provider's `delete` calls it. */
export async function remove(kind: string, id: string, props: Props): Promise<void> {
  const name = kindOf(kind);
  if (LOCAL_KINDS.has(name)) return;
  const message = await guarded(`deleting ${name} ${id}`, () => OPERATIONS[name as Exclude<KindName, 'Baseline'>].remove(clerkApi(), id, inputsOf(props)), props);
  // Provider stderr reaches the Pulumi output as a diagnostic on the resource.
  note(message);
}
