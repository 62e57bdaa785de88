/** The CLI's view of the outside world, injectable so commands can be tested in-process. */
import { colorEnabled } from '../report/style';
import { scrubSecrets } from '../settings/redact';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** stderr is a terminal: progress lines are shown (never in CI logs or pipes). */
  stderrIsTTY?: boolean;
  /** Help is wrapped to this width (the terminal's; 80 when not a terminal). */
  columns?: number;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(scrubSecrets(text)),
    cwd: process.cwd(),
    env: process.env,
    color: colorEnabled(process.stdout, process.env),
    // Asked only by commands that show progress: reading it creates process.stderr (with node:net for a pipe or terminal).
    get stderrIsTTY() {
      return process.stderr.isTTY === true;
    },
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  };
}
