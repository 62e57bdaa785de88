/**
 * A baseline file: the settings model plus the metadata that says which instance it governs,
 * how strict the thresholds are, and which deviations are accepted on purpose.
 */
import { z } from 'zod';
import { isoDateSchema, settingsSchema } from '../settings/model';
import { EXPIRED_EXCEPTION_RULE } from '../checklist/ids';
import { ignoreConflicts, ignoreSpansEveryGroup, isExactOrigin, isRuleId, nameLastCheck } from './value-checks';

export { ignoreSpansEveryGroup };

export const BASELINE_SCHEMA_VERSION = 1;

const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name such as "CLERK_SECRET_KEY"');

export const profileSchema = z.enum(['banking', 'saas', 'consumer']).describe('Sets thresholds: banking strictest, consumer loosest.');
export type Profile = z.infer<typeof profileSchema>;

export const targetSchema = z
  .strictObject({
    environment_type: z.enum(['production', 'development']).describe('The Clerk instance type this baseline governs.'),
    secret_key_env: envVarName.default('CLERK_SECRET_KEY').describe('Env var holding the Backend API secret key.'),
    publishable_key_env: envVarName.default('CLERK_PUBLISHABLE_KEY').describe('Env var holding the publishable key (its frontend API host is decoded from it).'),
    api_url: z.url().optional().describe('Backend API base URL (default https://api.clerk.com, or CLERK_API_URL).'),
    frontend_api_url: z.url().optional().describe('Frontend API base URL (default: decoded from the publishable key, or CLERK_FRONTEND_API_URL).'),
    platform_api_key_env: envVarName.default('CLERK_PLATFORM_API_KEY').describe('Env var holding the Platform API key (ak_...).'),
    platform_api_url: z.url().optional(),
    application_id: z.string().min(1).optional().describe('Platform API application id (or CLERK_APPLICATION_ID).'),
  })
  .describe('How to reach the instance. Only names of env vars are stored here, never keys.');
export type Target = z.infer<typeof targetSchema>;

const ruleName = z.string().refine(isRuleId, { message: 'expected a checklist rule id' });

export const exceptionSchema = z
  .strictObject({
    rule: ruleName.describe('The rule id this exception waives.'),
    path: z.string().min(1).optional().describe('Limit the exception to one setting path, e.g. settings.jwt_templates.supabase.'),
    reason: z.string().min(1),
    owner: z.string().min(1),
    expires: isoDateSchema.describe('After this date the exception no longer applies and is itself reported.'),
  })
  .describe('An accepted, time-boxed deviation from a rule.');
export type BaselineException = z.infer<typeof exceptionSchema>;

const IGNORE_ROOT_HINT =
  'ignore the specific paths that change, e.g. "settings.instance.allowed_origins", or declare fewer groups (an absent group is unmanaged: drift lists it and never counts it)';

const ignorePath = nameLastCheck(
  z
    .string()
    .min(1)
    .superRefine((value, context) => {
      const problem = ignoreSpansEveryGroup(value);
      if (problem) context.addIssue({ code: 'custom', input: value, message: `expected a path inside one settings group (${problem})`, params: { hint: IGNORE_ROOT_HINT } });
    }),
  'isIgnorePathInOneGroup',
);

export const ignoreSchema = z
  .strictObject({
    path: ignorePath.describe(
      'A setting path below a group (segments may be *) whose drift is not counted, or code:GLOB for files the scan leaves out. Not the settings root, not a * group, not the whole of a group the baseline declares.',
    ),
    reason: z.string().min(1).describe('Why this drift is accepted.'),
    owner: z.string().min(1).describe('Who answers for it (a team or a person).'),
    expires: isoDateSchema.describe('After this date the entry no longer applies and is itself reported.'),
  })
  .describe('Drift to leave uncounted (or code to leave unscanned), held to the standard of exceptions: a reason, an owner and an expiry.');
export type IgnoreEntry = z.infer<typeof ignoreSchema>;

const appPath = z
  .string()
  .regex(/^\/(?!\/)[^\s#]*$/, 'expected a path on the application\'s origins, starting with "/", e.g. "/dashboard"')
  .max(2048);

const appOrigin = z.string().refine(isExactOrigin, { message: 'expected an exact origin: http(s)://host[:port], no path, query or wildcard' });

export const applicationSchema = z
  .strictObject({
    origins: z.array(appOrigin).min(1).max(20).describe('Origins of the deployed application `clerkguard probe` may contact (with webhooks.endpoints and target.frontend_api_url, the only hosts it contacts).'),
    pages: z.array(appPath).max(20).optional().describe('Pages whose HTML and same-origin scripts are searched for keys and whose cookies are read (default ["/"]).'),
    protected_paths: z.array(appPath).max(50).optional().describe('Paths that must not answer without a session (401/403/404 or a redirect to sign-in).'),
    sign_in_paths: z.array(appPath).max(10).optional().describe('Where the app sends signed-out visitors (default: any path containing sign-in, signin, login or sign_in).'),
    cross_origin_iframe: z.boolean().optional().describe('The app runs inside a cross-site iframe, where Clerk sets SameSite=None on purpose (default false).'),
    webhook_signing_secret_env: envVarName.optional().describe('Env var holding the webhook signing secret (whsec_...) for the signed probes (default CLERK_WEBHOOK_SIGNING_SECRET).'),
  })
  .describe('The deployed application, for `clerkguard probe`: the only URLs it may contact. Names of env vars only, never secrets.');
export type Application = z.infer<typeof applicationSchema>;

export const baselineSchema = nameLastCheck(
  z
    .strictObject({
      $schema: z.string().optional(),
      schema_version: z.literal(BASELINE_SCHEMA_VERSION).describe('Version of this file format.'),
      version: z.string().min(1).describe("The baseline's own version, bumped by its owners."),
      environment: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case environment name such as "production"'),
      profile: profileSchema,
      description: z.string().optional(),
      target: targetSchema,
      application: applicationSchema.optional(),
      settings: settingsSchema,
      exceptions: z.array(exceptionSchema).default([]),
      ignore: z.array(ignoreSchema).default([]),
    })
    .superRefine((baseline, context) => {
      for (const problem of ignoreConflicts(baseline)) context.addIssue({ code: 'custom', ...problem });
    })
    .describe('A clerkguard baseline: the desired security settings of one Clerk instance.'),
  'ignoreLeavesManagedGroupsAlone',
);

export type Baseline = z.infer<typeof baselineSchema>;
export type BaselineInput = z.input<typeof baselineSchema>;

export { EXPIRED_EXCEPTION_RULE };
