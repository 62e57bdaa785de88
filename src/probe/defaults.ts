/** The probe's default budget, in a module of its own: the CLI shows it in --help without loading the probe. */
export const DEFAULT_MAX_REQUESTS = 60;
export const DEFAULT_TIMEOUT_MS = 10_000;
