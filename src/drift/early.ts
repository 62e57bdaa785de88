/**
 * JWT templates matched against the baseline while the export is still waiting on Clerk.
 *
 * A drift's live side shares every entry equal to the baseline's (canonicalizeSharing), which
 * for a large configuration is a walk of every template after the last page has arrived (about
 * 10 ms for 12,000 templates, 60 ms for 50,000). Here templates taken from their pages
 * (readSettings, in list order) are matched while the export waits on Clerk, when the event loop
 * has nothing else to do, so the walk is done during the waiting for later pages, and
 * canonicalizeSharing uses the answer instead of walking again. A template not matched yet when
 * the diff starts is walked there. When the loop is busy (answers arriving faster than they are
 * checked, as against a local emulator without latency) nothing is matched early: that work
 * would only add to the run's CPU.
 *
 * An answer is only ever used for the very object it was made for, against the very reference
 * entry and options it was made with: the template is frozen (deeply) right before it is
 * matched, so its value cannot change between the match and the diff (a write to it throws: an
 * error, never a stale "in sync"); a template the export replaced (zod's copies when a template
 * did not plainly fit), or a reference tree other than the prepared baseline's, gets no answer
 * and is walked as before. Nothing is kept across runs: an EarlyMatches lives for one
 * environment of one drift run; `close` drops what is left to match, `forget` the answers.
 */
import { performance } from 'node:perf_hooks';
import { getOwn } from '../util/records';
import { compileNormalizeOptions, isPlainObject, SERVER_MANAGED_KEYS, type CanonicalObject, type CanonicalValue, type CompiledNormalizeOptions } from './normalize';
import { matchesEntry, type DecidedMatches } from './tree-diff';

const GROUP = 'jwt_templates';

/**
 * Longest run of matching in one turn of the event loop. An answer that arrives meanwhile, and
 * the checking of a page, wait at most this long for it.
 */
const SLICE_MS = 0.3;
/** Templates matched between two looks at the clock. */
const CLOCK_EVERY = 16;
/**
 * Whether the loop is idle is asked with a timer of PROBE_MS: one that fires at most
 * IDLE_LATENESS_MS late found nothing else running. Slices then follow turn after turn while
 * nothing else runs between two of them (a gap of at most BUSY_GAP_MS).
 */
const PROBE_MS = 1;
const IDLE_LATENESS_MS = 0.5;
const BUSY_GAP_MS = 0.2;

interface Answer {
  reference: CanonicalValue;
  same: boolean;
}

export class EarlyMatches {
  /** The options every answer is made with; diffBaseline diffs with these when it uses the answers. */
  readonly options: CompiledNormalizeOptions = compileNormalizeOptions();
  /** By the template object itself: an answer can only be found for the object it was made for. */
  private readonly answers = new Map<object, Answer>();
  private backlog: [string, object][] = [];
  private next = 0;
  private group: Record<string, unknown> | undefined;
  /** No prepared baseline (it failed), or closed: nothing more is matched. */
  private off = false;
  private turnBooked = false;

  constructor(prepared: Promise<{ declared: CanonicalObject } | undefined>) {
    prepared.then(
      (ready) => {
        const group = ready ? getOwn(ready.declared, GROUP) : undefined;
        if (isPlainObject(group)) {
          this.group = group;
          this.probe();
        } else this.close();
      },
      () => this.close(),
    );
  }

  /** A template as the export took it: matched (and frozen first) once the loop is idle. */
  offerTemplate(name: string, template: object): void {
    if (this.off) return;
    this.backlog.push([name, template]);
    this.probe();
  }

  /** canonicalizeSharing's lookup: an answer only for the same object, reference entry and options. */
  readonly decided: DecidedMatches = (group, _name, value, referenceEntry, options) => {
    if (group !== GROUP || options !== this.options || value === null || typeof value !== 'object') return undefined;
    const answer = this.answers.get(value);
    if (answer === undefined || answer.reference !== referenceEntry) return undefined;
    return answer.same;
  };

  /** No more matching (the diff has started): the templates not matched yet are walked by the diff. */
  close(): void {
    this.off = true;
    this.backlog = [];
    this.next = 0;
  }

  /**
   * The answers were used (canonicalizeSharing is done): forgotten, so the live templates they
   * name are not kept through the rest of the diff (run.ts hands the export over for that).
   */
  forget(): void {
    this.close();
    this.answers.clear();
  }

  /** How many templates have an answer (tests). */
  get matched(): number {
    return this.answers.size;
  }

  /** How many offered templates wait to be matched (tests). */
  get waiting(): number {
    return this.backlog.length - this.next;
  }

  /** Matches every template waiting, now (tests: the same work the idle turns do). */
  drain(): void {
    while (!this.off && this.group !== undefined && this.next < this.backlog.length) this.slice();
  }

  /** Matches once a timer finds the loop idle. */
  private probe(): void {
    if (this.turnBooked || this.off || this.group === undefined || this.next >= this.backlog.length) return;
    this.turnBooked = true;
    const due = performance.now() + PROBE_MS;
    setTimeout(() => {
      this.turnBooked = false;
      if (performance.now() - due <= IDLE_LATENESS_MS) this.chain();
      else this.probe();
    }, PROBE_MS);
  }

  /** Slices turn after turn while nothing else runs between them; back to probing when something does. */
  private chain(): void {
    if (this.off || this.group === undefined) return;
    this.slice();
    if (this.next >= this.backlog.length) return;
    const end = performance.now();
    this.turnBooked = true;
    setImmediate(() => {
      this.turnBooked = false;
      if (performance.now() - end <= BUSY_GAP_MS) this.chain();
      else this.probe();
    });
  }

  private slice(): void {
    if (this.off || this.group === undefined) return;
    const group = this.group;
    const start = performance.now();
    while (this.next < this.backlog.length) {
      for (let count = 0; count < CLOCK_EVERY && this.next < this.backlog.length; count++) {
        const [name, template] = this.backlog[this.next]!;
        this.backlog[this.next++] = undefined as unknown as [string, object];
        const reference = getOwn(group, name) as CanonicalValue | undefined;
        // Server-managed names are never shared by the diff: nothing to answer.
        if (reference === undefined || SERVER_MANAGED_KEYS.has(name)) continue;
        // Frozen before it is read: the answer holds for as long as the object exists.
        deepFreeze(template);
        this.answers.set(template, { reference, same: matchesEntry(GROUP, name, template, reference, this.options) });
      }
      if (performance.now() - start >= SLICE_MS) break;
    }
    if (this.next >= this.backlog.length) {
      this.backlog = [];
      this.next = 0;
    }
  }
}

/**
 * Freezes a JSON value and everything in it. Its depth is bounded: answers are scanned to
 * MAX_JSON_DEPTH before they are parsed, and templates are built from them.
 */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  Object.freeze(value);
  if (Array.isArray(value)) for (const item of value) deepFreeze(item);
  else for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
}
