/**
 * The settings model: the security-relevant settings of one Clerk instance.
 *
 * One shape flows through every feature: a baseline's `settings`, a live export's
 * `settings`, and a snapshot all use it, so drift is a plain diff of two values of this type.
 * Every group is optional: an absent group is "unmanaged". Objects are strict so that a typo
 * in a baseline is an error rather than a silently ignored setting.
 *
 * Field names follow Clerk's own wire names where Clerk has one (Backend API `/instance`,
 * `/instance/restrictions`, `/instance/protect`, `/instance/communication`,
 * `/instance/organization_settings`, `/jwt_templates`; Frontend API `/v1/environment`
 * `user_settings`). Groups Clerk exposes through no API (session revoke-on, webhooks,
 * monitoring) use descriptive names and are documented in docs/settings.md. `platform_config`
 * holds any top-level key of the instance's Platform config document under Clerk's own names;
 * it is validated at run time against the instance's own `GET …/config/schema`.
 */
import { z } from 'zod';
import { isCalendarDate, nameLastCheck, settingsConflicts } from '../baseline/value-checks';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isCalendarDate, { message: 'expected a real calendar date as YYYY-MM-DD' });

export const isoDateSchema = isoDate;

/** Human evidence for a setting or practice that no Clerk API can show. */
export const attestationSchema = z
  .strictObject({
    attested_by: z.string().min(1).describe('Who vouches for this (a person or team).'),
    attested_at: isoDate.describe('When it was last verified (YYYY-MM-DD).'),
    evidence: z.string().min(1).describe('Where the proof lives: a test, a PR, a runbook, a ticket.'),
    expires: isoDate
      .optional()
      .describe(
        'When the attestation must be renewed: defaults to, and is capped at, the rule\'s maximum age after attested_at (one year; cross-org isolation tests 180 days; a key rotation keys.rotation_max_age_days; a settings review 35 or 100 days by its cadence).',
      ),
  })
  .describe('A human attestation for something configuration cannot prove.');
export type Attestation = z.infer<typeof attestationSchema>;

const keyEnvironment = z.enum(['live', 'test']);

export const keysSchema = z
  .strictObject({
    expected_environment: keyEnvironment.describe('Which keys this instance must use: live (pk_live_/sk_live_) or test (pk_test_/sk_test_).'),
    last_rotated_at: isoDate.optional().describe('When the secret key was last rotated (YYYY-MM-DD): a declaration; live it can fail item 4 but never pass it (record last_rotation).'),
    last_rotation: attestationSchema
      .optional()
      .describe(
        'The last rotation of the secret key, attested: who rotated it (attested_by), the day it was rotated (attested_at) and the proof (evidence: the change ticket, the deploy). No Clerk API shows when a secret key was created or rotated.',
      ),
    rotation_max_age_days: z.number().int().min(1).max(3650).optional().describe('Rotate the secret key at least this often (default 365 days).'),
  })
  .describe('Publishable and secret key expectations (checklist items 1, 2, 4).');

export const domainSchema = z
  .strictObject({
    is_satellite: z.boolean().describe('A satellite domain shares the primary\'s sessions.'),
    proxy_url: z.string().nullable().optional().describe('The proxy that forwards this domain\'s Frontend API requests, or null.'),
  })
  .describe('One instance domain (GET /domains).');

export const instanceSchema = z
  .strictObject({
    environment_type: z.enum(['production', 'development', 'staging']).optional().describe('Clerk instance type (read-only, GET /instance).'),
    allowed_origins: z.array(z.string().min(1)).optional().describe('Exact origins allowed to talk to the Frontend API (set-like).'),
    test_mode: z.boolean().optional().describe('Test mode (test emails and phone numbers accepted).'),
    hibp: z.boolean().optional().describe('Check passwords against Have I Been Pwned.'),
    domains: z
      .record(z.string().min(1), domainSchema)
      .optional()
      .describe('The instance\'s domains keyed by name (GET /domains: the primary and its satellites); read-only, written in the dashboard.'),
  })
  .describe('Instance settings from GET/PATCH /instance and GET /domains (checklist items 2, 3).');

export const revokeOnEventSchema = z.enum(['password_change', 'email_change', 'mfa_enrollment', 'mfa_removal']);
export type RevokeOnEvent = z.infer<typeof revokeOnEventSchema>;

export const sessionSchema = z
  .strictObject({
    inactivity_timeout_minutes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Sign out after this much inactivity (Dashboard → Sessions → Inactivity timeout). Clerk documents no Platform config name for it: live it comes from the dashboard export, else it is unverified.'),
    maximum_lifetime_minutes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Absolute session lifetime (Dashboard → Sessions → Maximum lifetime); read and written as Platform config session.lifetime in seconds (Clerk CLI). Limits come from the instance\'s config schema.'),
    revoke_on: z
      .array(revokeOnEventSchema)
      .optional()
      .describe('Desired policy: security events after which the user\'s other sessions must end (set-like). Not an instance setting: the application enforces it per request; verified from code (clerkguard scan) or practices.session_revocation_configured, never read from or written to Clerk.'),
    cookie_same_site: z
      .enum(['lax', 'strict', 'none'])
      .optional()
      .describe('SameSite of the __session cookie as the live app sets it (clerk-js sets Lax; None in a cross-origin iframe or with partitioned cookies). Not an instance setting: evidence from clerkguard probe, or declared by a person.'),
    partitioned_cookies: z.boolean().optional().describe('FAPI partitioned_cookies: Clerk sets its cookies Partitioned (CHIPS), which needs SameSite=None (read-only).'),
  })
  .describe('Session lifetime and revocation (checklist items 5, 6, 8).');

export const restrictionsSchema = z
  .strictObject({
    allowlist: z.boolean().optional(),
    blocklist: z.boolean().optional(),
    allowlist_blocklist_disabled_on_sign_in: z.boolean().optional(),
    block_email_subaddresses: z.boolean().optional(),
    block_disposable_email_domains: z.boolean().optional(),
  })
  .describe('Sign-up restrictions (PATCH /instance/restrictions; read from FAPI user_settings.restrictions).');

export const protectSchema = z
  .strictObject({
    rules_enabled: z.boolean().optional(),
    specter_enabled: z.boolean().optional(),
  })
  .describe('Clerk Protect bot rules (GET/PATCH /instance/protect).');

export const communicationSchema = z
  .strictObject({
    blocked_country_codes: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code in upper case, e.g. "RU"'))
      .optional()
      .describe('Countries SMS is never sent to (set-like).'),
  })
  .describe('SMS delivery settings (GET/PATCH /instance/communication).');

export const attackProtectionSchema = z
  .strictObject({
    user_lockout: z
      .strictObject({
        enabled: z.boolean(),
        max_attempts: z.number().int().min(1).max(100).optional(),
        duration_in_minutes: z.number().int().min(1).max(525600).optional(),
      })
      .optional(),
    enumeration_protection: z.strictObject({ enabled: z.boolean() }).optional(),
    pii: z.strictObject({ enabled: z.boolean() }).optional(),
    email_link: z.strictObject({ require_same_client: z.boolean() }).optional(),
  })
  .describe('Attack protection (FAPI user_settings.attack_protection).');

export const signInSchema = z
  .strictObject({
    second_factor: z.strictObject({ required: z.boolean() }).optional(),
  })
  .describe('Sign-in settings (FAPI user_settings.sign_in): MFA requirement.');

export const signUpSchema = z
  .strictObject({
    mode: z.enum(['public', 'restricted', 'waitlist']).optional(),
    captcha_enabled: z.boolean().optional(),
    captcha_oauth_bypass: z.array(z.string().min(1)).optional().describe('OAuth providers whose sign-ups skip the CAPTCHA (FAPI display_config.captcha_oauth_bypass; set-like, read-only).'),
    email_verification_required: z
      .boolean()
      .optional()
      .describe('Email addresses are verified at sign-up (FAPI user_settings.attributes.email_address.verify_at_sign_up; read-only).'),
  })
  .describe('Sign-up settings (FAPI user_settings.sign_up, display_config, attributes).');

export const passkeySettingsSchema = z
  .strictObject({
    satisfies_second_factor: z.boolean().optional().describe('Signing in with a passkey satisfies a required second factor (FAPI user_settings.passkey_settings; read-only).'),
  })
  .describe('Passkey settings (FAPI user_settings.passkey_settings).');

export const oauthApplicationSettingsSchema = z
  .strictObject({
    dynamic_oauth_client_registration: z.boolean().optional().describe('Anyone may register an OAuth client (RFC 7591 dynamic client registration).'),
    oauth_jwt_access_tokens: z.boolean().optional(),
    client_id_metadata_documents_advertised: z.boolean().optional(),
    client_id_metadata_documents_only_allow_pre_registered_clients: z.boolean().optional(),
    client_id_metadata_documents_block_implicitly_allowed_clients: z.boolean().optional(),
  })
  .describe('OAuth application settings (GET/PATCH /instance/oauth_application_settings).');

export const passwordSettingsSchema = z
  .strictObject({
    min_length: z.number().int().min(1).max(72).optional(),
    max_length: z.number().int().min(1).max(128).optional(),
    require_special_char: z.boolean().optional(),
    require_numbers: z.boolean().optional(),
    require_uppercase: z.boolean().optional(),
    require_lowercase: z.boolean().optional(),
    enforce_hibp_on_sign_in: z.boolean().optional(),
    min_zxcvbn_strength: z.number().int().min(0).max(4).optional(),
  })
  .describe('Password policy (FAPI user_settings.password_settings).');

const roleKey = z.string().regex(/^[a-z0-9_:-]+$/i, 'expected a role key such as "org:admin"');

export const organizationRoleSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  permissions: z.array(z.string().min(1)).describe('Permission keys (set-like).'),
});

export const organizationPermissionSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
});

export const roleSetSchema = z.strictObject({
  name: z.string().min(1),
  roles: z.array(roleKey).describe('Role keys in the set (set-like).'),
  default_role: roleKey.nullable().optional().describe('Role given to new members.'),
  creator_role: roleKey.nullable().optional().describe('Role given to an organization\'s creator.'),
});

export const organizationsSchema = z
  .strictObject({
    settings: z
      .strictObject({
        enabled: z.boolean().optional(),
        max_allowed_memberships: z.number().int().min(0).optional(),
        admin_delete_enabled: z.boolean().optional(),
        domains_enabled: z.boolean().optional(),
        slug_disabled: z.boolean().optional(),
        domains_enrollment_modes: z.array(z.enum(['manual_invitation', 'automatic_invitation', 'automatic_suggestion'])).optional(),
        creator_role: roleKey.optional().describe('Role key given to an organization creator (written as a role id).'),
        domains_default_role: roleKey.optional().describe('Role key for domain enrollment (written as a role id).'),
      })
      .optional(),
    roles: z.record(roleKey, organizationRoleSchema).optional().describe('Custom roles keyed by role key.'),
    permissions: z.record(z.string().min(1), organizationPermissionSchema).optional().describe('Custom permissions keyed by permission key.'),
    role_sets: z.record(z.string().min(1), roleSetSchema).optional().describe('Role sets keyed by role set key (GET /role_sets; read-only).'),
  })
  .describe('Organizations (checklist items 13-15).');

export const jwtTemplateSchema = z
  .strictObject({
    claims: z.record(z.string(), z.unknown()).describe('The template body; audience is the "aud" claim.'),
    lifetime: z.number().int().min(30).max(315360000).describe('Token lifetime in seconds (30-315360000).'),
    allowed_clock_skew: z.number().int().min(0).max(300).optional().describe('Allowed clock skew in seconds (0-300).'),
    signing_algorithm: z.string().optional(),
    custom_signing_key: z.boolean().optional(),
  })
  .describe('One JWT template, keyed by its name (checklist items 16-18).');
export type JwtTemplate = z.infer<typeof jwtTemplateSchema>;

export const webhookEndpointSchema = z.strictObject({
  events: z.array(z.string().min(1)).describe('Subscribed event types (set-like), e.g. "user.deleted".'),
  description: z.string().optional(),
});

export const webhooksSchema = z
  .strictObject({
    endpoints: z.record(z.string().url('expected an https URL'), webhookEndpointSchema).optional().describe('Endpoints keyed by URL.'),
    signature_verification: attestationSchema.optional().describe('Every handler verifies the Svix signature and rejects with 401.'),
    secret_storage: attestationSchema.optional().describe('The signing secret is read from the environment, never from code.'),
    idempotency: attestationSchema.optional().describe('Handlers dedupe on svix-id inside the same transaction.'),
    user_deleted_handling: attestationSchema.optional().describe('user.deleted hard-deletes or anonymizes PII within 24 hours.'),
  })
  .describe('Webhooks (checklist items 9-12). Clerk APIs cannot read endpoints; they come from the dashboard export.');

export const monitoringSchema = z
  .strictObject({
    failed_login_alerts: z
      .strictObject({
        destination: z.string().min(1).describe('Where alerts go (SIEM, channel, pager).'),
        threshold_multiplier: z.number().positive().max(1000).describe('Alert when failures exceed this multiple of the normal rate.'),
        window_minutes: z.number().int().min(1).max(1440).optional(),
        test_alert: attestationSchema
          .optional()
          .describe('A test alert was triggered and received at the destination: who tested (attested_by), when (attested_at), and the proof (evidence: the alert, the ticket). Counts for one year.'),
      })
      .optional(),
    settings_review: z
      .strictObject({
        cadence: z.enum(['monthly', 'quarterly']),
        last_reviewed_at: isoDate.optional().describe('When the settings were last reviewed (YYYY-MM-DD): a declaration; live it can fail item 20 but never pass it (record last_review, or sign off a committed snapshot review).'),
        last_review: attestationSchema
          .optional()
          .describe(
            'The last settings review, attested: the reviewer (attested_by), the day of the sign-off (attested_at) and where the review is recorded (evidence). Counts 35 days (monthly) or 100 days (quarterly). A signed, committed `clerkguard snapshot` review counts without it.',
          ),
      })
      .optional(),
  })
  .describe('Operational monitoring (checklist items 19, 20).');

/** Attestations for practices that live in application code (checklist items 1, 7, 13-16, 18). */
export const practicesSchema = z
  .strictObject({
    secret_key_server_only: attestationSchema.optional(),
    server_side_session_verification: attestationSchema.optional(),
    org_scoped_queries: attestationSchema.optional(),
    role_based_authorization: attestationSchema.optional(),
    cross_org_isolation_test: attestationSchema.optional(),
    jwt_claims_reviewed: attestationSchema.optional(),
    audience_verified_by_receivers: attestationSchema.optional(),
    session_revocation_configured: attestationSchema.optional(),
  })
  .describe('Attestations for practices that live in application code or in dashboard pages no API reads.');

/** A top-level key of the Platform config document, as Clerk names it (`session`, `sign_up`, …). */
export const PLATFORM_CONFIG_KEY = /^[a-z][a-z0-9_]*$/;

export const platformConfigSchema = z
  .record(
    z.string().regex(PLATFORM_CONFIG_KEY, 'expected a Platform config key as Clerk names it, e.g. "session"'),
    z.record(z.string(), z.unknown()).describe('The fields of this key to manage, under Clerk\'s names; fields left out are unmanaged.'),
  )
  .describe(
    'Any top-level key of the instance\'s Platform config document (GET …/config), under Clerk\'s own names. Validated at run time against the instance\'s own GET …/config/schema; written with PATCH, If-Match and dry_run, never PUT.',
  );

export const settingsSchema = nameLastCheck(
  z
    .strictObject({
      keys: keysSchema.optional(),
      instance: instanceSchema.optional(),
      session: sessionSchema.optional(),
      restrictions: restrictionsSchema.optional(),
      protect: protectSchema.optional(),
      communication: communicationSchema.optional(),
      attack_protection: attackProtectionSchema.optional(),
      sign_in: signInSchema.optional(),
      sign_up: signUpSchema.optional(),
      password_settings: passwordSettingsSchema.optional(),
      passkey_settings: passkeySettingsSchema.optional(),
      oauth_application_settings: oauthApplicationSettingsSchema.optional(),
      organizations: organizationsSchema.optional(),
      jwt_templates: z.record(z.string().min(1), jwtTemplateSchema).optional().describe('JWT templates keyed by name.'),
      webhooks: webhooksSchema.optional(),
      monitoring: monitoringSchema.optional(),
      practices: practicesSchema.optional(),
      platform_config: platformConfigSchema.optional(),
    })
    .superRefine((settings, context) => {
      for (const problem of settingsConflicts(settings)) context.addIssue({ code: 'custom', ...problem });
    })
    .describe('Security-relevant settings of one Clerk instance. An absent group is unmanaged.'),
  'settingsAgree',
);

export type Settings = z.infer<typeof settingsSchema>;

/**
 * Where a live value came from. `unverified` means no source could show it. `code` and `probe`
 * are the application's own evidence (src/evidence): a scan of its source, its running URLs.
 */
export const evidenceSourceSchema = z.enum(['bapi', 'fapi', 'platform', 'code', 'probe', 'export-file', 'attested', 'unverified']);
export type EvidenceSource = z.infer<typeof evidenceSourceSchema>;

/** Arrays whose order carries no meaning; normalization sorts and de-duplicates them. */
export const SET_LIKE_PATHS: readonly string[] = [
  'instance.allowed_origins',
  'session.revoke_on',
  'communication.blocked_country_codes',
  'organizations.settings.domains_enrollment_modes',
  'organizations.roles.*.permissions',
  'organizations.role_sets.*.roles',
  'sign_up.captcha_oauth_bypass',
  'webhooks.endpoints.*.events',
];
