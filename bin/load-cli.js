'use strict';
/**
 * Loads the bundled CLI (dist/cli/clerkguard.js) with a V8 code cache, so a command starts in
 * little more than bare `node` (measured in docs/benchmarks.md). The cache is V8's compiled code
 * for the bundle, kept per Node version, installation, the bytes of the bundles (see
 * bundlesIdentity) and command (each command compiles other functions: `check` needs
 * the schema code, `--help` does not) in a folder of the user's in the
 * temp folder, as Node's own compile cache does (clerkguard-compile-cache-<uid>; never the home
 * folder or the working tree; CLERKGUARD_COMPILE_CACHE=DIR elsewhere, =0 off). It is written after a run
 * that had none (or whose cache V8 rejected), atomically; it is read only from a folder that
 * belongs to the user and that no one else can write, because compiled code runs as the user.
 * Node 20 has no built-in compile cache for CommonJS (module.enableCompileCache is Node >= 22.1),
 * so this uses vm.Script's cachedData, which every supported version has.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const BUNDLE_FOLDER = path.join(__dirname, '..', 'dist', 'cli');
/**
 * Command lines with a bundle of their own (scripts/bundle-cli.mjs COMMAND_BUNDLES): less to load
 * and a smaller code cache. `help` is a command line that only asks for the overview (`--help`,
 * `-h`, nothing): no command's action can run, so that bundle holds none of them.
 */
const COMMAND_BUNDLES = new Set(['check', 'rules', 'help']);
const HELP_ONLY = new Set(['--help', '-h']);
const BUNDLE_FILES = ['clerkguard.js', ...[...COMMAND_BUNDLES].map((command) => `clerkguard-${command}.js`)];

function cacheFolder() {
  const setting = process.env.CLERKGUARD_COMPILE_CACHE;
  if (setting === '0' || setting === 'off' || setting === 'false') return undefined;
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : (os.userInfo().username || 'user').replace(/[^A-Za-z0-9_-]/g, '_');
  const base = setting || path.join(os.tmpdir(), `clerkguard-compile-cache-${user}`);
  try {
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    const stat = fs.statSync(base);
    if (!stat.isDirectory()) return undefined;
    // Only our own folder that nobody else can write: a planted cache would run as this user.
    if (typeof process.getuid === 'function' && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0)) return undefined;
    return base;
  } catch {
    return undefined;
  }
}

/** FNV-1a of a path, in hex: a short, stable name part without loading node:crypto at start-up. */
function pathHash(text) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The bundle file a cache name's command part runs on (see loadBundledCli). */
function bundleFileOf(command) {
  if (command === '_help') return 'clerkguard-help.js';
  return command !== 'help' && COMMAND_BUNDLES.has(command) ? `clerkguard-${command}.js` : 'clerkguard.js';
}

/**
 * The identity of the bundles' bytes, for a cache's name: their total size and the latest of
 * their status change times, in nanoseconds. V8 checks only the source's length against a
 * cache, so a same-length change of any one bundle (a rebuild, an edit in place, a reinstall)
 * must change the name; a change time moves on every write, unlike a modification time, which
 * `touch`, `cp -p` or npm's normalized times in a packed tarball can set back to an old value.
 * All bundles (they are built together) rather than only the one a command runs: one name per
 * build, so a run knows which of this installation's caches are stale. Throws ENOENT when the
 * bundle the command runs (`ownFile`) is absent.
 */
function bundlesIdentity(ownFile) {
  let size = 0n;
  let changed = 0n;
  for (const file of BUNDLE_FILES) {
    let stat;
    try {
      stat = fs.statSync(path.join(BUNDLE_FOLDER, file), { bigint: true });
    } catch (error) {
      if (error && error.code === 'ENOENT' && file !== ownFile) continue;
      throw error;
    }
    size += stat.size;
    if (stat.ctimeNs > changed) changed = stat.ctimeNs;
  }
  return `${size}-${changed}`;
}

/**
 * The cache's name part for a command line, which also picks the bundle (bundleFileOf):
 * `clerkguard help …` (the help command) runs on the whole bundle, only the bare overview on
 * `help`'s; `_help` cannot be a command line's first word, so the whole bundle's `help` never
 * shares its name.
 */
function commandOf(args) {
  const helpOnly = args.length === 0 || (args.length === 1 && HELP_ONLY.has(args[0]));
  const named = /^[a-z][a-z-]{0,30}$/.test(String(args[0])) ? args[0] : 'other';
  return helpOnly ? '_help' : named;
}

/** Whether a command line runs on the whole bundle (the commands that do work), not a start-up bundle of its own. */
function runsOnWholeBundle(args) {
  return bundleFileOf(commandOf(args)) === 'clerkguard.js';
}

/**
 * Loads the bundle for a command line; undefined when it is absent (then the caller falls back to
 * dist/cli/main.js). `variant`: a name part for V8 flags set at start-up (bin/v8-tiering.js),
 * whose caches V8 rejects without them.
 */
function loadBundledCli(args, variant = '') {
  const command = commandOf(args);
  const whole = path.join(BUNDLE_FOLDER, 'clerkguard.js');
  const bundle = path.join(BUNDLE_FOLDER, bundleFileOf(command));
  let source;
  let build;
  try {
    // Identity first, bytes second: a write in between gives the new bytes an older name, which no later run asks for.
    build = bundlesIdentity(path.basename(bundle));
    // The bundle is ASCII (scripts/bundle-cli.mjs): latin1 reads it as is, without UTF-8 decoding.
    source = fs.readFileSync(bundle, 'latin1');
  } catch (error) {
    if (error && error.code === 'ENOENT') return undefined;
    throw error;
  }
  const folder = cacheFolder();
  const stamp = `${process.version}-${process.arch}`;
  // Per installation (the whole bundle's path): several installs of clerkguard on one machine
  // (other projects, other checkouts) share the folder, and each cleans up only its own older builds.
  const install = `${stamp}-${pathHash(whole)}`;
  // A cache that does not fit the bundle (V8 checks the source's length and its own version and
  // flags) is rejected and written anew; the name keeps the builds and commands apart.
  const cacheFile = folder && path.join(folder, `clerkguard-${install}-${build}-${command}${variant ? `-${variant}` : ''}.bin`);
  let cachedData;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  const bundleModule = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext().call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
  bundleModule.loaded = true;
  const needsCache = Boolean(cacheFile) && (!cachedData || script.cachedDataRejected === true);
  return {
    cli: bundleModule.exports,
    /** Call after the command ran: the cache then holds the functions it compiled, too. */
    saveCache() {
      if (!needsCache) return;
      try {
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(temporary, cacheFile);
        // This installation's older builds' caches for this Node version are dead weight; other
        // installations' are not (deleting them made two installs recompile on every alternate run).
        for (const name of fs.readdirSync(folder)) {
          if (name.startsWith(`clerkguard-${install}-`) && name.endsWith('.bin') && !name.startsWith(`clerkguard-${install}-${build}-`)) fs.rmSync(path.join(folder, name), { force: true });
        }
      } catch {
        // A cache is an optimization: a read-only or full disk changes nothing else.
      }
    },
  };
}

module.exports = { loadBundledCli, runsOnWholeBundle };
