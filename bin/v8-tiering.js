'use strict';
/**
 * Delays V8's tier-up to its optimizing compiler (TurboFan) for the commands that do the work
 * (drift, apply, snapshot, …), set before the bundle loads. Why: a fleet run repeats one short
 * piece of work per environment, so TurboFan compiled (on a helper thread) and often threw away
 * code that was used only a few more times: in docs/benchmarks.md (i) that compiling was about a
 * fifth of the CPU per environment, and a 4× later tier-up cut it by 15–20 % on Node 20 (same
 * runs with and without, paired). Long CPU-bound runs (drift over 50,000 templates, (b) and (g)) still reach
 * optimized code; they measured no worse. Only flags that this Node's V8 has are set (an unknown
 * flag is not an error there: V8 prints "unrecognized flag" on the terminal and goes on), so a
 * Node major that is not listed runs with V8's defaults. CLERKGUARD_V8_FLAGS=off (or 0, false)
 * keeps V8's defaults everywhere.
 *
 * Set here at run time because Node does not take these V8 flags from NODE_OPTIONS; V8 reads them
 * at tier-up time, so setting them after start works (measured, (i)). A flag the user gave node
 * on its command line (`node --interrupt-budget=… clerkguard …`) is theirs and is not set. The
 * code cache (load-cli.js) is checked against V8's flags, so a run with and without them keeps
 * caches of its own (see `cacheVariant`).
 */

/**
 * 4× V8's default, per major: Node 20 (V8 11.3) counts a bytecode budget, 22 (V8 12.4)
 * invocations. Node 24 (V8 13.6) none: its Maglev tier compiles first and cheaper, and the same
 * 4× measured no gain there (docs/benchmarks.md (i)).
 */
const TIERING_FLAGS_BY_NODE_MAJOR = {
  20: ['--interrupt-budget=270336'], // default 67584
  22: ['--invocation-count-for-turbofan=12000'], // default 3000
  24: [],
};

/** The flags for a Node major ([] when none are known for it or the user turned them off). */
function tieringFlagsFor(nodeMajor, setting) {
  if (setting !== undefined && ['off', '0', 'false'].includes(String(setting).trim().toLowerCase())) return [];
  return TIERING_FLAGS_BY_NODE_MAJOR[nodeMajor] ?? [];
}

/** Whether node's own command line names the flag (V8 spells a flag with - or _). */
function givenToNode(flag, execArgv) {
  const name = flag.split('=')[0].replace(/_/g, '-');
  return execArgv.some((arg) => arg.split('=')[0].replace(/_/g, '-') === name);
}

/** Sets this process's flags; returns the code-cache name part for them ('' for V8's defaults). */
function applyTieringFlags(env = process.env) {
  const flags = tieringFlagsFor(Number(process.versions.node.split('.')[0]), env.CLERKGUARD_V8_FLAGS).filter(
    (flag) => !givenToNode(flag, process.execArgv),
  );
  if (flags.length === 0) return '';
  require('node:v8').setFlagsFromString(flags.join(' '));
  return 'tiered';
}

module.exports = { TIERING_FLAGS_BY_NODE_MAJOR, tieringFlagsFor, givenToNode, applyTieringFlags };
