/**
 * The CrossGuard side of the checklist: rebuilds a Settings object from the Clerk resources of
 * a stack (their inputs) and evaluates the same 20 rules `clerkguard check` runs. policy/
 * wraps this in a PolicyPack; keeping the logic here lets it be compiled, typed and tested with
 * the rest of clerkguard.
 */
import type { BaselineException, Profile } from '../baseline/schema';
import { todayIso } from '../checklist/helpers';
import { RULES, evaluateSettings } from '../checklist/index';
import type { Finding, Rule, RuleContext, Severity } from '../checklist/types';
import type { Settings } from '../settings/model';
import { isUnder, parsePath } from '../settings/paths';
import { kindOfType, type KindName } from './kinds';

/** What a policy sees of one resource: its type token, name, URN and input properties. */
export interface PolicyResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
}

export interface StackEvaluation {
  context: RuleContext;
  settings: Settings;
  findings: Finding[];
  /** Settings path prefix (without `settings.`) each resource URN declares. */
  owners: { urn: string; path: string }[];
  /** True when the stack declares no Baseline record and defaults were assumed. */
  assumedContext: boolean;
}

/** Critical and high rules block a deployment; the others warn. */
export function enforcementFor(severity: Severity): 'mandatory' | 'advisory' {
  return severity === 'critical' || severity === 'high' ? 'mandatory' : 'advisory';
}

function strip(props: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) if (!keys.includes(key) && key !== '__provider' && value !== undefined) out[key] = plainCopy(value);
  return out;
}

/** @pulumi/policy hands props over as proxies; structuredClone cannot copy those. */
function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Kinds whose inputs are exactly one settings group. */
const SINGLE_GROUP_KINDS: Partial<Record<KindName, string>> = {
  InstanceSettings: 'instance',
  Restrictions: 'restrictions',
  Protect: 'protect',
  SmsCountryBlocklist: 'communication',
  OAuthApplicationSettings: 'oauth_application_settings',
};

/** Maps resource inputs back into the settings model. Unknown resource types are ignored. */
export function settingsFromResources(resources: readonly PolicyResource[]): { settings: Settings; owners: { urn: string; path: string }[] } {
  const settings: Record<string, Record<string, unknown>> = {};
  const owners: { urn: string; path: string }[] = [];
  const group = (name: string) => (settings[name] ??= {});
  const organizations = () => group('organizations');
  // Declared-only settings first: resource inputs, which Pulumi applies, win where both exist.
  for (const resource of resources) {
    if (kindOfType(resource.type) !== 'Baseline') continue;
    const declared = resource.props.declared_only;
    if (!declared || typeof declared !== 'object') continue;
    for (const [name, value] of Object.entries(declared as Record<string, unknown>)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(group(name), plainCopy(value));
    }
    owners.push({ urn: resource.urn, path: '' });
  }
  for (const resource of resources) {
    const kind: KindName | undefined = kindOfType(resource.type);
    const props = resource.props;
    const single = kind === undefined ? undefined : SINGLE_GROUP_KINDS[kind];
    if (single !== undefined) {
      Object.assign(group(single), strip(props));
      owners.push({ urn: resource.urn, path: single });
      continue;
    }
    switch (kind) {
      case 'OrganizationSettings':
        organizations().settings = strip(props);
        owners.push({ urn: resource.urn, path: 'organizations.settings' });
        break;
      case 'OrganizationRole': {
        const key = String(props.key);
        ((organizations().roles ??= {}) as Record<string, unknown>)[key] = strip(props, 'key');
        owners.push({ urn: resource.urn, path: `organizations.roles[${JSON.stringify(key)}]` });
        break;
      }
      case 'OrganizationPermission': {
        const key = String(props.key);
        ((organizations().permissions ??= {}) as Record<string, unknown>)[key] = strip(props, 'key');
        owners.push({ urn: resource.urn, path: `organizations.permissions[${JSON.stringify(key)}]` });
        break;
      }
      case 'JwtTemplate': {
        const name = String(props.name);
        (group('jwt_templates') as Record<string, unknown>)[name] = strip(props, 'name', 'signing_key');
        owners.push({ urn: resource.urn, path: `jwt_templates[${JSON.stringify(name)}]` });
        break;
      }
      case 'PlatformConfig':
        for (const [name, value] of Object.entries(strip(props, 'config_version'))) {
          if (value && typeof value === 'object') Object.assign(group(name), value);
          owners.push({ urn: resource.urn, path: name });
        }
        break;
      default:
        break;
    }
  }
  return { settings: settings as Settings, owners };
}

interface BaselineRecord {
  environment: string;
  profile: Profile;
  environment_type: 'production' | 'development';
  exceptions: BaselineException[];
}

function baselineRecord(resources: readonly PolicyResource[]): BaselineRecord | undefined {
  const record = resources.find((resource) => kindOfType(resource.type) === 'Baseline');
  if (!record) return undefined;
  const props = record.props;
  return {
    environment: String(props.environment ?? 'unknown'),
    profile: (props.profile as Profile | undefined) ?? 'saas',
    environment_type: props.environment_type === 'development' ? 'development' : 'production',
    exceptions: Array.isArray(props.exceptions) ? (props.exceptions as BaselineException[]) : [],
  };
}

/**
 * Evaluates the checklist over the stack's Clerk resources. Without a Baseline record (a stack
 * that uses the providers directly) it assumes a production instance and the saas profile,
 * the stricter of the common cases.
 */
export function evaluateStack(resources: readonly PolicyResource[], today: string = process.env.CLERKGUARD_TODAY ?? todayIso()): StackEvaluation {
  const record = baselineRecord(resources);
  const { settings, owners } = settingsFromResources(resources);
  const context: RuleContext = {
    environment: record?.environment ?? 'stack',
    environmentType: record?.environment_type ?? 'production',
    profile: record?.profile ?? 'saas',
    mode: 'baseline',
    today,
  };
  const findings = evaluateSettings(settings, context, { exceptions: record?.exceptions ?? [] });
  return { context, settings, findings, owners, assumedContext: record === undefined };
}

/** The URN of the resource that declares a finding's setting, for attributing a violation. */
export function ownerOf(evaluation: StackEvaluation, findingPath: string): string | undefined {
  const path = findingPath.replace(/^settings\.?/, '');
  if (path === '') return undefined;
  const segments = parsePath(path);
  let best: { urn: string; length: number } | undefined;
  for (const owner of evaluation.owners) {
    if (!isUnder(segments, owner.path)) continue;
    const length = parsePath(owner.path).length;
    if (!best || length > best.length) best = { urn: owner.urn, length };
  }
  return best?.urn;
}

/** One violation to report: a failing finding of `rule`, attributed to a resource when possible. */
export interface Violation {
  message: string;
  urn?: string;
}

export function violationsFor(rule: Rule, evaluation: StackEvaluation): Violation[] {
  return evaluation.findings
    .filter((finding) => finding.rule === rule.id && finding.status === 'fail')
    .map((finding) => {
      const urn = ownerOf(evaluation, finding.path);
      const message = `${finding.message}${finding.path ? ` (${finding.path})` : ''}. ${finding.remediation}`;
      return urn ? { message, urn } : { message };
    });
}

/** The rules as policy descriptions, in checklist order. */
export function policyRules(): readonly Rule[] {
  return RULES;
}
