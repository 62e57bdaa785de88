/** What every detector receives, and how it reports: one observation per thing it saw. */
import type { RuleId } from '../checklist/ids';
import type { Confidence, EvidenceLocation, Observation } from '../evidence/index';
import type { RevokeOnEvent } from '../settings/model';
import { excerpt, spanOf, type Node } from './ast';
import { redact } from './keys';
import type { Project } from './project';
import type { SourceFile } from './source';

export interface ScanPolicy {
  /** Events after which other sessions must end (the baseline's `session.revoke_on`, or all three). */
  revokeOn: readonly RevokeOnEvent[];
  /** From the baseline's target; undefined when no baseline was given. */
  environmentType?: 'production' | 'development';
  /** The production instance's Frontend API host, when known (baseline target or its publishable key). */
  productionHost?: string;
}

/**
 * A file searched as text: env files, committed config, build output, and source files the
 * parser could not take (`source`: a syntax error, nesting too deep, binary content), which are
 * searched for key shapes so a key committed in a broken file is still found.
 */
export interface TextFile {
  relative: string;
  kind: 'env' | 'text' | 'build' | 'source';
  text: string;
  /** For build files: the build directory as given, for messages. */
  buildRoot?: string;
  /** Binary content (NUL bytes), decoded byte for byte: searched for key shapes only. */
  binary?: boolean;
}

export interface DetectorContext {
  project: Project;
  texts: readonly TextFile[];
  policy: ScanPolicy;
  /** Build directories that were scanned (empty when none was given). */
  builds: readonly string[];
  report(observation: Omit<Observation, 'source'>): void;
}

export type Detector = (context: DetectorContext) => void;

export interface At {
  location: EvidenceLocation;
  snippet?: string;
}

/** Location and a redacted one-line excerpt of a node. */
export function at(file: SourceFile, node: Node): At {
  const span = spanOf(node);
  return { location: { file: file.display, ...span }, snippet: redact(excerpt(node)) };
}

export function atLine(relative: string, line: number, column = 1, snippet?: string): At {
  return { location: { file: relative, line, column }, ...(snippet === undefined ? {} : { snippet: redact(snippet) }) };
}

/** A finding about the application as a whole (no single line decides it). */
export function atRoot(): At {
  return { location: { file: '.' } };
}

export function observation(rule: RuleId, check: string, status: Observation['status'], confidence: Confidence, message: string, where: At): Omit<Observation, 'source'> {
  return { rule, check, status, confidence, message, location: where.location, ...(where.snippet === undefined ? {} : { snippet: where.snippet }) };
}

/** Line and column (1-based) of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}
