/**
 * A drift run over several environments. Each environment is exported and diffed on its own:
 * one environment's API failure becomes that environment's `error` status and never stops the
 * others. The run's status is the worst of its environments (error > drift > clean).
 */
import type { LoadedBaseline } from '../baseline/load';
import type { LiveExport } from '../export/types';
import { scrubSecrets } from '../settings/redact';
import { describeError } from '../util/errors';
import { EarlyMatches } from './early';
import { diffBaseline, prepareBaseline } from './index';
import type { DriftError, DriftReport, DriftStatus, EnvironmentDrift } from './types';

/**
 * What a drift hears from an export while it reads: each JWT template as it is taken from its
 * page, to match it against the baseline during the waiting. Shaped as exportLive's option of the
 * same name, so an exporter passes it on as it is (`{ ...options, ...listener }`).
 */
export interface ExportListener {
  onJwtTemplate(name: string, template: object): void;
}

/** Reads the live settings of one environment (exportLive in production, fixtures in tests). */
export type LiveExporter = (loaded: LoadedBaseline, listener?: ExportListener) => Promise<LiveExport>;

export interface RunDriftOptions {
  strict?: boolean;
  today: string;
  now: Date;
  /** diffBaseline's `beforeWalk`, per environment. */
  beforeWalk?: (changedEntries: number) => void;
}

export async function runDrift(baselines: readonly LoadedBaseline[], exporter: LiveExporter, options: RunDriftOptions): Promise<DriftReport> {
  const environments = await Promise.all(baselines.map((loaded) => driftOne(loaded, exporter, options)));
  return { status: overallStatus(environments), generated_at: options.now.toISOString(), environments };
}

async function driftOne(loaded: LoadedBaseline, exporter: LiveExporter, options: RunDriftOptions): Promise<EnvironmentDrift> {
  // The baseline's side of the diff is built while the export waits on Clerk (in slices that
  // leave the answers their turn); if that fails, diffBaseline builds it itself.
  const preparing = prepareBaseline(loaded).catch(() => undefined);
  // JWT templates are matched against it as their pages are taken (early.ts).
  const early = new EarlyMatches(preparing);
  const listener: ExportListener = { onJwtTemplate: (name, template) => early.offerTemplate(name, template) };
  // Started at once; an exporter that throws at once fails its environment like one that rejects.
  const exporting: { promise?: Promise<LiveExport> } = { promise: (async () => exporter(loaded, listener))() };
  const held: { live?: LiveExport } = {};
  try {
    held.live = await (exporting.promise as Promise<LiveExport>);
  } catch (error) {
    early.close();
    return errorDrift(loaded, toDriftError(error));
  } finally {
    // The settled promise would keep the export (and its settings tree) alive through the diff.
    exporting.promise = undefined;
  }
  if (held.live.environment !== loaded.baseline.environment) {
    early.close();
    return errorDrift(loaded, { message: `the live export is for environment "${held.live.environment}", not "${loaded.baseline.environment}"` });
  }
  const prepared = await preparing;
  return diffBaseline(loaded, handOver(held), { strict: options.strict ?? false, today: options.today, early, ...(prepared ? { prepared } : {}), ...(options.beforeWalk ? { beforeWalk: options.beforeWalk } : {}) });
}

/**
 * The export as diffBaseline gets it, without this module keeping a reference: its `settings`
 * (the raw tree of every live setting, tens of MB for 50,000 JWT templates) can be read once,
 * for the canonical tree diffBaseline builds first, and is garbage from then on instead of for
 * the whole diff. A second read is a defect that must not pass as "no settings": it throws.
 */
function handOver(held: { live?: LiveExport }): LiveExport {
  const live = held.live as LiveExport;
  held.live = undefined;
  let settings: LiveExport['settings'] | undefined = live.settings;
  const handed = { ...live };
  Object.defineProperty(handed, 'settings', {
    enumerable: true,
    get() {
      if (settings === undefined) throw new Error('internal error: the live settings of a drift run were read twice (run.ts hands them over once)');
      const taken = settings;
      settings = undefined;
      return taken;
    },
  });
  return handed;
}

export function errorDrift(loaded: LoadedBaseline, error: DriftError): EnvironmentDrift {
  return {
    environment: loaded.baseline.environment,
    baseline_version: loaded.baseline.version,
    baseline_file: loaded.file,
    status: 'error',
    changes: [],
    unmanaged: [],
    unverified: [],
    errors: [error],
    coverage: {},
  };
}

/** What a report may say about a failure: its message (scrubbed), endpoint and HTTP status. */
export function toDriftError(error: unknown): DriftError {
  const candidate = error as { endpoint?: unknown; status?: unknown; hint?: unknown };
  const hint = typeof candidate?.hint === 'string' ? ` (hint: ${candidate.hint})` : '';
  return {
    message: scrubSecrets(describeError(error) + hint),
    ...(typeof candidate?.endpoint === 'string' ? { endpoint: candidate.endpoint } : {}),
    ...(typeof candidate?.status === 'number' ? { status: candidate.status } : {}),
  };
}

export function overallStatus(environments: readonly EnvironmentDrift[]): DriftStatus {
  if (environments.some((environment) => environment.status === 'error')) return 'error';
  if (environments.some((environment) => environment.status === 'drift')) return 'drift';
  return 'clean';
}

/** The exit-code contract: 0 clean, 2 drift, 1 any environment could not be checked. */
export function exitCodeFor(status: DriftStatus): number {
  return status === 'error' ? 1 : status === 'drift' ? 2 : 0;
}

/**
 * The exit code of a whole report. Unverified managed settings (no source could read them) are
 * not drift: exit 0 by default, listed in the report. With `strict`, everything managed must be
 * verified: an unverified managed setting exits 2, like drift.
 */
export function exitCodeForReport(report: DriftReport, options: { strict?: boolean } = {}): number {
  const code = exitCodeFor(report.discovery?.status === 'error' ? 'error' : report.status);
  // Unverified settings and instances without a baseline are listed, not drift, unless --strict.
  if (code === 0 && options.strict && (countUnverified(report) > 0 || (report.discovery?.unmanaged.length ?? 0) > 0)) return 2;
  return code;
}

export function countUnverified(report: DriftReport): number {
  return report.environments.reduce((sum, environment) => sum + (environment.status === 'error' ? 0 : (environment.unverified ?? []).length), 0);
}
