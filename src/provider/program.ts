/**
 * Entry point Pulumi runs for Pulumi.yaml (`main: dist/provider/program.js`). Pulumi's Node
 * runtime calls a module's export when it is a function and uses the resolved value as the
 * stack outputs. The program itself lives in stack.ts so tests can pass it to the Automation
 * API as an inline program.
 */
import { clerkguardProgram } from './stack';

export = clerkguardProgram;
