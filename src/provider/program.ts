/**
 * Entry point Pulumi runs for Pulumi.yaml (`main: dist/provider/program.js`). Pulumi's Node
 * runtime calls a module's export when it is a function and uses the resolved value as the
 * stack outputs. The program itself lives in stack.ts, importable without running it (the
 * unit tests declare its resources under @pulumi/pulumi mocks).
 */
import { clerkguardProgram } from './stack';

export = clerkguardProgram;
