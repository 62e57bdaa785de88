/**
 * The live export ("dashboard export"): the settings model as read from Clerk, plus when and
 * from where. A snapshot is a LiveExport committed to git, so this schema also validates
 * snapshot files and `review diff` inputs.
 */
import { z } from 'zod';
import { evidenceSourceSchema, settingsSchema } from '../settings/model';

export const LIVE_EXPORT_SCHEMA_VERSION = 1;

/** Presence and fingerprint of a sensitive value; the value itself is never written. */
export const sensitiveValueSchema = z.strictObject({
  present: z.boolean(),
  fingerprint: z.string().regex(/^sha256:[0-9a-f]{16}$/).optional().describe('First 16 hex chars of sha256 of the value, for change detection only.'),
});

export const liveExportSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schema_version: z.literal(LIVE_EXPORT_SCHEMA_VERSION),
    kind: z.literal('clerkguard-live-export'),
    captured_at: z.string().describe('ISO 8601 timestamp of the capture.'),
    environment: z.string(),
    instance_id: z.string().nullable(),
    baseline_version: z.string().optional().describe('Version of the baseline the export was taken for.'),
    settings: settingsSchema,
    /**
     * Where each setting came from, keyed by a settings path without the `settings.` prefix
     * (e.g. `instance.allowed_origins`, `session`). The most specific key covering a path wins;
     * a path covered by no key is `unverified`.
     */
    coverage: z.record(z.string(), evidenceSourceSchema),
    sensitive: z.record(z.string(), sensitiveValueSchema).optional().describe('Sensitive settings by path: presence and fingerprint only.'),
  })
  .describe('Live settings of one Clerk instance with per-setting coverage.');
export type LiveExport = z.infer<typeof liveExportSchema>;

/**
 * A file a person exported by hand from the Clerk dashboard for settings no API exposes
 * (session timeouts and revoke-on, webhook endpoints, cookie SameSite). Validated like a baseline.
 */
export const dashboardExportSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schema_version: z.literal(1),
    environment: z.string().optional().describe('When set, must match the environment being exported.'),
    exported_at: z.string().optional(),
    exported_by: z.string().optional(),
    settings: settingsSchema,
  })
  .describe('Settings read by hand from the Clerk dashboard.');
export type DashboardExport = z.infer<typeof dashboardExportSchema>;
