/**
 * Progress lines on stderr for runs that read Clerk: nothing for a run that ends within a
 * second, then one line a second naming the environments still being read and how many
 * requests (list pages included) each has made. Lines, not a spinner, so a copied terminal
 * log reads well. Off with --quiet and whenever stderr is not a terminal (CI logs, pipes).
 */
import type { ClerkApi } from '../clerk/api';
import type { CliIo } from './io';

/** Nothing is printed for a run shorter than this. */
const PROGRESS_DELAY_MS = 1000;
const PROGRESS_INTERVAL_MS = 1000;

export interface Progress {
  /** An environment starts its reads; the API client (when one is made) counts its requests. */
  begin(environment: string): { onApi(api: ClerkApi): void; end(): void };
  /** Stops the timer; prints a closing line when progress was shown. */
  finish(): void;
}

interface Running {
  environment: string;
  api?: ClerkApi;
}

export function progressFor(io: CliIo, options: { quiet?: boolean; what: string; total: number }): Progress {
  if (options.quiet || !io.stderrIsTTY) return { begin: () => ({ onApi: () => undefined, end: () => undefined }), finish: () => undefined };
  const started = Date.now();
  const running = new Set<Running>();
  let done = 0;
  let shown = false;
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const line = () => {
    const reading = [...running].map((entry) => `${entry.environment} (${entry.api?.counter.attempts ?? 0} request${entry.api?.counter.attempts === 1 ? '' : 's'})`);
    io.stderr(`… ${options.what}: ${done} of ${options.total} environment${options.total === 1 ? '' : 's'} done${reading.length > 0 ? `, reading ${reading.join(', ')}` : ''} [${seconds()}]\n`);
    shown = true;
  };
  let interval: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    line();
    interval = setInterval(line, PROGRESS_INTERVAL_MS);
    interval.unref();
  }, PROGRESS_DELAY_MS);
  delay.unref();
  return {
    begin(environment) {
      const entry: Running = { environment };
      running.add(entry);
      return {
        onApi: (api) => {
          entry.api = api;
        },
        end: () => {
          if (running.delete(entry)) done++;
        },
      };
    },
    finish() {
      clearTimeout(delay);
      if (interval) clearInterval(interval);
      if (shown) io.stderr(`… ${options.what}: ${done} of ${options.total} environment${options.total === 1 ? '' : 's'} done [${seconds()}]\n`);
    },
  };
}
