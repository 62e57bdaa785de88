/**
 * The resource kinds the Pulumi program declares, and the zod schema of each kind's inputs.
 *
 * Every schema is cut from the one settings model (src/settings/model.ts), so `pulumi preview`
 * rejects exactly what `clerkguard check` rejects. Inputs use the model's snake_case names;
 * the Pulumi type token is `pulumi-nodejs:dynamic/clerkguard:<Kind>`.
 */
import { z } from 'zod';
import { profileSchema, exceptionSchema } from '../baseline/schema';
import {
  communicationSchema,
  instanceSchema,
  jwtTemplateSchema,
  oauthApplicationSettingsSchema,
  platformConfigSchema,
  organizationPermissionSchema,
  organizationRoleSchema,
  organizationsSchema,
  protectSchema,
  restrictionsSchema,
  sessionSchema,
  settingsSchema,
} from '../settings/model';

/** Module part of the type token: `pulumi-nodejs:dynamic/clerkguard:<Kind>`. */
export const TYPE_MODULE = 'clerkguard';
export const TYPE_PREFIX = `pulumi-nodejs:dynamic/${TYPE_MODULE}:`;

export const instanceInputsSchema = instanceSchema.omit({ environment_type: true, domains: true }).refine((value) => value.allowed_origins === undefined || value.allowed_origins.length > 0, {
  message: 'allowed_origins cannot be emptied: Clerk ignores an empty list, so list at least one exact origin or leave the key out',
  path: ['allowed_origins'],
});

const organizationSettingsSchema = organizationsSchema.shape.settings.unwrap();

/**
 * The typed session setting the Platform config writes: the maximum lifetime, as
 * `session.lifetime` in seconds (src/clerk/types.ts says where that name comes from). The
 * inactivity timeout has no documented Platform name, and `revoke_on` and `cookie_same_site`
 * are not instance settings: the program records those on the Baseline resource, where the
 * policy pack still checks them; Pulumi does not claim to apply them.
 */
export const platformSessionSchema = sessionSchema.pick({ maximum_lifetime_minutes: true });

export const PLATFORM_GROUP_SCHEMAS = {
  session: platformSessionSchema,
} as const;
export type PlatformGroup = keyof typeof PLATFORM_GROUP_SCHEMAS;
export const PLATFORM_GROUPS = Object.keys(PLATFORM_GROUP_SCHEMAS) as PlatformGroup[];

/**
 * One resource for the Platform config: the typed session setting and any raw keys of the
 * baseline's `platform_config` share one config_version (If-Match). The raw keys are checked
 * against the instance's own schema when the resource is previewed (dry_run) and written.
 */
const platformConfigInputsSchema = z
  .strictObject({
    session: platformSessionSchema.optional(),
    platform_config: platformConfigSchema.optional(),
  })
  .superRefine((value, context) => {
    if (value.session === undefined && value.platform_config === undefined) context.addIssue({ code: 'custom', message: 'declare at least one Platform config group' });
    const raw = value.platform_config?.session;
    if (value.session?.maximum_lifetime_minutes !== undefined && raw && Object.prototype.hasOwnProperty.call(raw, 'lifetime')) {
      context.addIssue({ code: 'custom', path: ['platform_config', 'session', 'lifetime'], message: 'session.lifetime is managed by session.maximum_lifetime_minutes already; set it in one place' });
    }
  });

export const baselineRecordSchema = z.strictObject({
  environment: z.string().min(1),
  version: z.string().min(1),
  profile: profileSchema,
  environment_type: z.enum(['production', 'development']),
  exceptions: z.array(exceptionSchema),
  /** Settings no API writes (MFA, lockout, attestations, ...): recorded, not applied. */
  declared_only: settingsSchema,
});

export const KIND_SCHEMAS = {
  /** Which baseline the stack applies: lets the policy pack evaluate the checklist in context. */
  Baseline: baselineRecordSchema,
  InstanceSettings: instanceInputsSchema,
  Restrictions: restrictionsSchema,
  Protect: protectSchema,
  SmsCountryBlocklist: communicationSchema,
  OrganizationSettings: organizationSettingsSchema,
  OrganizationPermission: organizationPermissionSchema.extend({ key: z.string().min(1) }),
  OrganizationRole: organizationRoleSchema.extend({ key: z.string().regex(/^[a-z0-9_:-]+$/i, 'expected a role key such as "org:admin"') }),
  JwtTemplate: jwtTemplateSchema
    .extend({
      name: z.string().min(1),
      /** From stack config `clerkguard:jwtSigningKeys.<name>`; a secret input and output. */
      signing_key: z.string().min(1).optional(),
    })
    .superRefine((template, context) => {
      // The program reports this first, for every template at once; this guards other callers.
      if (template.custom_signing_key !== true || template.signing_key !== undefined) return;
      context.addIssue({
        code: 'custom',
        path: ['signing_key'],
        message: `custom_signing_key is true but no signing key is configured: set stack config clerkguard:jwtSigningKeys.${template.name} (Clerk requires the key with the setting)`,
      });
    }),
  PlatformConfig: platformConfigInputsSchema,
  OAuthApplicationSettings: oauthApplicationSettingsSchema,
} as const;

export type KindName = keyof typeof KIND_SCHEMAS;
export const KIND_NAMES = Object.keys(KIND_SCHEMAS) as KindName[];

/** Kinds that exist only in Pulumi state and call no API. */
export const LOCAL_KINDS: ReadonlySet<KindName> = new Set(['Baseline']);

/** Input properties whose change means a different remote object: Pulumi replaces. */
export const REPLACE_ON_CHANGE: Readonly<Record<KindName, readonly string[]>> = {
  Baseline: [],
  InstanceSettings: [],
  Restrictions: [],
  Protect: [],
  SmsCountryBlocklist: [],
  OrganizationSettings: [],
  OrganizationPermission: ['key'],
  OrganizationRole: ['key'],
  JwtTemplate: ['name'],
  PlatformConfig: [],
  OAuthApplicationSettings: [],
};

/** Arrays whose order carries no meaning, per kind (top-level input keys). */
export const SET_LIKE_KEYS: Readonly<Record<KindName, readonly string[]>> = {
  Baseline: [],
  InstanceSettings: ['allowed_origins'],
  Restrictions: [],
  Protect: [],
  SmsCountryBlocklist: ['blocked_country_codes'],
  OrganizationSettings: ['domains_enrollment_modes'],
  OrganizationPermission: [],
  OrganizationRole: ['permissions'],
  JwtTemplate: [],
  PlatformConfig: [],
  OAuthApplicationSettings: [],
};

/** Input properties that are secrets: never logged, stored as Pulumi secrets. */
export const SECRET_KEYS: Readonly<Record<KindName, readonly string[]>> = {
  Baseline: [],
  InstanceSettings: [],
  Restrictions: [],
  Protect: [],
  SmsCountryBlocklist: [],
  OrganizationSettings: [],
  OrganizationPermission: [],
  OrganizationRole: [],
  JwtTemplate: ['signing_key'],
  PlatformConfig: [],
  OAuthApplicationSettings: [],
};

export function isKindName(value: unknown): value is KindName {
  return typeof value === 'string' && (KIND_NAMES as string[]).includes(value);
}

export function kindOfType(type: string): KindName | undefined {
  if (!type.startsWith(TYPE_PREFIX)) return undefined;
  const kind = type.slice(TYPE_PREFIX.length);
  return isKindName(kind) ? kind : undefined;
}
