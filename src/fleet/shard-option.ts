/** The --shard help text, in its own module: --help shows it without loading the shard code. */
export const SHARD_OPTION_DESCRIPTION = 'run only the environments of shard I of N (assigned by a hash of the environment name; "job/N": JOB_COMPLETION_INDEX + 1, for a Kubernetes Indexed Job)';
