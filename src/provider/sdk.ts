/**
 * `@pulumi/pulumi` is an optional peer dependency: `check`, `drift` and the other commands never
 * load it, so an installation for them skips the SDK and its OpenTelemetry tree (measured in
 * docs/pulumi.md). Only the Pulumi program needs it. `pulumi up` in a project without any SDK
 * stops in Pulumi's own launcher ("the Pulumi SDK has not been installed"); this check covers
 * the rest: an SDK clerkguard cannot resolve from where it is installed, or
 * `require('clerkguard/pulumi')` outside Pulumi. It throws one sentence that says what to
 * install instead of Node's "Cannot find module".
 */
export const PULUMI_SDK = '@pulumi/pulumi';
/** The last line that declares Node 20 (3.249+ needs Node 22). */
export const PULUMI_SDK_RANGE = '~3.248.0';

export function pulumiSdkMissingMessage(): string {
  return (
    `clerkguard: \`pulumi up\` needs the Pulumi SDK (${PULUMI_SDK}), an optional peer dependency of clerkguard that is not installed ` +
    `(hint: run \`npm install --save-dev ${PULUMI_SDK}@${PULUMI_SDK_RANGE}\` in the project that runs pulumi; on Node 22 or later any 3.x from 3.248 works; ` +
    'check, drift, snapshot and the other commands do not need it)'
  );
}

/** Throws the one-sentence error when the SDK cannot be resolved from `from` (a directory). */
export function requirePulumiSdk(resolve: (request: string) => string = require.resolve): void {
  try {
    resolve(PULUMI_SDK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND') throw error;
    const missing = new Error(pulumiSdkMissingMessage());
    // Pulumi's program runner prints a RunError's message alone, without the stack (it tests this marker).
    Object.assign(missing, { __pulumiRunError: true });
    throw missing;
  }
}
