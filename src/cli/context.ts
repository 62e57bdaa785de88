/** What every command receives: I/O, the clock, and a way to set the exit code. */
import type { CliIo } from './io';

export interface CliContext {
  io: CliIo;
  /** Today as YYYY-MM-DD; CLERKGUARD_TODAY pins it for reproducible runs and tests. */
  today(): string;
  now(): Date;
  setExitCode(code: number): void;
}
