/**
 * The drift job: the unit `clerkguard drift`, the scheduler and the demo all run.
 *
 *   export every environment (failures isolated) → diff → write the report files →
 *   Slack alert lifecycle (optional)
 *
 * The report is on disk before any Slack call, so a Slack failure loses nothing: the job
 * returns it as `slackError` (exit 1) with the report written and the alert state untouched.
 */
import path from 'node:path';
import type { LoadedBaseline } from '../baseline/load';
import { deliverAlerts, type Delivery, type Quiet } from '../notify/lifecycle';
import { deliverUnmanaged } from '../notify/unmanaged';
import type { DiscoveryReport } from '../fleet/discover';
import type { Shard } from '../fleet/shard';
import type { SlackPoster } from '../notify/slack-client';
import { renderDriftMarkdown, writeDriftReportFile, type DriftFormat } from '../report/drift';
import { ignoreWarnings } from '../report/drift-summary';
import { driftAlert } from '../report/slack';
import { ClerkguardError, describeError } from '../util/errors';
import { replaceFileAtomic } from '../util/fs';
import { prettyJson } from '../util/json';
import { withApplicationDrift } from '../evidence/drift';
import type { EvidenceCollector } from '../evidence/collect';
import { errorDrift, exitCodeForReport, overallStatus, runDrift, toDriftError, type LiveExporter } from './run';
import type { DriftReport } from './types';
import { collectAsUsual, collectGarbage, collectSooner, LARGE_BASELINE_BYTES } from '../util/memory';

export interface DriftJobSlack {
  poster: SlackPoster;
  stateFile: string;
  /** Where the run happened, for the alert footer. */
  origin?: string;
  /** How long to wait for another run's lock on the state file. */
  lockWaitMs?: number;
}

export interface DriftJobOptions {
  baselines: readonly LoadedBaseline[];
  exporter: LiveExporter;
  strict?: boolean;
  today: string;
  now: Date;
  /** Write report.md, report.json, report.sarif and report.txt here. */
  outDir?: string;
  /** Also write slack-preview.json (the Block Kit messages an alert would post). */
  slackPreview?: boolean;
  slack?: DriftJobSlack;
  /** Evidence from the application (`--scan`, `--probe`): contradictions become drift. */
  application?: EvidenceCollector;
  /**
   * `--discover`: list the workspace and report its instances without a baseline; gets the ids
   * of the instances this run read (those are governed whatever their baselines' targets say).
   */
  discover?: { run: (readInstanceIds: string[]) => Promise<DiscoveryReport>; shard?: Shard };
}

export interface DriftJobResult {
  report: DriftReport;
  /**
   * 0 clean, 2 drift (with `strict`: also unverified managed settings), 1 an environment could
   * not be checked, the report could not be written, or Slack failed.
   */
  exitCode: number;
  files: string[];
  deliveries: Delivery[];
  /** --slack: environments this run sent nothing for, and why ("drift unchanged, no new alert"). */
  quiet: Quiet[];
  /** Said on every run: ignore entries that hide a critical weakening, and expired ones. */
  warnings: string[];
  /** The report files could not be written (exit 1; Slack is then skipped). */
  writeError?: ClerkguardError;
  slackError?: ClerkguardError;
}

const REPORT_FILES: [DriftFormat, string][] = [
  ['markdown', 'report.md'],
  ['json', 'report.json'],
  ['sarif', 'report.sarif'],
  ['text', 'report.txt'],
];

/** A run over a baseline this large collects garbage between its phases (util/memory.ts). */
function anyLarge(baselines: readonly LoadedBaseline[]): boolean {
  return baselines.some((loaded) => loaded.text.length > LARGE_BASELINE_BYTES);
}

/** Changed group entries (JWT templates, roles…) above which a large run collects before the diff walks them. */
const LARGE_WALK_ENTRIES = 1_000;

/** Baselines whose loading garbage a drift job has collected already. */
const collectedAfterLoading = new WeakSet<LoadedBaseline>();

export async function runDriftJob(options: DriftJobOptions): Promise<DriftJobResult> {
  const large = anyLarge(options.baselines);
  try {
    return await driftJob(options, large);
  } finally {
    // The sooner collections (set for a large job) end with the job, not with the process.
    if (large) collectAsUsual();
  }
}

async function driftJob(options: DriftJobOptions, large: boolean): Promise<DriftJobResult> {
  const read: string[] = [];
  // What loading the baselines left behind is collected once, while the first requests are on
  // their way (a full collection of a large heap takes about 100 ms: not before the reads start),
  // and only after they were loaded: a run over baselines an earlier run of this process already
  // had (`schedule`) has nothing of their loading left to collect.
  let collected = !large || options.baselines.every((loaded) => collectedAfterLoading.has(loaded));
  for (const loaded of options.baselines) collectedAfterLoading.add(loaded);
  // From the first request to the end of the diff V8 collects sooner (the answers' copies as the
  // pages arrive, then the diff's trees and json-diff's answer): its incremental marking runs
  // while the answers are on their way, instead of a full collection after the last one (60–90 ms
  // at 50,000 templates, all of it after the waiting). Set before the collection below, whose
  // survivors set the next limit.
  if (large) collectSooner();
  const exporter: LiveExporter = async (loaded, listener) => {
    const exporting = options.exporter(loaded, listener);
    if (!collected) {
      exporting.catch(() => undefined); // a failure is awaited (and reported) below, not unhandled while collecting
      collected = true;
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    const live = await exporting;
    if (live.instance_id) read.push(live.instance_id);
    return live;
  };
  const report = await runDrift(options.baselines, exporter, {
    strict: options.strict ?? false,
    today: options.today,
    now: options.now,
    // A diff that walks many changed entries (150,000 unmanaged fields: tens of MiB of json-diff's
    // answer and of changes) starts from a collected heap: the answers' copies are gone before it
    // adds its own. A run whose live settings are mostly the baseline's walks little and pays nothing.
    ...(large
      ? {
          beforeWalk: (changed: number) => {
            if (changed > LARGE_WALK_ENTRIES) collectGarbage();
          },
        }
      : {}),
  });
  if (options.application) await addApplicationEvidence(report, options.baselines, options.application, options.today);
  if (options.discover) {
    report.discovery = await options.discover.run(read);
    if (report.discovery.status === 'error') report.status = 'error';
  }
  let exitCode = exitCodeForReport(report, { strict: options.strict ?? false });
  let files: string[] = [];
  let writeError: ClerkguardError | undefined;
  if (options.outDir) {
    try {
      files = writeReportFiles(report, options.outDir, options.baselines, options.slackPreview ?? false);
    } catch (error) {
      // The caller still prints the report; Slack waits until a report is on disk to point at.
      writeError = new ClerkguardError(`could not write the report files to ${options.outDir}: ${describeError(error)}`, {
        hint: `choose a writable folder with --out${options.slack ? '; Slack was not contacted and the alert state is unchanged, so the next run alerts' : ''}`,
        cause: error,
      });
      exitCode = 1;
    }
  }
  const deliveries: Delivery[] = [];
  const quiet: Quiet[] = [];
  let slackError: ClerkguardError | undefined;
  if (options.slack && !writeError) {
    try {
      deliveries.push(
        ...(await deliverAlerts(report, {
          poster: options.slack.poster,
          stateFile: options.slack.stateFile,
          now: options.now,
          markdownFor: (environment) => renderDriftMarkdown({ ...report, status: environment.status, environments: [environment] }),
          alertOptions: options.slack.origin ? { origin: options.slack.origin } : {},
          ...(options.slack.lockWaitMs === undefined ? {} : { lockWaitMs: options.slack.lockWaitMs }),
          onQuiet: (entry) => quiet.push(entry),
        })),
      );
      if (report.discovery) {
        deliveries.push(
          ...(await deliverUnmanaged(report.discovery, {
            poster: options.slack.poster,
            stateFile: options.slack.stateFile,
            now: options.now,
            ...(options.discover?.shard ? { shard: options.discover.shard } : {}),
            ...(options.slack.lockWaitMs === undefined ? {} : { lockWaitMs: options.slack.lockWaitMs }),
          })),
        );
      }
    } catch (error) {
      slackError = error instanceof ClerkguardError ? error : new ClerkguardError(`Slack delivery failed: ${describeError(error)}`);
      exitCode = 1;
    }
  }
  const warnings = ignoreWarnings(report, options.baselines, options.today);
  return { report, exitCode, files, deliveries, quiet, warnings, ...(writeError ? { writeError } : {}), ...(slackError ? { slackError } : {}) };
}

/** Merges what the application shows into each environment that could be checked. */
async function addApplicationEvidence(report: DriftReport, baselines: readonly LoadedBaseline[], collect: EvidenceCollector, today: string): Promise<void> {
  for (const [index, environment] of report.environments.entries()) {
    const loaded = baselines[index];
    if (!loaded || environment.status === 'error' || loaded.baseline.environment !== environment.environment) continue;
    try {
      report.environments[index] = withApplicationDrift(environment, loaded, await collect(loaded), today);
    } catch (error) {
      // Evidence that could not be gathered is not "no drift": the environment could not be checked.
      report.environments[index] = errorDrift(loaded, toDriftError(error));
    }
  }
  report.status = overallStatus(report.environments);
}

export function writeReportFiles(report: DriftReport, outDir: string, baselines: readonly LoadedBaseline[], slackPreview: boolean): string[] {
  const texts = Object.fromEntries(baselines.map((loaded) => [loaded.file, loaded.text]));
  const written: string[] = [];
  // A large report (150,000 unmanaged fields: tens of MB of text per format) leaves each file's
  // rendering behind as garbage; collected before the next one, the peak is one rendering, not four.
  const large = anyLarge(baselines);
  for (const [format, name] of REPORT_FILES) {
    if (large) collectGarbage();
    const file = path.join(outDir, name);
    writeDriftReportFile(file, format, report, { color: false, texts, createDir: true });
    written.push(file);
  }
  if (slackPreview) {
    const file = path.join(outDir, 'slack-preview.json');
    const messages = report.environments.filter((environment) => environment.status === 'drift').map((environment) => driftAlert(environment));
    replaceFileAtomic(file, prettyJson({ note: 'chat.postMessage payloads clerkguard would send (channel from SLACK_CHANNEL_ID)', messages }), { createDir: true });
    written.push(file);
  }
  return written;
}
