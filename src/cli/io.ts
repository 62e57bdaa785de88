/** The CLI's view of the outside world, injectable so commands can be tested in-process. */
import { colorEnabled } from '../report/style';
import { scrubSecrets } from '../settings/redact';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  color: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(scrubSecrets(text)),
    cwd: process.cwd(),
    env: process.env,
    color: colorEnabled(process.stdout, process.env),
  };
}
