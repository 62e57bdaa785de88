/**
 * Entry point Pulumi runs for Pulumi.yaml (`main: dist/provider/program.js`), also exported as
 * `clerkguard/pulumi` for a Pulumi project that installs clerkguard from npm. Pulumi's Node
 * runtime calls a module's export when it is a function and uses the resolved value as the
 * stack outputs. The program itself lives in stack.ts, importable without running it (the
 * unit tests declare its resources under @pulumi/pulumi mocks).
 */
import { requirePulumiSdk } from './sdk';
import type * as Stack from './stack';

// Before stack.ts loads the SDK: a missing optional peer dependency is one clear sentence.
requirePulumiSdk();

// eslint-disable-next-line @typescript-eslint/no-require-imports
export = (require('./stack') as typeof Stack).clerkguardProgram;
