/**
 * Gathers application evidence for the commands that take it (`check`, `drift`, `snapshot`,
 * `schedule`): `--scan DIR [--build DIR]` reads the code once and judges it per baseline;
 * `--probe` contacts the URLs each baseline names. Bad input (a missing directory) fails when
 * the collector is made, before any API call; a baseline that names nothing to probe is a gap.
 */
import type { LoadedBaseline } from '../baseline/load';
import type { Finding } from '../checklist/types';
import { DEFAULT_MAX_REQUESTS, DEFAULT_TIMEOUT_MS, probeUserAgent, runProbe } from '../probe/index';
import { gapFindings } from '../scan/findings';
import { analyseApplication, loadApplication, type LoadedApplication } from '../scan/index';
import { scanExclusions, scanPolicy } from '../scan/policy';
import { ClerkguardError, describeError } from '../util/errors';
import { PROBE_NOT_RUN_RULE, type CollectedEvidence } from './drift';
import type { ApplicationEvidence } from './index';

export interface ApplicationRequest {
  scan?: { roots: readonly string[]; builds?: readonly string[] };
  probe?: { maxRequests?: number; timeoutMs?: number; ca?: string };
}

export interface CollectorContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  today(): string;
  warn(message: string): void;
}

export type EvidenceCollector = (loaded: LoadedBaseline) => Promise<CollectedEvidence>;

export function wantsApplication(request: ApplicationRequest): boolean {
  return (request.scan?.roots.length ?? 0) > 0 || request.probe !== undefined;
}

/** Undefined when nothing was asked for. `baselines`: all of this run's, for scan exclusions. */
export function applicationCollector(request: ApplicationRequest, context: CollectorContext, baselines: readonly LoadedBaseline[]): EvidenceCollector | undefined {
  if (!wantsApplication(request)) return undefined;
  if ((request.scan?.builds?.length ?? 0) > 0 && (request.scan?.roots.length ?? 0) === 0) {
    throw new ClerkguardError('--build needs --scan', { hint: 'add --scan APP_DIR (the application the build belongs to)' });
  }
  let app: LoadedApplication | undefined;
  if (request.scan && request.scan.roots.length > 0) {
    app = loadApplication({ roots: request.scan.roots, builds: request.scan.builds ?? [], cwd: context.cwd, exclude: baselines.flatMap((item) => scanExclusions(item.baseline, context.today())) });
  }
  return async (loaded) => {
    const evidence: ApplicationEvidence[] = [];
    const gaps: Finding[] = [];
    const base = { file: loaded.file, environment: loaded.baseline.environment };
    if (app) {
      const result = analyseApplication(app, scanPolicy(loaded.baseline, context.env), context.today());
      evidence.push(result.evidence);
      gaps.push(...gapFindings(result, base));
    }
    if (request.probe) {
      try {
        const result = await runProbe(loaded, {
          env: context.env,
          // Wall-clock time, never a pinned report date: the endpoint checks svix-timestamp against its clock.
          now: new Date(),
          userAgent: probeUserAgent(),
          maxRequests: request.probe.maxRequests ?? DEFAULT_MAX_REQUESTS,
          timeoutMs: request.probe.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          ...(request.probe.ca ? { ca: request.probe.ca } : {}),
        });
        evidence.push(result.evidence);
        if (!result.reached) context.warn(`probe: no URL of ${loaded.baseline.environment} answered (${result.requests.find((record) => record.error)?.error ?? 'nothing sent'})`);
      } catch (error) {
        if (!(error instanceof ClerkguardError)) throw error;
        context.warn(`probe: ${describeError(error)}`);
        gaps.push(probeGap(loaded, describeError(error)));
      }
    }
    return { evidence, gaps };
  };
}

function probeGap(loaded: LoadedBaseline, message: string): Finding {
  return {
    file: loaded.file,
    environment: loaded.baseline.environment,
    rule: PROBE_NOT_RUN_RULE,
    checklist_item: null,
    title: 'The application could not be probed',
    severity: 'medium',
    status: 'not_verifiable',
    message: `nothing was probed: ${message}`,
    path: '',
    evidence: 'probe',
    remediation: 'Name the deployed application in the baseline ("application": { "origins": [...] }) or drop --probe for this environment.',
  };
}
