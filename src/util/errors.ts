/**
 * Errors the CLI knows how to explain. They print as one message plus an optional hint,
 * never with a stack trace, and carry the exit code of the contract:
 * 0 clean, 2 drift or failing findings, 1 could not complete.
 */
export class ClerkguardError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClerkguardError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_FINDINGS = 2;

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
