/**
 * Fault injection for tests and demos: slow answers, error statuses, malformed or truncated
 * bodies, dropped connections and arbitrary answers (`body`: JSON that parses but lacks what
 * it should hold), for one endpoint or all of them, optionally a limited
 * number of times. Driven in-process (`emulator.faults.add`) or over HTTP
 * (`POST /__emulator/faults` with the same JSON).
 */

export type FaultKind = 'latency' | 'status' | 'malformed' | 'truncated' | 'drop' | 'body';

export interface FaultSpec {
  kind: FaultKind;
  /** Path to match: exact (`/v1/instance/protect`), a prefix ending in `*`, or `*` for every path. */
  path?: string;
  /** HTTP method to match; any when absent. */
  method?: string;
  /**
   * latency: the answer leaves this many ms after the request arrived (a GET is handled at once
   * and its answer held; any other request waits first, then is handled).
   */
  ms?: number;
  /** status: the status to answer (e.g. 500, 503, 429). */
  status?: number;
  /** status 429: the Retry-After header in seconds. */
  retry_after?: number;
  /** body: the JSON value to answer with (status 200 unless `status`)… */
  body?: unknown;
  /** body: …or the raw text, with {{offset}} (the request's offset) and {{n}} (this fault's hit count) replaced. */
  text?: string;
  /** Apply this many times, then retire; forever when absent. */
  times?: number;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  hits: number;
}

export interface FaultController {
  add(spec: FaultSpec): ActiveFault;
  remove(id: number): void;
  clear(): void;
  list(): ActiveFault[];
  /** Faults matching a request; consumes one use of each limited fault. */
  take(method: string, path: string): ActiveFault[];
}

export const FAULT_KINDS: readonly FaultKind[] = ['latency', 'status', 'malformed', 'truncated', 'drop', 'body'];

export function validateFaultSpec(value: unknown): FaultSpec {
  if (value === null || typeof value !== 'object') throw new Error('a fault is a JSON object');
  const spec = value as FaultSpec;
  if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  if (spec.kind === 'latency' && !(typeof spec.ms === 'number' && spec.ms >= 0)) throw new Error('a latency fault needs ms >= 0');
  if (spec.kind === 'status' && !(typeof spec.status === 'number' && spec.status >= 400 && spec.status <= 599)) throw new Error('a status fault needs status 400-599');
  if (spec.kind === 'body' && spec.body === undefined && typeof spec.text !== 'string') throw new Error('a body fault needs body (JSON) or text');
  if (spec.kind === 'body' && spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 200 && spec.status <= 599)) throw new Error('a body fault status must be 200-599');
  if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0)) throw new Error('times must be a positive integer');
  return spec;
}

export function createFaultController(): FaultController {
  let faults: ActiveFault[] = [];
  let nextId = 1;
  const matches = (fault: ActiveFault, method: string, path: string) => {
    if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
    const pattern = fault.path ?? '*';
    if (pattern === '*') return true;
    if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
    return path === pattern;
  };
  return {
    add(spec) {
      const fault: ActiveFault = { ...validateFaultSpec(spec), id: nextId++, hits: 0 };
      faults.push(fault);
      return fault;
    },
    remove(id) {
      faults = faults.filter((fault) => fault.id !== id);
    },
    clear() {
      faults = [];
    },
    list() {
      return faults.map((fault) => ({ ...fault }));
    },
    take(method, path) {
      const hit = faults.filter((fault) => matches(fault, method, path));
      for (const fault of hit) fault.hits++;
      faults = faults.filter((fault) => fault.times === undefined || fault.hits < fault.times);
      return hit;
    },
  };
}
