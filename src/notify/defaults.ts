/** Where `--slack` keeps the alert lifecycle state unless `--state` says otherwise. Its own module: the CLI shows it in --help without loading the state code. */
export const DEFAULT_STATE_FILE = '.clerkguard/state.json';
