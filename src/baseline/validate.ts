/**
 * Validation that explains itself: every problem in a file at once, each with the file, the
 * line and column, the JSON path, what was expected, and a hint. Returns `{errors, warnings}`
 * instead of throwing so that callers (CLI, policy pack, tests) choose how to present them.
 */
import { z } from 'zod';
import type { Node, ParseError, ParseErrorCode } from 'jsonc-parser';
import { locatePaths, type LocateRequest } from '../report/locate';
import { formatPath, type JsonPath, type PathSegment } from '../settings/paths';
import { closestMatch } from '../util/suggest';
import { RULE_IDS } from '../checklist/ids';
import { BYTE_ORDER_MARK, MAX_JSON_DEPTH, scanJsonText, shortPath } from '../util/json-input';
import { nullRecord } from '../util/records';

export interface ValidationIssue {
  file: string;
  /** Rendered JSON path, e.g. `settings.session.inactivity_timeout_minutes`; empty for the root. */
  path: string;
  message: string;
  hint?: string;
  line?: number;
  column?: number;
}

export interface ValidationResult<T> {
  value?: T;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface TextPosition {
  line: number;
  column: number;
}

export function offsetToPosition(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parses strict JSON. Refused with line and column: a byte order mark, nesting deeper than
 * MAX_JSON_DEPTH (checked first, without recursion, so no later step can overflow the stack),
 * syntax errors, and a key repeated in one object (both places are named: JSON.parse would
 * silently keep the last one).
 */
export function parseJsonText(text: string, file: string): ValidationResult<unknown> {
  const fail = (errors: ValidationIssue[]): ValidationResult<unknown> => ({ errors, warnings: [] });
  if (text.startsWith(BYTE_ORDER_MARK)) {
    return fail([{ file, path: '', line: 1, column: 1, message: 'the file starts with a byte order mark (BOM, U+FEFF)', hint: 'save it as UTF-8 without BOM (editors: "UTF-8" rather than "UTF-8 with BOM")' }]);
  }
  const problems = scanJsonText(text);
  const tooDeep = problems.find((problem) => problem.kind === 'too_deep');
  if (tooDeep) {
    return fail([
      {
        file,
        path: formatPath(shortPath(tooDeep.path)),
        ...offsetToPosition(text, tooDeep.offset),
        message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
        hint: 'no clerkguard file needs this much nesting; flatten the value (a JWT claim, most likely)',
      },
    ]);
  }
  // JSON.parse (not the tolerant parser) builds the value so that keys such as "__proto__"
  // become own properties instead of touching prototypes. Only text it refuses goes through
  // jsonc-parser, for the line and column of the first syntax error (its events, not a syntax
  // tree: a tree of a 12 MB baseline costs hundreds of MB; parseTree reports what onError sees).
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const { visit, printParseErrorCode } = jsoncParser();
    const parseErrors: ParseError[] = [];
    visit(text, { onError: (code: ParseErrorCode, offset: number, length: number) => void parseErrors.push({ error: code, offset, length }) }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    // Only the first syntax error is reliable: the parser's recovery makes later ones cascade.
    const first = parseErrors[0];
    if (!first) return fail([{ file, path: '', message: `invalid JSON: ${(error as Error).message}` }]);
    return fail([
      {
        file,
        path: '',
        ...offsetToPosition(text, first.offset),
        message: `invalid JSON: ${describeParseError(printParseErrorCode(first.error))}`,
        hint: 'baselines are strict JSON: no comments, no trailing commas, double-quoted keys',
      },
    ]);
  }
  const duplicates = problems.filter((problem) => problem.kind === 'duplicate_key');
  if (duplicates.length > 0) {
    return fail(
      duplicates.map((problem) => {
        const first = offsetToPosition(text, problem.firstOffset ?? 0);
        return {
          file,
          path: formatPath(problem.path),
          ...offsetToPosition(text, problem.offset),
          message: `duplicate key ${JSON.stringify(problem.key)} (first at line ${first.line}, column ${first.column})`,
          hint: 'JSON readers silently keep only one of the two values; remove one of them',
        };
      }),
    );
  }
  return { value, errors: [], warnings: [] };
}

/** jsonc-parser serves only text that is wrong (a position to point at): a valid file's check never loads it. */
function jsoncParser(): typeof import('jsonc-parser') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('jsonc-parser') as typeof import('jsonc-parser');
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'expected a property name',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected ":"',
    CommaExpected: 'expected ","',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: 'unexpected content after the end of the document',
    InvalidCommentToken: 'comments are not allowed',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

/** Locates a JSON path in the source text; for a key, points at the key itself. */
export function locatePath(text: string, path: JsonPath, pointAtKey = false): TextPosition | undefined {
  const { parseTree, findNodeAtLocation } = jsoncParser();
  const tree = parseTree(text);
  if (!tree) return undefined;
  let node: Node | undefined = findNodeAtLocation(tree, path as PathSegment[]);
  let trimmed = [...path];
  while (!node && trimmed.length > 0) {
    trimmed = trimmed.slice(0, -1);
    node = findNodeAtLocation(tree, trimmed);
  }
  if (!node) return undefined;
  const target = pointAtKey && node.parent?.type === 'property' ? node.parent : node;
  return offsetToPosition(text, target.offset);
}

/**
 * zod compiles a fast path for each object schema (`new Function`) on its first parse: ≈ 8 ms of
 * a one-file `check`, repaid only when there are many objects to parse. A file shorter than this
 * is parsed without it (the same checks, interpreted); a larger one, or a value without text
 * (a live export), with it.
 */
const JIT_MIN_TEXT_LENGTH = 256 * 1024;

/** Validates a parsed value against a zod schema, translating every issue into plain words. */
export function validateWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
  text?: string,
): ValidationResult<z.infer<S>> {
  const params = { reportInput: true, jitless: text !== undefined && text.length < JIT_MIN_TEXT_LENGTH };
  const result = schema.safeParse(value, params);
  let issues: z.core.$ZodIssue[];
  if (result.success) {
    try {
      return { value: keepRecordKeys(schema, value, result.data) as z.infer<S>, errors: [], warnings: [] };
    } catch (error) {
      if (error !== HIDDEN_ENTRY_INVALID) throw error;
      issues = hiddenEntryIssues(schema, value, [], params);
    }
  } else {
    issues = [...result.error.issues, ...hiddenEntryIssues(schema, value, [], params)];
  }
  const described: { issue: ValidationIssue; at?: LocateRequest }[] = [];
  for (const issue of issues) for (const entry of describeIssue(schema, issue, file)) described.push(entry);
  // Every issue's line in one pass over the text (a parse per issue is quadratic in a file with many).
  const located = text === undefined ? [] : locatePaths(text, described.filter((entry) => entry.at).map((entry) => entry.at!));
  let next = 0;
  const errors = described.map(({ issue, at }) => {
    const position = at && text !== undefined ? located[next++] : undefined;
    if (!position) return issue;
    const { file: issueFile, path, ...rest } = issue;
    return { file: issueFile, path, line: position.line, column: position.column, ...rest };
  });
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { errors, warnings: [] };
}

/**
 * The record key zod 4 passes over without checking it: neither the key nor its value is
 * parsed, and the entry is left out of the output (assigning it to `{}` would set a prototype).
 */
const HIDDEN_KEY = '__proto__';
/** Thrown by keepRecordKeys when a hidden entry fails its record's key or value schema. */
const HIDDEN_ENTRY_INVALID = new Error('a __proto__ entry of a record is invalid');

/**
 * zod builds record outputs with `{}` and plain assignment, so a key named `__proto__` is
 * skipped (see HIDDEN_KEY) and a key named `constructor` reads as Object.prototype's when
 * absent. Keys are data: every record in the output is rebuilt as a null-prototype object
 * holding exactly the input's keys (values as zod parsed them; a skipped entry is checked here
 * with the record's key and value schemas, and throws HIDDEN_ENTRY_INVALID when either
 * refuses it, for hiddenEntryIssues to word).
 */
function keepRecordKeys(schema: z.ZodType, input: unknown, output: unknown): unknown {
  if (!holdsRecord(schema)) return output;
  const inner = unwrap(schema);
  if (inner instanceof z.ZodRecord && isRecordLike(input) && isRecordLike(output)) {
    const valueType = inner.valueType as z.ZodType;
    const nested = holdsRecord(valueType);
    const rebuilt = nullRecord<unknown>();
    for (const key of Object.keys(input)) {
      let parsed: unknown;
      if (Object.prototype.hasOwnProperty.call(output, key)) parsed = output[key];
      else {
        const checked = (inner.keyType as z.ZodType).safeParse(key).success ? valueType.safeParse(input[key]) : undefined;
        if (!checked?.success) throw HIDDEN_ENTRY_INVALID;
        parsed = checked.data;
      }
      rebuilt[key] = nested ? keepRecordKeys(valueType, input[key], parsed) : parsed;
    }
    return rebuilt;
  }
  if (inner instanceof z.ZodObject && isRecordLike(output)) {
    const source = isRecordLike(input) ? input : {};
    for (const [key, child] of recordFields(inner)) {
      if (Object.prototype.hasOwnProperty.call(output, key)) output[key] = keepRecordKeys(child, source[key], output[key]);
    }
    return output;
  }
  if (inner instanceof z.ZodArray && Array.isArray(output)) {
    return output.map((item, index) => keepRecordKeys(inner.element as z.ZodType, Array.isArray(input) ? input[index] : undefined, item));
  }
  return output;
}

/**
 * The issues of every record entry zod skipped (HIDDEN_KEY), worded as zod words those of any
 * other key: an invalid_key at the key, the value's own issues below it. Entries nested in a
 * skipped value are skipped by its parse as well, and found by this walk.
 */
function hiddenEntryIssues(schema: z.ZodType, input: unknown, path: PathSegment[], params: { reportInput: boolean; jitless: boolean }): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const walk = (node: z.ZodType, value: unknown, at: PathSegment[]): void => {
    if (!holdsRecord(node)) return;
    const inner = unwrap(node);
    if (inner instanceof z.ZodRecord && isRecordLike(value)) {
      const valueType = inner.valueType as z.ZodType;
      for (const key of Object.keys(value)) {
        // Like zod: the value under a refused key is not looked at.
        const keyResult = (inner.keyType as z.ZodType).safeParse(key, params);
        if (key === HIDDEN_KEY) {
          if (!keyResult.success) {
            issues.push({ code: 'invalid_key', origin: 'record', issues: keyResult.error.issues, input: key, path: [...at, key], message: 'Invalid key in record' } as z.core.$ZodIssue);
          } else {
            const valueResult = valueType.safeParse(value[key], params);
            if (!valueResult.success) for (const issue of valueResult.error.issues) issues.push({ ...issue, path: [...at, key, ...issue.path] });
          }
        }
        if (keyResult.success) walk(valueType, value[key], [...at, key]);
      }
    } else if (inner instanceof z.ZodObject && isRecordLike(value)) {
      for (const [key, child] of recordFields(inner)) if (Object.prototype.hasOwnProperty.call(value, key)) walk(child, value[key], [...at, key]);
    } else if (inner instanceof z.ZodArray && Array.isArray(value)) {
      value.forEach((item, index) => walk(inner.element as z.ZodType, item, [...at, index]));
    }
  };
  walk(schema, input, path);
  return issues;
}

/**
 * Whether a schema holds a record anywhere keepRecordKeys looks (objects' fields, arrays' items),
 * computed once per schema: a large value (50,000 JWT templates) is walked only along the fields
 * that can hold a record, not field by field.
 */
const recordHolders = new WeakMap<z.ZodType, boolean>();
function holdsRecord(schema: z.ZodType): boolean {
  const known = recordHolders.get(schema);
  if (known !== undefined) return known;
  recordHolders.set(schema, false); // a schema that refers back to itself is not walked twice
  const inner = unwrap(schema);
  const holds =
    inner instanceof z.ZodRecord ||
    (inner instanceof z.ZodObject && Object.values(inner.shape as Record<string, z.ZodType>).some(holdsRecord)) ||
    (inner instanceof z.ZodArray && holdsRecord(inner.element as z.ZodType));
  recordHolders.set(schema, holds);
  return holds;
}

const objectRecordFields = new WeakMap<z.ZodObject, [string, z.ZodType][]>();
/** An object schema's fields that can hold a record. */
function recordFields(schema: z.ZodObject): [string, z.ZodType][] {
  let fields = objectRecordFields.get(schema);
  if (!fields) {
    fields = Object.entries(schema.shape as Record<string, z.ZodType>).filter(([, child]) => holdsRecord(child));
    objectRecordFields.set(schema, fields);
  }
  return fields;
}

function isRecordLike(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An issue in plain words, with the path whose position in the text it points at (located later, all at once). */
function describeIssue(root: z.ZodType, issue: z.core.$ZodIssue, file: string): { issue: ValidationIssue; at?: LocateRequest }[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const at = (segments: JsonPath, pointAtKey = false): LocateRequest => ({ path: segments, pointAtKey });
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const known = knownKeysAt(root, path);
        const suggestion = closestMatch(key, known);
        return {
          issue: {
            file,
            path: formatPath([...path, key]),
            message: `unknown key "${key}"`,
            hint: suggestion ? `did you mean "${suggestion}"?` : known.length > 0 ? `allowed keys here: ${known.join(', ')}` : undefined,
          },
          at: at([...path, key], true),
        };
      });
    case 'invalid_key': {
      // A map's key is data checked like a value: what the key schema expected, at the key.
      const key = String((issue as { input?: unknown }).input ?? path[path.length - 1] ?? '');
      const expected = issue.issues.flatMap((inner) => describeIssue(root, { ...inner, path: [], input: key } as z.core.$ZodIssue, file)).map((entry) => entry.issue.message);
      return [
        {
          issue: {
            file,
            path: formatPath(path),
            message: `invalid key ${JSON.stringify(key)}: ${expected.length > 0 ? expected.join('; ') : issue.message}`,
            hint: 'the keys of this map are checked like its values; rename the key or remove the entry',
          },
          at: at(path, true),
        },
      ];
    }
    case 'invalid_type': {
      const input = (issue as { input?: unknown }).input;
      const missing = input === undefined;
      return [
        {
          issue: {
            file,
            path: formatPath(path),
            message: missing ? `missing required key "${String(path[path.length - 1] ?? '')}" (expected ${issue.expected})` : `expected ${issue.expected}, got ${describeValue(input)}`,
          },
          at: at(missing ? path.slice(0, -1) : path),
        },
      ];
    }
    case 'invalid_value': {
      const input = (issue as { input?: unknown }).input;
      if (input === undefined && path.length > 0) {
        return [{ issue: { file, path: formatPath(path), message: `missing required key "${String(path[path.length - 1])}" (expected ${issue.values.map((option) => JSON.stringify(option)).join(' or ')})` }, at: at(path.slice(0, -1)) }];
      }
      const options = issue.values.map((option) => JSON.stringify(option));
      const suggestion = typeof input === 'string' ? closestMatch(input, issue.values.map(String)) : undefined;
      return [
        {
          issue: {
            file,
            path: formatPath(path),
            message: `expected ${options.length === 1 ? options[0] : `one of ${options.join(', ')}`}, got ${describeValue(input)}`,
            hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
          },
          at: at(path),
        },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const input = (issue as { input?: unknown }).input;
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const comparison = issue.code === 'too_small' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      const what = issue.origin === 'string' ? 'length' : issue.origin === 'array' ? 'number of items' : 'value';
      return [
        {
          issue: { file, path: formatPath(path), message: `expected ${what} ${comparison} ${String(bound)}, got ${describeValue(input)}` },
          at: at(path),
        },
      ];
    }
    case 'custom': {
      const input = (issue as { input?: unknown }).input;
      const last = path[path.length - 1];
      const isRule = last === 'rule' && typeof input === 'string';
      const suggestion = isRule ? closestMatch(input, RULE_IDS) : undefined;
      return [
        {
          issue: {
            file,
            path: formatPath(path),
            message: `${issue.message}, got ${describeValue(input)}`,
            hint: isRule ? (suggestion ? `did you mean "${suggestion}"? (list rules with: clerkguard rules)` : 'list rules with: clerkguard rules') : customHint(issue),
          },
          at: at(path),
        },
      ];
    }
    default: {
      const input = (issue as { input?: unknown }).input;
      return [
        {
          issue: { file, path: formatPath(path), message: input === undefined ? issue.message : `${issue.message}, got ${describeValue(input)}` },
          at: at(path),
        },
      ];
    }
  }
}

/** A refinement may carry its own hint (`params: { hint }`). */
function customHint(issue: z.core.$ZodIssueCustom): string | undefined {
  const hint = issue.params?.hint as unknown;
  return typeof hint === 'string' ? hint : undefined;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** The keys a strict object accepts at `path`, for "did you mean" hints. */
export function knownKeysAt(root: z.ZodType, path: readonly PathSegment[]): string[] {
  let schema: z.ZodType | undefined = root;
  for (const segment of path) {
    schema = schema ? childSchema(schema, segment) : undefined;
  }
  schema = schema ? unwrap(schema) : undefined;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The schema inside optional, nullable and default wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodDefault) current = current.removeDefault() as z.ZodType;
    else return current;
  }
}

/** The schema of `segment` inside an object, record or array schema; undefined for anything else. */
export function childSchema(schema: z.ZodType, segment: PathSegment): z.ZodType | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return (inner.shape as Record<string, z.ZodType>)[String(segment)];
  if (inner instanceof z.ZodRecord) return inner.valueType as z.ZodType;
  if (inner instanceof z.ZodArray) return inner.element as z.ZodType;
  return undefined;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const path = issue.path === '' ? '' : ` ${issue.path}:`;
  return `${where}${path} ${issue.message}${issue.hint ? `\n    hint: ${issue.hint}` : ''}`;
}
