/**
 * Secret scrubbing for anything that leaves the process: logs, error messages, reports and
 * snapshots. Patterns cover Clerk secret and Platform keys, Slack tokens, webhook signing
 * secrets and bearer headers; a value is replaced by its kind, never partially shown.
 */
type SecretPattern = readonly [RegExp, string];

const PRIVATE_KEY: SecretPattern = [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]'];
const PRIVATE_KEY_HEADER = /-----BEGIN [A-Z ]*PRIVATE KEY-----/g;

/**
 * Applied in this order (each to the output of the one before): HEADER_GROUP, then KEY_GROUP.
 * Grouped for the streaming scrub (ScrubStream): the first pattern of a group is the only one of
 * it that can match across a line break, the others never can.
 */
const HEADER_GROUP: readonly SecretPattern[] = [
  // Bearer first, so a bearer secret key is redacted once rather than by two patterns.
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[REDACTED]'],
  [/\bsk_(live|test)_[A-Za-z0-9_-]+/g, 'sk_$1_[REDACTED]'],
  [/\bak_[A-Za-z0-9_-]{8,}/g, 'ak_[REDACTED]'],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[REDACTED]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]+/g, 'whsec_[REDACTED]'],
];
const KEY_GROUP: readonly SecretPattern[] = [
  PRIVATE_KEY,
  // Cloudflare Turnstile secret keys (the CAPTCHA Clerk's Platform config names): real keys start
  // 0x4AAAAAAA and run longer than the 24-character site keys, which stay readable; Cloudflare's
  // documented secret keys are 35 characters (its test secrets 1x…AA, 2x…AA, 3x…AA too).
  // Standing alone only: inside base64 (a Pulumi ciphertext) such a run is chance, not a key.
  [/(?<![A-Za-z0-9+/=_-])0x4AAAAAAA[A-Za-z0-9_-]{16,}(?![A-Za-z0-9+/=])/g, '0x[REDACTED]'],
  [/(?<![A-Za-z0-9+/=_-])[0-3]x[A-Za-z0-9_-]{33}(?![A-Za-z0-9+/=_-])/g, '0x[REDACTED]'],
];
const SECRET_PATTERNS: readonly SecretPattern[] = [...HEADER_GROUP, ...KEY_GROUP];

/**
 * A JSON member whose name says it holds a secret (`"secret_key": "…"`, `"api_token": "…"`),
 * for values that arrive in a free-form place no model field redacts. Only values that look like
 * key material are replaced: at least 8 characters without spaces, with a digit, mixed case or a
 * symbol. Clerk shortcodes (`{{user.id}}`) and plain words (`"platform"`, an evidence source in a
 * coverage map) are left alone: they are not secrets, and a snapshot must stay a valid export.
 */
const JSON_MEMBER = /"((?:[^"\\]|\\.){1,200})"(\s*:\s*)"((?:[^"\\]|\\.){8,})"/g;

function secretMember(name: string, value: string): boolean {
  if (!isSensitiveNameCached(name) || value.includes('{{') || /\s/.test(value) || value === '[REDACTED]') return false;
  return /\d/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value)) || /[^A-Za-z0-9-]/.test(value);
}

/** A report names the same few members (`"path"`, `"text"`) tens of thousands of times: judged once each. */
const sensitiveNames = new Map<string, boolean>();

function isSensitiveNameCached(name: string): boolean {
  let sensitive = sensitiveNames.get(name);
  if (sensitive === undefined) {
    sensitive = isSensitiveName(name);
    if (sensitiveNames.size >= 4096) sensitiveNames.clear();
    sensitiveNames.set(name, sensitive);
  }
  return sensitive;
}

/**
 * Whether a field name says it holds a secret: its last word is `secret`, `password`,
 * `passphrase`, `token`, `credential(s)`, `apikey`, or `key` after another word (`api_key`,
 * `signing_key`; unless `public`, `publishable` or `site` qualifies it: a Turnstile site key is
 * public; a bare `key` is an identifier, like a role's key). `client_id`, `key_id`, `token_lifetime`,
 * `password_min_length` and `secret_storage` are not secrets. Dotted names (coverage paths) are
 * judged by their last segment's words.
 */
export function isSensitiveName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (['secret', 'secrets', 'password', 'passwd', 'passphrase', 'token', 'tokens', 'credential', 'credentials', 'apikey', 'privatekey', 'pem'].includes(last)) return true;
  // A bare `key` names a thing (a role's or permission's key, `org:billing`), not a secret.
  return (last === 'key' || last === 'keys') && words.length > 1 && !words.some((word) => ['public', 'publishable', 'site'].includes(word));
}

export function scrubSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 6) out = out.split(secret).join('[REDACTED]');
  }
  return redactSecretMembers(applyPatterns(out, SECRET_PATTERNS));
}

function applyPatterns(text: string, patterns: readonly SecretPattern[]): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

/** JSON_MEMBER's replacement: the same global scan as `text.replace(JSON_MEMBER, …)`. */
function redactSecretMembers(text: string): string {
  return redactMembersBefore(text, text.matchAll(JSON_MEMBER), text.length);
}

/**
 * `text` up to `end`, with the given JSON_MEMBER matches (the scan's, in order) that start before
 * `end` redacted where they hold a secret. Copies the text only when a member is redacted (a report
 * of megabytes usually has none).
 */
function redactMembersBefore(text: string, matches: Iterable<RegExpMatchArray>, end: number): string {
  let out = '';
  let copied = 0;
  for (const match of matches) {
    if (match.index! >= end) break;
    const [member, name, colon, value] = match as unknown as [string, string, string, string];
    if (!secretMember(name, value)) continue;
    out += `${text.slice(copied, match.index)}"${name}"${colon}"[REDACTED]"`;
    copied = match.index! + member.length;
  }
  if (copied === 0) return end === text.length ? text : text.slice(0, end);
  return out + text.slice(copied, end);
}

export function containsSecret(text: string): boolean {
  if (SECRET_PATTERNS.some(([pattern]) => new RegExp(pattern.source, pattern.flags).test(text))) return true;
  for (const match of text.matchAll(JSON_MEMBER)) if (secretMember(match[1]!, match[3]!)) return true;
  return false;
}

/**
 * scrubSecrets for text that arrives in pieces (a report written as it is rendered): the
 * concatenation of what it writes is exactly `scrubSecrets(all pieces joined)`, without ever
 * holding the whole text. Each group of patterns, then the JSON member scan, keeps the text it
 * was given until it can cut it after a line break that no match of its own can cross: only
 * those patterns can match across a line break (a bearer header split after `Bearer`, a private
 * key block, a JSON member with a line break in its name, value or colon), so only they decide
 * where a cut is safe, and each stage passes its output to the next as the whole scrub would.
 * A stage that cannot cut yet (an unclosed `-----BEGIN … PRIVATE KEY-----`, a member value still
 * open) keeps collecting, trying again each time its text has doubled; `end()` scrubs what is left.
 */
export class ScrubStream {
  private readonly stages: ScrubStage[];

  constructor(write: (text: string) => void, options: { chunkChars?: number } = {}) {
    const chunkChars = options.chunkChars ?? 64 * 1024;
    const members = new ScrubStage(chunkChars, memberCut, write);
    const keys = new ScrubStage(chunkChars, privateKeyCut, (text) => members.push(text));
    const headers = new ScrubStage(chunkChars, bearerCut, (text) => keys.push(text));
    this.stages = [headers, keys, members];
  }

  push(text: string): void {
    if (text.length > 0) this.stages[0]!.push(text);
  }

  end(): void {
    for (const stage of this.stages) stage.end();
  }
}

/** A stage's answer for its pending text: the scrubbed text before a safe cut, and where the rest starts; undefined: no safe cut yet. */
type StageCut = (pending: string) => { scrubbed: string; rest: number } | undefined;

class ScrubStage {
  private pending = '';
  private tryAt: number;

  constructor(
    private readonly chunkChars: number,
    private readonly cut: StageCut & { whole: (text: string) => string },
    private readonly next: (text: string) => void,
  ) {
    this.tryAt = chunkChars;
  }

  push(text: string): void {
    this.pending += text;
    if (this.pending.length < this.tryAt) return;
    const taken = this.cut(this.pending);
    if (!taken) {
      this.tryAt = this.pending.length * 2;
      return;
    }
    this.pending = this.pending.slice(taken.rest);
    this.tryAt = this.pending.length + this.chunkChars;
    if (taken.scrubbed.length > 0) this.next(taken.scrubbed);
  }

  end(): void {
    const rest = this.pending;
    this.pending = '';
    if (rest.length > 0) this.next(this.cut.whole(rest));
  }
}

/**
 * The first group (bearer headers, then patterns that never cross a line): a cut after a line
 * break is safe unless the text before it ends with `Bearer` and white space only (the header's
 * `\s+` would reach across the cut to the token).
 */
const bearerCut = Object.assign(
  (pending: string) => {
    let cut = pending.lastIndexOf('\n') + 1;
    while (cut > 0) {
      let end = cut;
      while (end > 0 && /\s/.test(pending[end - 1]!)) end--;
      if (end < 6 || !/^Bearer$/i.test(pending.slice(end - 6, end))) return { scrubbed: applyPatterns(pending.slice(0, cut), HEADER_GROUP), rest: cut };
      cut = pending.lastIndexOf('\n', end - 7) + 1;
    }
    return undefined;
  },
  { whole: (text: string) => applyPatterns(text, HEADER_GROUP) },
);

/**
 * The second group (private key blocks, then Turnstile keys, which never cross a line): a cut
 * after a line break is safe unless a block header before it has no end line before it. The
 * global scan of the text before the cut finds the same blocks as the whole scan would, up to
 * the first header whose block is not closed there; any header after the last block found is
 * one (a block's end is the first end line after its header).
 */
const privateKeyCut = Object.assign(
  (pending: string) => {
    const cut = pending.lastIndexOf('\n') + 1;
    if (cut === 0) return undefined;
    const head = pending.slice(0, cut);
    if (head.includes('-----BEGIN ')) {
      const blocks = new RegExp(PRIVATE_KEY[0].source, 'g');
      let lastBlockEnd = 0;
      for (let match = blocks.exec(head); match !== null; match = blocks.exec(head)) lastBlockEnd = blocks.lastIndex;
      const header = new RegExp(PRIVATE_KEY_HEADER.source, 'g');
      header.lastIndex = lastBlockEnd;
      if (header.test(head)) return undefined;
    }
    return { scrubbed: applyPatterns(head, KEY_GROUP), rest: cut };
  },
  { whole: (text: string) => applyPatterns(text, KEY_GROUP) },
);

/**
 * The JSON member scan. A match starts at a quote and has four delimiting quotes, and a quote not
 * preceded by a backslash always delimits (it can be neither part of a name or value nor an
 * escape), so an attempt of the scan that starts before the third-last such quote of the pending
 * text ends by the last one. An attempt at a later quote fails when no quote follows within a
 * name's reach (NAME_REACH) inside the pending text. Up to the first quote where neither holds
 * (the end of the text if there is none; a text without quotes has nothing to wait for), the
 * scan's matches are exactly the whole scan's. The cut is the last line break before that quote
 * that none of those matches crosses.
 */
const memberCut = Object.assign(
  (pending: string) => {
    const undecided = firstUndecidedQuote(pending);
    if (undecided === 0) return undefined;
    const scan = new RegExp(JSON_MEMBER.source, 'g');
    const matches: RegExpExecArray[] = [];
    for (let match = scan.exec(pending); match !== null && match.index < undecided; match = scan.exec(pending)) matches.push(match);
    let cut = pending.lastIndexOf('\n', undecided - 1) + 1;
    for (let index = matches.length - 1; index >= 0 && cut > 0; index--) {
      const match = matches[index]!;
      if (match.index + match[0].length <= cut) break;
      if (match.index < cut) cut = pending.lastIndexOf('\n', match.index - 1) + 1;
    }
    if (cut === 0) return undefined;
    return { scrubbed: redactMembersBefore(pending, matches, cut), rest: cut };
  },
  { whole: redactSecretMembers },
);

/**
 * A member's name is 1 to 200 units of one or two characters, so an attempt at a quote needs the
 * name's closing quote within the next 401 characters.
 */
const NAME_REACH = 401;

/** After a name's closing quote: anything but `\s*:\s*"`, decided by the characters present. */
const NOT_A_COLON = /\s*(?:[^\s:]|:\s*[^\s"])/y;

/**
 * Where the first attempt of the member scan starts whose outcome the pending text does not
 * decide: the first quote (escaped or not: an attempt can start at any quote) at or after the
 * third-last definite quote that the pending text does not show to fail; `pending.length` if
 * every attempt is decided.
 */
function firstUndecidedQuote(pending: string): number {
  const thirdLast = definiteQuoteBefore(pending, definiteQuoteBefore(pending, definiteQuoteBefore(pending, pending.length)));
  for (let quote = pending.indexOf('"', Math.max(thirdLast, 0)); quote >= 0; quote = pending.indexOf('"', quote + 1)) {
    if (!attemptFails(pending, quote)) return quote;
  }
  return pending.length;
}

/**
 * Whether the scan's attempt at `quote` fails whatever text follows: every quote that could close
 * the name (one within reach, up to the first that no backslash precedes: a name cannot pass that
 * one) is followed by something other than a colon and a value's opening quote.
 */
function attemptFails(pending: string, quote: number): boolean {
  for (let close = pending.indexOf('"', quote + 1); close >= 0 && close - quote <= NAME_REACH; close = pending.indexOf('"', close + 1)) {
    NOT_A_COLON.lastIndex = close + 1;
    if (!NOT_A_COLON.test(pending)) return false;
    if (pending[close - 1] !== '\\') return true;
  }
  return pending.length - quote > NAME_REACH;
}

/** The last quote before `before` that no backslash precedes (one after a cut's line break counts); -1 if none. */
function definiteQuoteBefore(text: string, before: number): number {
  if (before <= 0) return -1;
  let at = text.lastIndexOf('"', before - 1);
  while (at > 0 && text[at - 1] === '\\') at = text.lastIndexOf('"', at - 1);
  return at;
}
