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
 * How long a dashboard export counts (days after `exported_at`): a quarter plus slack, the same
 * as the quarterly settings review (checklist item 20), so a team that copies the dashboard at
 * each review never sees it lapse. CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS changes it.
 */
export const DASHBOARD_EXPORT_MAX_AGE_DAYS = 100;

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** The calendar day (YYYY-MM-DD, UTC) of a date or ISO 8601 timestamp, or undefined when it is not a real one. */
export function exportedDay(value: string): string | undefined {
  const match = TIMESTAMP.exec(value);
  if (!match) return undefined;
  const day = match[1]!;
  if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || !new Date(`${day}T00:00:00Z`).toISOString().startsWith(day)) return undefined;
  if (match[2] === undefined) return day;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

/**
 * A file a person exported by hand from the Clerk dashboard for the settings no API exposes
 * (the allow-list in sources.ts: the session inactivity timeout, webhook endpoints). Validated
 * like a baseline; it counts for DASHBOARD_EXPORT_MAX_AGE_DAYS after `exported_at`.
 */
export const dashboardExportSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schema_version: z.literal(1),
    environment: z.string().optional().describe('When set, must match the environment being exported.'),
    exported_at: z
      .string()
      .refine((value) => exportedDay(value) !== undefined, { message: 'expected a real date as YYYY-MM-DD (or an ISO 8601 timestamp)' })
      .describe('When the values were copied from the dashboard (YYYY-MM-DD). The file counts for 100 days after it (CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS).'),
    exported_by: z.string().trim().min(1).describe('Who copied the values from the dashboard (a person or team).'),
    settings: settingsSchema,
  })
  .describe('Settings read by hand from the Clerk dashboard.');
export type DashboardExport = z.infer<typeof dashboardExportSchema>;
