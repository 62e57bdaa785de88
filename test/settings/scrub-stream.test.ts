/**
 * Oracles for the scrub's fast paths: scrubSecrets against the plain replace chain it replaced,
 * and ScrubStream (the scrub of text written in pieces) against scrubSecrets of the whole text,
 * with secrets of every kind placed across piece and chunk boundaries.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { containsSecret, isSensitiveName, scrubSecrets, ScrubStream } from '../../src/settings/redact';

/** scrubSecrets as it was written before the fast paths: eight replaces and a replace with a callback. */
function referenceScrub(text: string): string {
  const patterns: [RegExp, string][] = [
    [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[REDACTED]'],
    [/\bsk_(live|test)_[A-Za-z0-9_-]+/g, 'sk_$1_[REDACTED]'],
    [/\bak_[A-Za-z0-9_-]{8,}/g, 'ak_[REDACTED]'],
    [/\bxox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[REDACTED]'],
    [/\bwhsec_[A-Za-z0-9+/=_-]+/g, 'whsec_[REDACTED]'],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'],
    [/(?<![A-Za-z0-9+/=_-])0x4AAAAAAA[A-Za-z0-9_-]{16,}(?![A-Za-z0-9+/=])/g, '0x[REDACTED]'],
    [/(?<![A-Za-z0-9+/=_-])[0-3]x[A-Za-z0-9_-]{33}(?![A-Za-z0-9+/=_-])/g, '0x[REDACTED]'],
  ];
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  const secretMember = (name: string, value: string) => {
    if (!isSensitiveName(name) || value.includes('{{') || /\s/.test(value) || value === '[REDACTED]') return false;
    return /\d/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value)) || /[^A-Za-z0-9-]/.test(value);
  };
  return out.replace(/"((?:[^"\\]|\\.){1,200})"(\s*:\s*)"((?:[^"\\]|\\.){8,})"/g, (member: string, name: string, colon: string, value: string) =>
    secretMember(name, value) ? `"${name}"${colon}"[REDACTED]"` : member,
  );
}

function streamed(pieces: readonly string[], chunkChars?: number): string {
  return streamedCounting(pieces, chunkChars).text;
}

/** What the stream wrote, and how many characters of it it had written before `end()`. */
function streamedCounting(pieces: readonly string[], chunkChars?: number): { text: string; beforeEnd: number } {
  const out: string[] = [];
  const stream = new ScrubStream((text) => out.push(text), chunkChars === undefined ? {} : { chunkChars });
  for (const piece of pieces) stream.push(piece);
  const beforeEnd = out.join('').length;
  stream.end();
  return { text: out.join(''), beforeEnd };
}

/** Splits `text` at the given offsets (taken modulo its length). */
function splitAt(text: string, offsets: readonly number[]): string[] {
  const cuts = [...new Set(offsets.map((offset) => (text.length === 0 ? 0 : offset % (text.length + 1))))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(text.slice(from, cut));
    from = cut;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** Tokens that make secrets, near-secrets and the characters the patterns turn on. */
const TOKENS = [
  'Bearer',
  'bearer ',
  'BEARER\n',
  ' ',
  '  ',
  '\n',
  '\n\n',
  '\t',
  '"',
  '\\',
  '\\"',
  ':',
  ': ',
  ',',
  '{',
  '}',
  'sk_live_',
  'sk_test_',
  'ak_',
  'xoxb-',
  'whsec_',
  'AbC123xyz789',
  'abcdefgh',
  'Sx9',
  '{{user.id}}',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  '-----BEGIN PRIVATE KEY-----',
  '-----END PRIVATE KEY-----',
  '0x4AAAAAAA',
  '0x4AAAAAAAABBBBBBBBCCCCCCCCdd',
  '1x0000000000000000000000000000000AA',
  '"secret_key"',
  '"api_token"',
  '"client_id"',
  '"password"',
  '"name"',
  '"s3cr3tValue!"',
  '"plainwords"',
  '[REDACTED]',
  'é',
];

const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(''));

/** Prose longer than a member name's reach (401 characters), without a quote. */
const PROSE = 'The drift report lists each change below.\n'.repeat(12);

/**
 * Text with at most two quotes (or escaped quotes), long quote-free runs and the secrets that need
 * no quote (bearer headers across a line, private key blocks, key shapes).
 */
const fewQuoteText = fc
  .tuple(
    fc.array(fc.constantFrom(...TOKENS.filter((token) => !token.includes('"')), PROSE, 'x'.repeat(420)), { maxLength: 40 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('"', '\\"', '"api_token": "AbC1', 'Sx9"')), { maxLength: 2 }),
  )
  .map(([tokens, quotes]) => {
    for (const [at, quote] of quotes) tokens.splice(at % (tokens.length + 1), 0, quote);
    return tokens.join('');
  });

/** Secrets of each kind inside realistic report lines (JSON, markdown, text). */
const SECRET_LINES = [
  '  "authorization": "Bearer sk_live_AbC123xyz789",',
  '      | Authorization: Bearer\n        AbC123.xyz-789',
  '- `settings.secret_key` = `"sk_test_abcdefghijkl"` (bapi)',
  '    "signing_key": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA\\n-----END RSA PRIVATE KEY-----",',
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\nabc\n-----END EC PRIVATE KEY-----',
  '  "webhook": "whsec_AbC123xyz789+/=",',
  '  "slack": "xoxb-123-456-abc",',
  '  "platform": "ak_0123456789abcdef",',
  '  "captcha_secret": "0x4AAAAAAAABBBBBBBBCCCCCCCCddd",',
  '  "test_secret": "2x0000000000000000000000000000000AA",',
  '  "api_token"\n  :\n  "AbC123xyz789",',
  '  "client_secret": "multi\nline\nSecret42"',
];

/** Members whose match starts at an escaped quote or reaches far across lines (not in reports: they stay unescaped there). */
const FAR_REACHING_LINES = [
  // A scan can start at an escaped quote, and a name can hold line breaks.
  '\\"x\napi_token": "AbC123xyz789"',
  // A name of 200 units, 393 characters: its closing quote is far from its opening one, and a cut
  // after either of its line breaks would split the member.
  `"\n${'\\\\'.repeat(193)}\ntoken": "AbC123xyz789"`,
];

const SPLIT_LINES = [...SECRET_LINES, ...FAR_REACHING_LINES];

function reportLike(lines: number, seed: number): string {
  const out: string[] = ['{', '  "status": "drift",', '  "changes": ['];
  for (let i = 0; i < lines; i++) {
    if ((i * 7 + seed) % 13 === 0) out.push(SECRET_LINES[(i + seed) % SECRET_LINES.length]!);
    else out.push(`    { "path": "settings.jwt_templates.service-${i}.lifetime", "baseline": 60, "live": 3600, "source": "bapi" },`);
  }
  out.push('  ]', '}', '');
  return out.join('\n');
}

describe('scrubSecrets fast path', () => {
  it('answers as the plain replace chain on arbitrary token text', () => {
    fc.assert(
      fc.property(tokenText, (text) => {
        expect(scrubSecrets(text)).toBe(referenceScrub(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers as the plain replace chain on report-like text with secrets', () => {
    for (let seed = 0; seed < 13; seed++) {
      const text = reportLike(300, seed);
      expect(scrubSecrets(text)).toBe(referenceScrub(text));
    }
  });

  it('returns the same string when nothing is redacted', () => {
    const text = reportLike(50, 1).replace(/Bearer|sk_|ak_|xox|whsec_|PRIVATE|0x4|2x0|"[a-z_]*(secret|token|key)"/g, 'plain');
    expect(scrubSecrets(text)).toBe(text);
    expect(containsSecret(text)).toBe(false);
  });
});

describe('ScrubStream', () => {
  it.each([
    ['report-like texts with tokens', tokenText, 80, 3000],
    ['texts with zero, one or two quotes', fewQuoteText, 600, 1500],
  ] as const)('writes exactly scrubSecrets of the whole text, however it is split and chunked: %s', (_, texts, largestChunk, numRuns) => {
    fc.assert(
      fc.property(texts, fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: largestChunk }), (text, offsets, chunkChars) => {
        expect(streamed(splitAt(text, offsets), chunkChars)).toBe(scrubSecrets(text));
      }),
      { numRuns },
    );
  });

  it.each([
    ['inside a JSON object', (line: string) => `{\n  "a": "b",\n${line}\n  "c": "d"\n}\n`, [1, 7, 64]],
    ['after a long quote-free run', (line: string) => `${PROSE}${line}\n${PROSE}`, [1, 64]],
  ] as const)('redacts a secret split across every possible piece boundary: %s', (_, around, chunkSizes) => {
    for (const line of SPLIT_LINES) {
      const text = around(line);
      const whole = scrubSecrets(text);
      expect(containsSecret(whole)).toBe(false);
      for (let at = 0; at <= text.length; at++) {
        for (const chunkChars of chunkSizes) expect(streamed([text.slice(0, at), text.slice(at)], chunkChars)).toBe(whole);
      }
    }
  });

  it('writes quote-free text before the end instead of holding it whole', () => {
    // Every stage holds at most about one chunk and a line; the default chunk is 64 Ki characters.
    const held = 4 * 64 * 1024;
    const lines = Array.from({ length: 20_000 }, (_, i) => `- setting ${i} matches its baseline (no change)\n`);
    const plain = lines.join('');
    const lateQuotes = `${plain}## Secrets\nAuthorization: Bearer\n  AbC123.xyz-789\n{\n  "api_token": "AbC123xyz789",\n  "name": "ok"\n}\n`;
    const oneEarlyQuote = `# Report for "production"\n${plain}sk_live_AbC123xyz789\n`;
    for (const text of [plain, lateQuotes, oneEarlyQuote]) {
      const pieces = text.match(/[\s\S]{1,1000}/g) ?? [];
      const { text: out, beforeEnd } = streamedCounting(pieces);
      expect(out).toBe(scrubSecrets(text));
      expect(beforeEnd).toBeGreaterThan(plain.length - held);
    }
  });

  it('streams report-like text in pieces with secrets across chunk boundaries', () => {
    for (let seed = 0; seed < 13; seed++) {
      const text = reportLike(400, seed);
      const whole = scrubSecrets(text);
      expect(whole).toBe(referenceScrub(text));
      const pieces = text.match(/[\s\S]{1,97}/g) ?? [];
      for (const chunkChars of [1, 50, 300, 4096, 64 * 1024]) expect(streamed(pieces, chunkChars)).toBe(whole);
    }
  });

  it('keeps collecting while a private key block is open, and scrubs it when it closes or the text ends', () => {
    const open = `line\n-----BEGIN RSA PRIVATE KEY-----\n${'MIIEpAIBAAKCAQEA\n'.repeat(200)}`;
    for (const text of [`${open}-----END RSA PRIVATE KEY-----\nafter\n`, `${open}no end\n`]) {
      const pieces = text.match(/[\s\S]{1,10}/g) ?? [];
      expect(streamed(pieces, 16)).toBe(scrubSecrets(text));
    }
  });

  it('writes nothing for nothing', () => {
    expect(streamed([], 16)).toBe('');
    expect(streamed(['', ''], 16)).toBe('');
  });
});
