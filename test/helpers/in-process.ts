/**
 * Runs the CLI's entry point (`main(argv, io)`) in this process: the same parsing, commands,
 * errors and exit codes as bin/clerkguard, without a process start per run. Use runCli
 * (test/helpers/cli.ts) where the process itself is the point (signals, stdout piping, start-up).
 */
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { PINNED_TODAY } from './cli';

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface MainOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Pretend stderr is a terminal (progress lines). */
  stderrIsTTY?: boolean;
  /** Terminal width for help. */
  columns?: number;
}

export async function runMain(args: readonly string[], options: MainOptions): Promise<MainRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd: options.cwd,
    env: { CLERKGUARD_TODAY: PINNED_TODAY, CLERKGUARD_HTTP_RETRIES: '0', CLERKGUARD_HTTP_BACKOFF_MS: '1', ...options.env },
    color: false,
    ...(options.stderrIsTTY ? { stderrIsTTY: true } : {}),
    ...(options.columns ? { columns: options.columns } : {}),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
