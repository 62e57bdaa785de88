/** Baselines that name a test application, written to temp folders like a user's repository. */
import { loadBaselines, type LoadedBaseline } from '../../src/baseline/load';
import { fixtureDir } from '../helpers/cli';
import { baselineWith } from '../helpers/baselines';

export const WEBHOOK_PATH = '/api/webhooks/clerk';

export interface ProbeBaselineOptions {
  origin: string;
  /** Extra top-level edits (exceptions, target, application fields). */
  mutate?: (baseline: ReturnType<typeof baselineWith>) => void;
}

/** The shipped production baseline, naming the app at `origin` (pages, protected paths, webhook). */
export function probeBaseline(options: ProbeBaselineOptions): ReturnType<typeof baselineWith> {
  return baselineWith((baseline) => {
    (baseline as Record<string, unknown>).application = { origins: [options.origin], protected_paths: ['/dashboard', '/api/projects'] };
    const webhooks = baseline.settings.webhooks as Record<string, unknown>;
    webhooks.endpoints = { [`${options.origin}${WEBHOOK_PATH}`]: { events: ['user.created', 'user.updated', 'user.deleted'] } };
    options.mutate?.(baseline);
  });
}

export function writeProbeBaseline(options: ProbeBaselineOptions): { dir: string; file: string; loaded: LoadedBaseline } {
  const dir = fixtureDir({ 'baselines/production.json': probeBaseline(options) });
  const [loaded] = loadBaselines(['baselines/production.json'], dir);
  return { dir, file: 'baselines/production.json', loaded: loaded as LoadedBaseline };
}
