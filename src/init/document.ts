/**
 * The baseline file `clerkguard init` writes: strict JSON in the model's key order (records
 * sorted, set-like lists sorted), 2-space indent, trailing newline, and `$comment` notes where
 * people need them — each failing setting's rule and proposal in the object that holds it, a
 * TODO for each setting no Clerk API shows, and at the top what was read and what was left out.
 */
import { z } from 'zod';
import { COMMENT_KEY } from '../baseline/comments';
import { unwrap } from '../baseline/validate';
import { baselineSchema, type Profile } from '../baseline/schema';
import { minutes } from '../checklist/helpers';
import { PROFILE_THRESHOLDS } from '../checklist/thresholds';
import { practicesSchema, SET_LIKE_PATHS, type Settings } from '../settings/model';
import { formatPath, getAt, matchesPattern, type JsonPath, type PathSegment } from '../settings/paths';
import { canonicalize } from '../util/json';
import { nullRecord } from '../util/records';
import { APPLY_WORDS, type Proposal } from './proposals';
import { byReason, isPlainObject, type LeftOut } from './record';
import { isFixedShape } from './schema-walk';

export interface InitTarget {
  environment_type: 'production' | 'development';
  secret_key_env: string;
  publishable_key_env: string;
  platform_api_key_env: string;
  application_id?: string;
}

export interface InitDocument {
  environment: string;
  profile: Profile;
  target: InitTarget;
  /** Where `$schema` points (relative to the written file). */
  schemaRef: string;
  /** In words: "the live instance ins_… (production)". */
  source: string;
  today: string;
  harden: boolean;
  /** The settings written: today's, or today's with the proposals applied (`harden`). */
  settings: Settings;
  proposals: readonly Proposal[];
  leftOut: readonly LeftOut[];
  /** Extra lines for the top comment. */
  notes?: readonly string[];
}

interface Todo {
  path: JsonPath;
  text: (profile: Profile) => string;
}

const PRACTICES = Object.keys(practicesSchema.shape).join(', ');

/** Settings no Clerk API shows: init writes what to do, never a value or an attestation. */
export const TODOS: readonly Todo[] = [
  {
    path: ['session', 'inactivity_timeout_minutes'],
    text: (profile) =>
      `TODO settings.session.inactivity_timeout_minutes: no Clerk API shows it (no Platform config field is documented). Copy it from Dashboard → Sessions (the ${profile} profile allows at most ${minutes(PROFILE_THRESHOLDS[profile].inactivity_timeout_minutes)}); drift reads it only from a dashboard export (--dashboard-export), else it stays unverified.`,
  },
  {
    path: ['session', 'revoke_on'],
    text: () =>
      'TODO settings.session.revoke_on: not an instance setting: the application revokes other sessions per request. Declare the policy, e.g. ["password_change", "email_change", "mfa_enrollment"], and back it with `clerkguard scan` or practices.session_revocation_configured.',
  },
  {
    path: ['session', 'cookie_same_site'],
    text: () => 'TODO settings.session.cookie_same_site: what the deployed app\'s __session cookie carries; `clerkguard probe` reads it, or declare "lax" after checking it in the browser.',
  },
  {
    path: ['keys', 'last_rotation'],
    text: () =>
      'TODO settings.keys.last_rotation: no Clerk API shows when the secret key was created or rotated. After each rotation record who did it, the day and the change ticket ({"attested_by": "…", "attested_at": "YYYY-MM-DD", "evidence": "…"}), and rotation_max_age_days (default 365). Until then item 4 is unverified.',
  },
  {
    path: ['webhooks'],
    text: () =>
      'TODO settings.webhooks: Clerk\'s APIs cannot list webhook endpoints: add webhooks.endpoints (URL → events) from the dashboard. Whether handlers verify signatures, keep the secret in the environment, dedupe and erase PII on user.deleted is proven by `clerkguard scan` / `clerkguard probe` or by attestations you write (attested_by, attested_at, evidence), never by init.',
  },
  {
    path: ['practices'],
    text: () =>
      `TODO settings.practices: what only the application shows (${PRACTICES}): run \`clerkguard check --scan APP_DIR\` / \`--probe\`, or record attestations (attested_by, attested_at, evidence). Until then check lists these items as unverified, never as passing.`,
  },
  {
    path: ['monitoring'],
    text: () =>
      'TODO settings.monitoring: your alerting and review routine, which no API shows. failed_login_alerts: destination, threshold_multiplier (at most 50) and test_alert, an attestation that a test alert arrived (attested_by, attested_at, evidence). settings_review: cadence; its evidence is a `clerkguard snapshot --commit` review whose sign-off block is filled in and committed, or last_review (attested_by, attested_at, evidence). Until then items 19 and 20 are unverified in a live review.',
  },
];

const APPLICATION_TODO =
  'TODO application: name the deployed app (origins, pages, protected_paths) so `clerkguard probe` may test its pages, cookies, webhooks and protected paths; no API shows it.';

/** The baseline text, ready to write. */
export function renderBaseline(document: InitDocument): string {
  const comments = new Map<string, string[]>();
  const note = (at: JsonPath, line: string) => {
    const key = JSON.stringify(at);
    comments.set(key, [...(comments.get(key) ?? []), line]);
  };

  const top = [
    `Written by \`clerkguard init\` on ${document.today} from ${document.source}, for the ${document.profile} profile. Keys never appear here: target names the environment variables that hold them.`,
    document.harden
      ? `--harden: every value is the instance's as read, except the ${countValues(document.proposals)} setting(s) marked HARDENED, which hold the proposed hardened values: \`clerkguard drift\` and \`pulumi preview\` show exactly those changes until they are applied.`
      : `Every value is the instance's as read, so \`clerkguard drift\` is clean against it. Settings that fail the ${document.profile} checklist carry a FAILS note with the rule and a proposed hardened value; \`clerkguard check\` lists them. \`clerkguard init --harden --force\` writes the proposals instead.`,
    ...(document.notes ?? []),
    ...byReason(document.leftOut).map((group) => `NOT VERIFIED, left out: ${group.paths.join(', ')}: ${group.reason}.`),
    APPLICATION_TODO,
    '$comment keys are notes for people: clerkguard removes them before it validates the file.',
  ];
  for (const line of top) note([], line);

  for (const proposal of document.proposals) note(['settings', ...commentAnchor(document.settings, proposal.path)], proposalLine(proposal, document.harden));
  for (const todo of TODOS) {
    if (getAt(document.settings, todo.path) !== undefined) continue;
    note(['settings', ...commentAnchor(document.settings, todo.path)], todo.text(document.profile));
  }

  const value = {
    $schema: document.schemaRef,
    schema_version: 1,
    version: '1.0.0',
    environment: document.environment,
    profile: document.profile,
    description: `Clerk instance settings of ${document.environment}, recorded by clerkguard init on ${document.today}.`,
    target: document.target,
    settings: document.settings,
  };
  return `${JSON.stringify(ordered(baselineSchema, value, [], comments), null, 2)}\n`;
}

function countValues(proposals: readonly Proposal[]): number {
  return proposals.filter((proposal) => proposal.proposed !== undefined).length;
}

function proposalLine(proposal: Proposal, harden: boolean): string {
  const where = formatPath(['settings', ...proposal.path]);
  const rule = `${proposal.rule} (${proposal.severity}${proposal.checklist_item === null ? '' : `, item ${proposal.checklist_item}`})`;
  if (proposal.proposed === undefined) return `FAILS ${rule} at ${where}: ${proposal.message}. No value proposed: ${proposal.advice ?? ''}`.trimEnd();
  const apply = proposal.apply ? APPLY_WORDS[proposal.apply] : '';
  if (harden) {
    return `HARDENED ${where} for ${rule}: the instance has ${shown(proposal.current)} (${proposal.message}); written as proposed: ${proposal.change}. ${capitalize(apply)}; until then drift reports the difference.`;
  }
  return `FAILS ${rule} at ${where}: ${proposal.message}. Proposed: ${proposal.change} (${apply}).`;
}

export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(canonicalize(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function capitalize(text: string): string {
  return text === '' ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

/**
 * The object a note about `path` goes into: the nearest enclosing object of fixed shape that
 * the file holds (a `$comment` inside a map, such as JWT claims, would be data).
 */
function commentAnchor(settings: Settings, path: JsonPath): JsonPath {
  for (let length = path.length - 1; length > 0; length--) {
    const at = path.slice(0, length);
    if (isPlainObject(getAt(settings, at)) && isFixedShape(at)) return at;
  }
  return [];
}

/**
 * The value in the schema's key order (fixed-shape objects), with sorted keys elsewhere, sorted
 * set-like lists, and each object's notes first (after `$schema` at the top).
 */
function ordered(schema: z.ZodType, value: unknown, path: PathSegment[], comments: ReadonlyMap<string, string[]>): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(value)) {
    const out = nullRecord<unknown>();
    const shape = inner.shape as Record<string, z.ZodType>;
    const keys = Object.keys(shape).filter((key) => Object.prototype.hasOwnProperty.call(value, key) && value[key] !== undefined);
    const notes = comments.get(JSON.stringify(path));
    if (keys[0] === '$schema') out.$schema = value.$schema;
    if (notes && notes.length > 0) out[COMMENT_KEY] = notes;
    for (const key of keys) {
      if (key !== '$schema') out[key] = ordered(shape[key]!, value[key], [...path, key], comments);
    }
    return out;
  }
  if (inner instanceof z.ZodRecord && isPlainObject(value)) {
    const out = nullRecord<unknown>();
    for (const key of Object.keys(value).sort()) out[key] = ordered(inner.valueType as z.ZodType, value[key], [...path, key], comments);
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    const items = value.map((item, index) => ordered(inner.element as z.ZodType, item, [...path, index], comments));
    const settingsPath = path[0] === 'settings' ? path.slice(1) : undefined;
    const setLike = settingsPath !== undefined && SET_LIKE_PATHS.some((pattern) => matchesPattern(settingsPath, pattern));
    return setLike && items.every((item) => typeof item === 'string') ? [...(items as string[])].sort() : items;
  }
  return canonicalize(value);
}
