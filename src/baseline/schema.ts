/**
 * A baseline file: the settings model plus the metadata that says which instance it governs,
 * how strict the thresholds are, and which deviations are accepted on purpose.
 */
import { z } from 'zod';
import { isoDateSchema, settingsSchema } from '../settings/model';
import { EXPIRED_EXCEPTION_RULE, RULE_IDS } from '../checklist/ids';

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

const ruleName = z.string().refine((value) => (RULE_IDS as readonly string[]).includes(value), {
  message: 'expected a checklist rule id',
});

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

export const ignoreSchema = z.strictObject({
  path: z.string().min(1).describe('A setting path (segments may be *) whose drift is not reported.'),
  reason: z.string().min(1),
});
export type IgnoreEntry = z.infer<typeof ignoreSchema>;

export const baselineSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schema_version: z.literal(BASELINE_SCHEMA_VERSION).describe('Version of this file format.'),
    version: z.string().min(1).describe("The baseline's own version, bumped by its owners."),
    environment: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case environment name such as "production"'),
    profile: profileSchema,
    description: z.string().optional(),
    target: targetSchema,
    settings: settingsSchema,
    exceptions: z.array(exceptionSchema).default([]),
    ignore: z.array(ignoreSchema).default([]),
  })
  .describe('A clerkguard baseline: the desired security settings of one Clerk instance.');

export type Baseline = z.infer<typeof baselineSchema>;
export type BaselineInput = z.input<typeof baselineSchema>;

export { EXPIRED_EXCEPTION_RULE };
