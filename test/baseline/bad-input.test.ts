import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaselineError, loadBaselineFile, loadBaselines, parseBaseline, validateBaselineText } from '../../src/baseline/load';
import { baselineJsonSchemaText } from '../../src/baseline/json-schema';
import { baselineWith } from '../helpers/baselines';
import { REPO_ROOT, fixtureDir, runCli } from '../helpers/cli';

type Draft = ReturnType<typeof baselineWith>;
type SettingsDraft = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const text = (mutate: (b: Draft) => void) => `${JSON.stringify(baselineWith(mutate), null, 2)}\n`;
const s = (b: Draft) => b.settings as SettingsDraft;

interface BadCase {
  name: string;
  input: string;
  path: string;
  message: RegExp;
  hint?: RegExp;
  line?: number;
}

const CASES: BadCase[] = [
  { name: 'invalid JSON: trailing comma', input: '{\n  "schema_version": 1,\n}\n', path: '', message: /invalid JSON: expected a property name/, line: 3 },
  { name: 'invalid JSON: unterminated string', input: '{\n  "version": "1.0\n}', path: '', message: /invalid JSON: unterminated string/, line: 2 },
  { name: 'invalid JSON: comment', input: '// note\n{}', path: '', message: /invalid JSON: comments are not allowed/, line: 1 },
  { name: 'empty file', input: '', path: '', message: /invalid JSON: expected a value/ },
  {
    name: 'unknown key with a suggestion',
    input: text((b) => {
      s(b).sesion = s(b).session;
      delete s(b).session;
    }),
    path: 'settings.sesion',
    message: /unknown key "sesion"/,
    hint: /did you mean "session"\?/,
  },
  {
    name: 'unknown nested key',
    input: text((b) => void (s(b).session.inactivity_timeout = 30)),
    path: 'settings.session.inactivity_timeout',
    message: /unknown key "inactivity_timeout"/,
    hint: /did you mean "inactivity_timeout_minutes"\?/,
  },
  {
    name: 'wrong type',
    input: text((b) => void (s(b).instance.test_mode = 'no')),
    path: 'settings.instance.test_mode',
    message: /expected boolean, got string "no"/,
  },
  {
    name: 'JWT lifetime out of range',
    input: text((b) => void (s(b).jwt_templates.supabase.lifetime = 10)),
    path: 'settings.jwt_templates.supabase.lifetime',
    message: /expected value >= 30, got number 10/,
  },
  {
    name: 'clock skew out of range',
    input: text((b) => void (s(b).jwt_templates.supabase.allowed_clock_skew = 301)),
    path: 'settings.jwt_templates.supabase.allowed_clock_skew',
    message: /expected value <= 300, got number 301/,
  },
  {
    name: 'unknown profile',
    input: text((b) => void ((b as Record<string, unknown>).profile = 'bank')),
    path: 'profile',
    message: /expected one of "banking", "saas", "consumer", got string "bank"/,
    hint: /did you mean "banking"\?/,
  },
  {
    name: 'unknown environment type',
    input: text((b) => void ((b.target as Record<string, unknown>).environment_type = 'prod')),
    path: 'target.environment_type',
    message: /expected one of "production", "development"/,
    hint: /did you mean "production"\?/,
  },
  {
    name: 'bad environment name',
    input: text((b) => void (b.environment = 'Production EU')),
    path: 'environment',
    message: /expected a lower-case environment name/,
  },
  {
    name: 'exception naming an unknown rule',
    input: text((b) => void (b.exceptions = [{ rule: 'jwt-lifetime', reason: 'r', owner: 'o', expires: '2027-01-01' }])),
    path: 'exceptions[0].rule',
    message: /expected a checklist rule id, got string "jwt-lifetime"/,
    hint: /did you mean "jwt-short-lifetime"\?/,
  },
  {
    name: 'malformed date',
    input: text((b) => void (b.exceptions = [{ rule: 'jwt-short-lifetime', reason: 'r', owner: 'o', expires: '2027-02-30' }])),
    path: 'exceptions[0].expires',
    message: /expected a real calendar date as YYYY-MM-DD/,
  },
  {
    name: 'missing required key',
    input: text((b) => delete (b as Record<string, unknown>).schema_version),
    path: 'schema_version',
    message: /missing required key "schema_version"/,
  },
  {
    name: 'future schema version',
    input: text((b) => void ((b as Record<string, unknown>).schema_version = 2)),
    path: 'schema_version',
    message: /expected 1, got number 2/,
  },
  {
    name: 'a secret key where an env var name belongs',
    input: text((b) => void (b.target.secret_key_env = 'sk_live_abc')),
    path: 'target.secret_key_env',
    message: /expected an environment variable name/,
  },
  {
    name: 'lower-case country code',
    input: text((b) => void (s(b).communication.blocked_country_codes = ['ru'])),
    path: 'settings.communication.blocked_country_codes[0]',
    message: /ISO 3166-1 alpha-2 country code in upper case/,
  },
  // zod 4 skips a record key named "__proto__" (neither key nor value checked): it is data, checked like any other key.
  {
    name: '"__proto__" webhook endpoint whose value is wrong too (like any refused key, its value is not looked at)',
    input: text((b) => void (s(b).webhooks.endpoints = JSON.parse('{"__proto__": {"events": 5}}'))),
    path: 'settings.webhooks.endpoints.__proto__',
    message: /invalid key "__proto__": expected an https URL/,
    hint: /rename the key or remove the entry/,
  },
  {
    name: '"__proto__" JWT template (a valid name) whose lifetime is out of range',
    input: text((b) => void (s(b).jwt_templates = JSON.parse('{"__proto__": {"claims": {}, "lifetime": 10}}'))),
    path: 'settings.jwt_templates.__proto__.lifetime',
    message: /expected value >= 30, got number 10/,
  },
  {
    name: '"__proto__" webhook endpoint is not a URL',
    input: text((b) => void (s(b).webhooks.endpoints = JSON.parse('{"__proto__": {"events": ["user.deleted"]}}'))),
    path: 'settings.webhooks.endpoints.__proto__',
    message: /invalid key "__proto__": expected an https URL/,
    hint: /rename the key or remove the entry/,
  },
  {
    name: '"__proto__" is not a Platform config key',
    input: text((b) => void (s(b).platform_config = JSON.parse('{"__proto__": {"lifetime": 3600}}'))),
    path: 'settings.platform_config.__proto__',
    message: /invalid key "__proto__": expected a Platform config key/,
    hint: /rename the key or remove the entry/,
  },
];

describe('bad baseline input', () => {
  it.each(CASES)('$name', (entry) => {
    const result = validateBaselineText(entry.input, 'baselines/bad.json');
    expect(result.value).toBeUndefined();
    const issue = result.errors.find((candidate) => candidate.path === entry.path);
    expect(issue, JSON.stringify(result.errors)).toBeDefined();
    expect(issue!.file).toBe('baselines/bad.json');
    expect(issue!.message).toMatch(entry.message);
    if (entry.hint) expect(issue!.hint).toMatch(entry.hint);
    if (entry.line !== undefined) expect(issue!.line).toBe(entry.line);
  });

  it('reports every problem in a file at once, in file order, with line numbers', () => {
    const input = text((b) => {
      s(b).instance.test_mode = 'no';
      s(b).jwt_templates.supabase.lifetime = 5;
      (b as Record<string, unknown>).profile = 'retail';
    });
    const { errors } = validateBaselineText(input, 'x.json');
    expect(errors.map((error) => error.path)).toEqual(['profile', 'settings.instance.test_mode', 'settings.jwt_templates.supabase.lifetime']);
    const lines = input.split('\n');
    for (const error of errors) {
      const key = error.path.split('.').pop()!;
      expect(lines[error.line! - 1]).toContain(`"${key}"`);
    }
  });

  it('locates each of thousands of problems in one file on its own line (and the same as one at a time)', () => {
    const input = text((b) => {
      for (let i = 0; i < 5000; i++) s(b).jwt_templates[`t${i}`] = { claims: { aud: `a${i}` }, lifetime: i % 2 === 0 ? 5 : 'long' };
    });
    const { errors } = validateBaselineText(input, 'x.json');
    expect(errors).toHaveLength(5000);
    const lines = input.split('\n');
    for (const error of errors) {
      expect(error.path).toMatch(/^settings\.jwt_templates\.t\d+\.lifetime$/);
      expect(lines[error.line! - 1]).toMatch(/^\s+"lifetime": (5|"long"),?$/);
      const template = error.path.split('.')[2]!;
      // The template's own key is the nearest line above that names it.
      const above = lines.slice(0, error.line! - 1).findLastIndex((line) => line.trim().startsWith('"t'));
      expect(lines[above]).toContain(`"${template}"`);
    }
  });

  it('points an unknown key at the key itself', () => {
    const input = '{\n  "schema_version": 1,\n  "versoin": "1"\n}\n';
    const issue = validateBaselineText(input, 'x.json').errors.find((error) => error.path === 'versoin')!;
    expect([issue.line, issue.column]).toEqual([3, 3]);
    expect(issue.hint).toBe('did you mean "version"?');
  });

  it('throws a BaselineError whose message names file, line and path', () => {
    const input = text((b) => void (s(b).instance.hibp = 1));
    expect(() => parseBaseline(input, 'baselines/prod.json')).toThrow(BaselineError);
    try {
      parseBaseline(input, 'baselines/prod.json');
    } catch (error) {
      expect((error as Error).message).toMatch(/^baselines\/prod\.json is not a valid baseline:\n {2}baselines\/prod\.json:\d+:\d+ settings\.instance\.hibp: expected boolean, got number 1$/);
    }
  });

  it('keeps "__proto__" keys as data and reports them as unknown', () => {
    const input = '{"__proto__": {"polluted": true}, "schema_version": 1}';
    const result = validateBaselineText(input, 'x.json');
    expect(result.errors.some((error) => error.path === '__proto__' && /unknown key/.test(error.message))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a bad "__proto__" map entry from `clerkguard check` as a located validation error, not a crash', () => {
    const input = text((b) => void (s(b).webhooks.endpoints = JSON.parse('{"__proto__": {"events": 5}}')));
    const dir = fixtureDir({ 'baselines/production.json': input });
    const result = runCli(['check', 'baselines/production.json'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(/unexpected error|this is a bug/);
    const line = input.split('\n').findIndex((candidate) => candidate.includes('"__proto__"')) + 1;
    expect(result.stderr).toContain(`baselines/production.json:${line}:`);
    expect(result.stderr).toMatch(/settings\.webhooks\.endpoints\.__proto__: invalid key "__proto__": expected an https URL/);
    expect(result.stderr).toMatch(/hint: the keys of this map are checked like its values/);
  });

  it('never throws anything but its own validation error on arbitrary JSON', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ schema_version: 1, version: '1', environment: 'production', profile: 'saas', target: { environment_type: 'production' }, settings: value })),
      fc.string(),
      fc.record({ settings: fc.dictionary(fc.constantFrom('instance', 'session', 'jwt_templates', 'constructor', '__proto__', 'toString'), fc.jsonValue()) }).map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(jsonish, (input) => {
        try {
          parseBaseline(input, 'fuzz.json');
        } catch (error) {
          if (!(error instanceof BaselineError)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });
});

const ignoring = (entryPath: string, mutate: (b: Draft) => void = () => undefined) =>
  text((b) => {
    mutate(b);
    b.ignore = [{ path: entryPath, reason: 'r', owner: 'web-team', expires: '2027-03-31' }];
  });

// An ignore entry silences drift under its path: the root, a "*" group or all of a group the
// baseline declares would silence everything there, critical weakenings included.
const IGNORE_PATHS: { path: string; refused?: { message: RegExp; hint: RegExp }; mutate?: (b: Draft) => void }[] = [
  { path: 'settings', refused: { message: /expected a path inside one settings group \(it is the settings root, so it would silence every change\), got string "settings"/, hint: /declare fewer groups/ } },
  { path: 'settings.', refused: { message: /settings root/, hint: /ignore the specific paths that change/ } },
  { path: '*', refused: { message: /its group is "\*", which matches every group/, hint: /declare fewer groups/ } },
  { path: 'settings.*', refused: { message: /matches every group/, hint: /ignore the specific paths/ } },
  { path: 'settings.*.allowed_origins', refused: { message: /matches every group/, hint: /ignore the specific paths/ } },
  { path: 'settings.session', refused: { message: /expected a path below settings\.session \(the baseline manages that group/, hint: /e\.g\. "settings\.session\.inactivity_timeout_minutes", or stop managing settings\.session/ } },
  { path: 'session', refused: { message: /below settings\.session/, hint: /stop managing settings\.session/ } },
  { path: 'settings.jwt_templates.*', refused: { message: /below settings\.jwt_templates/, hint: /"settings\.jwt_templates\.supabase"/ } },
  { path: 'settings.instance.*', refused: { message: /below settings\.instance/, hint: /stop managing settings\.instance/ } },
  // Accepted: a path inside a group, a wildcard below the group, a group the baseline does not declare, code globs.
  { path: 'settings.instance.allowed_origins' },
  { path: 'settings.jwt_templates.*.lifetime' },
  { path: 'settings.jwt_templates.supabase' },
  { path: 'settings.platform_config', mutate: (b) => void delete s(b).platform_config },
  { path: 'settings.session', mutate: (b) => void delete s(b).session },
  { path: 'code:app/legacy/**' },
];

describe('ignore entries', () => {
  it.each(IGNORE_PATHS)('$path', ({ path: entryPath, refused, mutate }) => {
    const result = validateBaselineText(ignoring(entryPath, mutate), 'baselines/production.json');
    if (!refused) {
      expect(result.errors).toEqual([]);
      return;
    }
    expect(result.value).toBeUndefined();
    const issue = result.errors.find((candidate) => candidate.path === 'ignore[0].path');
    expect(issue, JSON.stringify(result.errors)).toBeDefined();
    expect(issue!.message).toMatch(refused.message);
    expect(issue!.hint).toMatch(refused.hint);
    expect(issue!.line).toBeGreaterThan(1);
  });

  it('a refused entry fails loading with one message naming the file, the entry and the hint', () => {
    expect(() => parseBaseline(ignoring('settings'), 'baselines/production.json')).toThrow(/baselines\/production\.json:\d+:\d+ ignore\[0\]\.path: expected a path inside one settings group[\s\S]*hint: ignore the specific paths that change/);
  });
});

describe('the published JSON Schema', () => {
  it('is up to date with the zod model (run `npm run schema` to refresh)', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'baselines', 'schema.json'), 'utf8');
    expect(committed).toBe(baselineJsonSchemaText());
  });

  it('describes the baseline top-level keys and forbids unknown ones', () => {
    const schema = JSON.parse(baselineJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['$schema', 'schema_version', 'version', 'environment', 'profile', 'target', 'settings', 'exceptions', 'ignore']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['schema_version', 'version', 'environment', 'profile', 'target', 'settings']));
  });

  it('accepts both shipped baselines', () => {
    for (const name of ['production.json', 'staging.json']) {
      const file = path.join('baselines', name);
      const result = validateBaselineText(readFileSync(path.join(REPO_ROOT, file), 'utf8'), file);
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
    }
  });
});

describe('loading baseline files', () => {
  it('reads files relative to the given working directory and names them as given', () => {
    const dir = fixtureDir({ 'baselines/production.json': baselineWith(() => {}) });
    const [loaded] = loadBaselines([], dir);
    expect(loaded!.file).toBe(path.join('baselines', 'production.json'));
    expect(loaded!.baseline.environment).toBe('production');
  });

  it('explains a directory passed where one file is expected', () => {
    const dir = fixtureDir({ 'baselines/production.json': baselineWith(() => {}) });
    expect(() => loadBaselineFile(path.join(dir, 'baselines'), 'baselines')).toThrow(/^baselines: is a directory, not a baseline file$/);
  });
});
