/**
 * Item 20's strongest evidence is clerkguard's own: the review report of an earlier snapshot of
 * the environment, signed off by a reviewer and committed to git. This module decides whether
 * that report is evidence; the rule (src/checklist/rules/monitoring.ts) judges its age against
 * the review cadence.
 *
 * What counts, and why (fail closed: anything else is `unusable`, with the reason in words):
 * - the newest snapshot of the environment from an EARLIER quarter (the last-known-good one); a
 *   quarter's own report never vouches for itself: it was signed off after it was written, and a
 *   signed report must not change under its signature;
 * - of the same instance as the live one, both named (a review of another or an unnamed instance
 *   reviews nothing here);
 * - a sign-off block with a reviewer, a real YYYY-MM-DD date no earlier than the snapshot's
 *   capture, and one of the decisions the block names;
 * - the report is committed: its bytes equal the blob at HEAD. A sign-off typed into the working
 *   tree but not committed is a draft; the commit is what puts it on the record.
 * Bounded: the report is read only up to MAX_REVIEW_BYTES, the block up to MAX_SIGN_OFF_CHARS, and
 * git answers four local questions (the work tree, HEAD's blob, the file's hash, its last commit).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SnapshotReviewEvidence } from '../checklist/index';
import { exportedDay, type LiveExport } from '../export/types';
import { describeError } from '../util/errors';
import { GitRepository, runGit } from './git';
import { parseSignOff, signOffBlock } from './review-markdown';

/** Far larger than a review report of thousands of changes; a larger file is not read. */
export const MAX_REVIEW_BYTES = 8 * 1024 * 1024;

/** The earlier snapshot whose review may be evidence. */
export interface EarlierSnapshot {
  quarter: string;
  /** Absolute path of its review report (`<dir>/<env>/<quarter>.md`). */
  markdown: string;
  /** Its export, already read and validated. */
  export: Pick<LiveExport, 'captured_at' | 'instance_id'>;
}

export interface ReviewEvidenceInput {
  environment: string;
  /** The newest earlier snapshot, if any. */
  earlier: EarlierSnapshot | undefined;
  /** The live instance the review is about. */
  instanceId: string | null;
  /** How a file is named in the finding (stable across runs: relative to the snapshots folder). */
  show: (file: string) => string;
  env?: NodeJS.ProcessEnv;
}

export async function earlierReviewEvidence(input: ReviewEvidenceInput): Promise<SnapshotReviewEvidence> {
  const { earlier } = input;
  if (!earlier) {
    return { kind: 'unusable', reason: `there is no earlier snapshot of ${input.environment} in the snapshots folder (a quarter's review is counted by the next quarter's snapshot, once signed off and committed)` };
  }
  const file = input.show(earlier.markdown);
  const unusable = (reason: string): SnapshotReviewEvidence => ({ kind: 'unusable', file, reason: `${file} (${earlier.quarter}) ${reason}` });
  // Unknown on either side is no match: a review of an instance nobody can name proves nothing here.
  if (earlier.export.instance_id === null || input.instanceId === null) {
    return unusable(`cannot be matched to the live instance: ${earlier.export.instance_id === null ? 'its snapshot names no instance_id' : 'the live export names no instance_id'}`);
  }
  if (earlier.export.instance_id !== input.instanceId) return unusable(`reviewed instance ${earlier.export.instance_id}, not ${input.instanceId}`);
  const text = readReview(earlier.markdown);
  if (typeof text !== 'string') return unusable(text.problem);
  const block = signOffBlock(text);
  if (block === undefined) return unusable('has no sign-off block (between the clerkguard:sign-off markers)');
  const signOff = parseSignOff(block);
  if ('problem' in signOff) return unusable(signOff.problem);
  const captured = exportedDay(earlier.export.captured_at);
  if (captured !== undefined && signOff.date < captured) return unusable(`was signed off on ${signOff.date}, before its snapshot was captured (${captured})`);
  const commit = await committedAtHead(earlier.markdown, input.env);
  if ('problem' in commit) return unusable(commit.problem);
  return { kind: 'signed', file, quarter: earlier.quarter, commit: commit.id, reviewer: signOff.reviewer, date: signOff.date, decision: signOff.decision };
}

function readReview(file: string): string | { problem: string } {
  if (!existsSync(file)) return { problem: 'is missing: the snapshot has no review report beside it' };
  try {
    const size = statSync(file).size;
    if (size > MAX_REVIEW_BYTES) return { problem: `is ${size} bytes, more than the ${MAX_REVIEW_BYTES} a review report is read up to` };
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (error) {
    return { problem: `could not be read (${describeError(error)})` };
  }
}

/**
 * The commit that holds `file` exactly as it is on disk: its blob at HEAD equals the file's own
 * hash. Otherwise why not: no git, not a repository, not committed, or changed since.
 */
async function committedAtHead(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ id: string } | { problem: string }> {
  let repository: GitRepository;
  try {
    repository = await GitRepository.open(path.dirname(file), env);
  } catch (error) {
    const message = describeError(error);
    return { problem: /not inside a git work tree/.test(message) ? 'is not in a git repository: a review counts once it is committed (`clerkguard snapshot --commit`, then commit the sign-off)' : `could not be checked with git (${message})` };
  }
  const relative = repository.relative(file);
  const git = (args: readonly string[]) => runGit(repository.root, args, { env });
  const [atHead, onDisk, last] = await Promise.all([
    git(['rev-parse', '--verify', '-q', `HEAD:${relative}`]),
    git(['hash-object', '--', relative]),
    git(['log', '-1', '--format=%H', '--', relative]),
  ]);
  if (atHead.code !== 0 || last.code !== 0 || last.stdout.trim() === '') return { problem: 'is not committed: a sign-off counts once it is committed to git' };
  if (onDisk.code !== 0 || onDisk.stdout.trim() !== atHead.stdout.trim()) return { problem: 'has changes that are not committed: a sign-off counts once it is committed to git' };
  return { id: last.stdout.trim().slice(0, 12) };
}
