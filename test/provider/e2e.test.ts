/**
 * `pulumi up` exactly as users run it: the `pulumi` CLI (with the Node language host and the
 * dynamic-provider launcher beside it, as an official install has them) on the repository's
 * own Pulumi.yaml, in a copy of the repository, logged in to a local (file) backend of its own,
 * against the in-process Clerk emulator. The commands are the ones docs/pulumi.md and the README
 * give; the last test checks that every `pulumi` command there was run here. Steps run in order
 * on one stack. Steps 6, 6b and 7 (other baselines on the stack) are e2e-other-baselines.test.ts,
 * on a stack of their own, so that both files run side by side.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containsSecret } from '../../src/settings/redact';
import { SENTINEL_PLATFORM_KEY, SENTINEL_SECRET_KEY, writesSince } from './helpers';
import { SIGNING_KEY, STACK_TRACE, TEST_TIMEOUT_MS, filesUnder, managedPart, pulumiPrerequisites, unmet, useE2eStack } from './e2e-stack';
import { REPO_ROOT, initStack } from './pulumi';

const unavailable = pulumiPrerequisites('test/provider/e2e');

describe.skipIf(unavailable !== undefined)('pulumi CLI on the repository’s Pulumi.yaml (end to end)', () => {
  const stack = useE2eStack('clerkguard-pulumi-cli-');
  const { pulumi, ok, bapi, liveSettings, ran, byHand } = stack;

  it('1. login, stack init and config as docs/pulumi.md says; preview fails a custom signing key nobody configured before anything is applied', async () => {
    // docs: `pulumi login --local`, i.e. file://~ (see pulumiUser for why not ~ itself).
    await initStack(ok, stack.user, stack.emulator, 'baselines/production.json');

    const from = stack.emulator.requests.length;
    const failed = await pulumi('preview', '--policy-pack', 'policy');
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toContain(
      `error: clerkguard: JWT template "supabase" sets custom_signing_key, but stack config has no signing key for it (hint: pulumi config set --secret --path 'clerkguard:jwtSigningKeys.supabase' <signing key>)`,
    );
    expect(failed.output).not.toMatch(STACK_TRACE);
    expect(writesSince(stack.emulator, from)).toEqual([]);

    await ok('config', 'set', '--secret', '--path', 'clerkguard:jwtSigningKeys.supabase', SIGNING_KEY);
  }, TEST_TIMEOUT_MS);

  it('2. preview with the policy pack directory passes the shipped baseline and writes nothing', async () => {
    const from = stack.emulator.requests.length;
    const output = await ok('preview', '--policy-pack', 'policy');
    expect(output).toMatch(/clerkguard@v0\.1\.0 \(local: policy\)/);
    expect(output).not.toMatch(/\[mandatory\]/);
    expect(output).toMatch(/\+ 11 to create/);
    expect(writesSince(stack.emulator, from)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('3. up adopts the objects made by hand (no "already exists") and makes the instance equal the baseline', async () => {
    const expected = managedPart(stack.baseline.settings);
    expect(unmet(expected, await liveSettings()).length).toBeGreaterThan(10);
    const output = await ok('up', '--yes', '--policy-pack', 'policy');
    expect(output).not.toMatch(/already exists/);
    for (const what of ['JWT template "supabase"', 'organization role "org:billing"', 'organization permission "org:billing:manage"']) {
      expect(output).toContain(`clerkguard: adopted the existing ${what}`);
    }
    expect(unmet(expected, await liveSettings())).toEqual([]);
    // The same objects, taken over: not deleted and created again.
    expect(stack.emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.id).toBe(byHand.template);
    expect(stack.emulator.state.roles.find((role) => role.key === 'org:billing')?.id).toBe(byHand.role);
    expect(stack.emulator.state.permissions.find((permission) => permission.key === 'org:billing:manage')?.id).toBe(byHand.permission);
    // Claims are compared whole: the hand-made template's PII claim is gone.
    expect(stack.emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.claims).toEqual(stack.baseline.settings.jwt_templates!.supabase!.claims);
    expect(stack.emulator.state.jwt_templates.find((template) => template.name === 'supabase')?.signing_key).toBe(SIGNING_KEY);
    expect(stack.emulator.requests.some((request) => request.method === 'PUT')).toBe(false);
    const outputs = JSON.parse(await ok('stack', 'output', '--json')) as { managed: string[]; platformManaged: boolean };
    expect(outputs.managed).toContain('platform-config');
    expect(outputs.platformManaged).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('4. a second up changes nothing, and a refresh of the untouched instance finds nothing', async () => {
    const from = stack.emulator.requests.length;
    const output = await ok('up', '--yes', '--policy-pack', 'policy');
    expect(output).toMatch(/Resources:\s+11 unchanged/);
    expect(writesSince(stack.emulator, from)).toEqual([]);
    const refreshed = await ok('preview', '--refresh', '--expect-no-changes');
    expect(refreshed).not.toContain('[diff:');
    expect(refreshed).not.toContain('could not be read');
  }, TEST_TIMEOUT_MS);

  it('5. a change through the Backend API is drift: preview --refresh --expect-no-changes exits 7 and names it, up --refresh fixes it', async () => {
    await bapi('PATCH', '/instance', { allowed_origins: ['https://app.example.com', 'https://www.example.com', 'https://evil.example.net'] });
    await bapi('PATCH', `/jwt_templates/${byHand.template}`, { name: 'supabase', claims: stack.baseline.settings.jwt_templates!.supabase!.claims, lifetime: 3600 });

    const drift = await pulumi('preview', '--refresh', '--expect-no-changes', '--diff');
    expect(drift.code, drift.output).toBe(7);
    expect(drift.output).toContain('error: no changes were expected for preview but changes were proposed');
    expect(drift.output).toContain('https://evil.example.net');
    expect(drift.output).toMatch(/lifetime\s*:\s*3600 => 60/);
    expect(drift.output).not.toMatch(/error: clerkguard:/);
    expect(drift.output).not.toContain(SENTINEL_SECRET_KEY);

    await ok('up', '--refresh', '--yes', '--policy-pack', 'policy');
    expect(unmet(managedPart(stack.baseline.settings), await liveSettings())).toEqual([]);
    await ok('preview', '--refresh', '--expect-no-changes');
  }, TEST_TIMEOUT_MS);

  it('8. pulumi stack export, the state files and the stack config file hold no plaintext secret', async () => {
    const exported = await ok('stack', 'export');
    const onDisk = `${filesUnder(stack.user.stateDir)}\n${filesUnder(stack.user.pulumiHome)}`;
    const stackConfig = readFileSync(path.join(stack.checkout, 'Pulumi.production.yaml'), 'utf8');
    for (const text of [exported, onDisk, stackConfig]) {
      for (const secret of [SENTINEL_SECRET_KEY, SENTINEL_PLATFORM_KEY, SIGNING_KEY]) expect(text).not.toContain(secret);
      expect(containsSecret(text)).toBe(false);
    }
    expect(onDisk.length).toBeGreaterThan(1000);
    // The keys are there, encrypted: secret values are ciphertext envelopes.
    const deployment = JSON.parse(exported) as { deployment: { resources: { urn: string; type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] } };
    const providerResource = deployment.deployment.resources.find((resource) => resource.type === 'pulumi:providers:pulumi-nodejs');
    expect(JSON.stringify(providerResource?.inputs?.['clerkguard:secretKey'])).toContain('ciphertext');
    const template = deployment.deployment.resources.find((resource) => resource.urn.endsWith('jwt-template/supabase'));
    expect(JSON.stringify(template?.outputs?.signing_key)).toContain('ciphertext');
    expect(JSON.stringify(template?.inputs?.signing_key)).toContain('ciphertext');
    // Portable: nothing in the state points at this checkout.
    expect(exported).not.toContain(stack.checkout);
  }, TEST_TIMEOUT_MS);

  it('9. a moved checkout still refreshes and applies', async () => {
    const moved = path.join(stack.work, 'moved', 'clerkguard-elsewhere');
    mkdirSync(path.dirname(moved));
    renameSync(stack.checkout, moved);
    expect(existsSync(stack.checkout)).toBe(false);
    stack.checkout = moved;
    // The stack selection belongs to the old path: a user selects it again.
    await ok('stack', 'select', 'production');
    const refreshed = await pulumi('preview', '--refresh', '--expect-no-changes');
    expect(refreshed.code, refreshed.output).toBe(0);
    expect(refreshed.output).not.toMatch(STACK_TRACE);
    expect(refreshed.output).not.toMatch(/error:/);
    // An edit after the move is applied by the moved checkout's providers.
    await bapi('PATCH', '/instance', { allowed_origins: ['https://app.example.com'] });
    await ok('up', '--refresh', '--yes', '--policy-pack', 'policy');
    expect(unmet(managedPart(stack.baseline.settings), await liveSettings())).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('10. destroy deletes templates, roles and permissions and leaves singleton settings as they are', async () => {
    const instanceBefore = { origins: [...stack.emulator.state.allowed_origins], protect: { ...stack.emulator.state.protect }, session: { ...stack.emulator.state.platform.config.session } };
    const output = await ok('destroy', '--yes');
    expect(stack.emulator.state.jwt_templates.some((template) => template.name === 'supabase')).toBe(false);
    expect(stack.emulator.state.roles.some((role) => role.key === 'org:billing')).toBe(false);
    expect(stack.emulator.state.permissions.some((permission) => permission.key === 'org:billing:manage')).toBe(false);
    expect(stack.emulator.state.allowed_origins).toEqual(instanceBefore.origins);
    expect(stack.emulator.state.protect).toEqual(instanceBefore.protect);
    expect(stack.emulator.state.platform.config.session).toEqual(instanceBefore.session);
    expect(output).toMatch(/removed from the stack only/);
    const exported = JSON.parse(await ok('stack', 'export')) as { deployment: { resources?: unknown[] } };
    expect(exported.deployment.resources ?? []).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('11. no command warned about plugins taken from $PATH, and every pulumi command of docs/pulumi.md and the README ran', () => {
    expect(ran.length).toBeGreaterThan(20);
    for (const result of ran) expect(result.output, `pulumi ${result.args.join(' ')}`).not.toMatch(/from \$PATH/);
    const documented = documentedCommands();
    expect(documented.length).toBeGreaterThan(10);
    const notRun = documented.filter((command) => !ran.some((result) => matchesDocumented(command.words, result.args)));
    expect(notRun.map((command) => `${command.source}: ${command.line}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The documented commands.

/** Flags a test adds to a documented command: it runs without a terminal to confirm on. */
const NON_INTERACTIVE_FLAGS = new Set(['--yes']);

interface DocumentedCommand {
  source: string;
  line: string;
  /** The words after `pulumi`. */
  words: string[];
}

/** Every `pulumi ...` line in the sh blocks of docs/pulumi.md and the README's Pulumi section. */
function documentedCommands(): DocumentedCommand[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Applying with Pulumi'));
  const sources: [string, string][] = [
    ['docs/pulumi.md', readFileSync(path.join(REPO_ROOT, 'docs', 'pulumi.md'), 'utf8')],
    ['README.md', section.slice(0, section.indexOf('\n## ', 3) > 0 ? section.indexOf('\n## ', 3) : undefined)],
  ];
  const commands: DocumentedCommand[] = [];
  for (const [source, text] of sources) {
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      for (const raw of block[1]!.split('\n')) {
        const line = raw.replace(/\s+#.*$/, '').trim();
        if (!line.startsWith('pulumi ')) continue;
        commands.push({ source, line, words: shellWords(line).slice(1) });
      }
    }
  }
  return commands;
}

/** Splits a documented command line into words: single quotes, and `<placeholder words>` as one. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(<[^>]*>)|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

/** A placeholder (`sk_live_...`, `<signing key>`) matches any value with its literal prefix. */
function wordMatches(documented: string, actual: string): boolean {
  if (/^<.*>$/.test(documented)) return actual !== '';
  if (documented.endsWith('...')) return actual.startsWith(documented.slice(0, -3)) && actual.length > documented.length - 3;
  return documented === actual;
}

/** `pulumi login --local` is `file://~`: the test's local backend is a file:// URL of its own. */
const LOCAL_LOGIN = ['login', '--local'];

function matchesDocumented(documented: readonly string[], args: readonly string[]): boolean {
  if (documented.join(' ') === LOCAL_LOGIN.join(' ')) return args.length === 2 && args[0] === 'login' && args[1]!.startsWith('file:///');
  const actual = args.filter((word) => !NON_INTERACTIVE_FLAGS.has(word) || documented.includes(word));
  return actual.length === documented.length && documented.every((word, index) => wordMatches(word, actual[index]!));
}
