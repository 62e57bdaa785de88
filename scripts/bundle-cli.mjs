#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js, tsc output) into one file, dist/cli/clerkguard.js,
// which bin/clerkguard loads: one file to read and compile instead of ~230 modules to resolve.
// Feature modules stay lazy (each command requires its own inside its action; esbuild keeps such
// requires as on-demand module initializers). Large dependencies few commands use stay external
// (see `external`). The bundle sits in dist/cli/ so that
// __dirname-relative paths of dist/ modules (the demo's packaged baseline) still resolve.
// The rest of dist/ (the Pulumi program and providers, the policy pack's imports) stays plain tsc output.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * commander requires node:child_process at load time, only to spawn executable subcommands,
 * which clerkguard has none of; loading it (with net and dgram) costs a noticeable share of a
 * start-up. Inside commander it resolves to a stand-in that loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(bundler) {
    bundler.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'clerkguard-lazy' } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'clerkguard-lazy' }, (args) => ({ contents: lazyModules[args.path], loader: 'js' }));
  },
};

/**
 * zod's namespace of translated error messages (`z.locales`, 660 KB of ~60 languages) is loaded by
 * zod's index at start-up, a quarter of the bundle, though clerkguard only uses English, which
 * zod's schemas import on their own. Inside zod it resolves to a stand-in with the same names,
 * each of which loads the real namespace from node_modules (zod is a dependency) on first use.
 */
const lazyZodLocales = {
  name: 'lazy-zod-locales',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\.\/locales\/index\.cjs$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'clerkguard-lazy' } : undefined,
    );
  },
};
/**
 * One zod in a bundle, its CommonJS build: tsc keeps `await import('zod')` (src/cli/commands/emulator.ts)
 * as an import, which esbuild resolved to zod's ES module build, a second copy of zod beside
 * the one `require('zod')` brings. Worse, esbuild defines an ES module's export namespaces at
 * the top of the bundle: zod's (and all its locales', which lazyZodLocales only catches for the
 * CommonJS build) were built at every start of every command, ≈ 3 ms (docs/benchmarks.md (f)).
 */
const zodAsRequired = {
  name: 'zod-as-required',
  setup(bundler) {
    bundler.onResolve({ filter: /^zod(\/.*)?$/ }, async (args) => {
      if (args.kind === 'require-call' || args.pluginData === 'zod-as-required' || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      return bundler.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, importer: args.importer, pluginData: 'zod-as-required' });
    });
  },
};
const zodLocaleNames = Object.keys(createRequire(path.join(root, 'package.json'))('zod/v4/locales')).filter((name) => name !== '__esModule');
const lazyModules = {
  'lazy-child-process': "let real; module.exports = new Proxy({}, { get: (_, name) => (real ??= require('node:child_process'))[name] });",
  'zod-locales': [
    "let real; const load = () => (real ??= require('zod/v4/locales'));",
    "Object.defineProperty(exports, '__esModule', { value: true });",
    `for (const name of ${JSON.stringify(zodLocaleNames)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
  ].join('\n'),
};

/**
 * A command's own bundle (dist/cli/clerkguard-<command>.js, bin/load-cli.js picks it by the first
 * argument): the same entry and the same code, but what other commands load inside their actions
 * (`await import(...)` in src/cli/commands/<other>.ts) stays out of it. Such an import resolves to
 * a stand-in that requires the module's tsc output from dist/ on first use; a run of this command
 * never reaches one (only this command's action runs). Less code to read and a smaller V8 code
 * cache at every start of the command (measured in docs/benchmarks.md (f)).
 */
//
// Keyed by the bundle's name, the file in src/cli/commands/ whose actions it runs: `rules` is
// registered in meta.ts (with `schema`); `help` (a command line that is only --help or -h, or
// empty: no action runs at all) keeps no command's imports.
const COMMAND_BUNDLES = { check: 'check.js', rules: 'meta.js', help: undefined };
function onlyCommandsOwnImports(command) {
  const commands = path.join(root, 'dist/cli/commands');
  const own = COMMAND_BUNDLES[command];
  return {
    name: `only-${command}-imports`,
    setup(bundler) {
      bundler.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== 'dynamic-import' || path.dirname(args.importer) !== commands || path.basename(args.importer) === own) return undefined;
        const fromBundle = path.relative(path.join(root, 'dist/cli'), path.resolve(path.dirname(args.importer), args.path)).split(path.sep).join('/');
        return { path: fromBundle, namespace: 'clerkguard-elsewhere' };
      });
      bundler.onLoad({ filter: /.*/, namespace: 'clerkguard-elsewhere' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path.startsWith('.') ? args.path : `./${args.path}`)});`, loader: 'js' }));
      bundler.onResolve({ filter: /.*/ }, (args) => (args.importer && args.namespace === 'clerkguard-elsewhere' ? { path: args.path, external: true } : undefined));
    },
  };
}

/**
 * In `check`'s bundle, zod and the baseline schema built from it load on first use: a valid
 * baseline is answered by the validator generated from the schema
 * (src/baseline/valid-baseline.generated.ts), so a `check` of valid files never evaluates zod
 * nor builds the schemas (a quarter of its start-up, docs/benchmarks.md (f)); an invalid file
 * loads both to word its errors. tsc's CommonJS output reads an import's names at their use
 * (`zod_1.z.object`), so a stand-in that loads the module when a name is first read is enough.
 */
const LAZY_IN_CHECK = [
  { importer: /[\\/]dist[\\/]/, request: /^zod$/, real: 'zod' },
  { importer: /[\\/]dist[\\/]baseline[\\/]load\.js$/, request: /^\.\/schema$/, real: path.join(root, 'dist/baseline/schema.js') },
];
const lazyUntilUsed = {
  name: 'lazy-until-used',
  setup(bundler) {
    bundler.onResolve({ filter: /.*/ }, (args) => {
      if (args.namespace !== 'file' || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      const lazy = LAZY_IN_CHECK.find((entry) => entry.request.test(args.path) && entry.importer.test(args.importer));
      return lazy ? { path: lazy.real, namespace: 'clerkguard-until-used' } : undefined;
    });
    bundler.onLoad({ filter: /.*/, namespace: 'clerkguard-until-used' }, (args) => ({
      contents: [
        `let real; const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        'module.exports = new Proxy({}, { get: (_, name) => load()[name], has: (_, name) => name in load(), ownKeys: () => Reflect.ownKeys(load()), getOwnPropertyDescriptor: (_, name) => { const d = Reflect.getOwnPropertyDescriptor(load(), name); return d && { ...d, configurable: true }; } });',
      ].join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
  },
};

const options = {
  entryPoints: [path.join(root, 'dist/cli/main.js')],
  outfile: path.join(root, 'dist/cli/clerkguard.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // jsonc-parser's UMD build requires its parts dynamically; its ES module build bundles cleanly.
  mainFields: ['module', 'main'],
  // Large dependencies that few commands load, from node_modules when they do: the SDKs (a
  // command that talks to Clerk or Slack), cron (`schedule`), typescript (`check --scan`'s parser).
  // zod/v4/locales: only through the lazy stand-in above.
  external: ['@clerk/backend', '@slack/web-api', '@pulumi/pulumi', 'cron', 'typescript', 'zod/v4/locales'],
  // Less to read at every start; identifiers stay, so stack traces (CLERKGUARD_DEBUG=1) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  // ASCII output (esbuild escapes the rest), which bin/load-cli.js reads as latin1 without decoding.
  charset: 'ascii',
  legalComments: 'eof',
  plugins: [zodAsRequired, lazyChildProcessForCommander, lazyZodLocales],
  logLevel: 'warning',
};

await Promise.all([
  build(options),
  ...Object.keys(COMMAND_BUNDLES).map((command) =>
    build({ ...options, outfile: path.join(root, `dist/cli/clerkguard-${command}.js`), plugins: [onlyCommandsOwnImports(command), ...(command === 'check' ? [lazyUntilUsed] : []), ...options.plugins] }),
  ),
]);
