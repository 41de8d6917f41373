/**
 * Results of sweep jobs already run, by content, so that a job asked for again (the same experiment cell run
 * twice, two comparisons sharing methods, a later notebook in the same kernel sweeping the same setting) is not
 * simulated again. A job's result depends on nothing but its kind, its trace and its options (no clock, no
 * global random state), so a remembered result is exactly the one a new run would give.
 *
 * The key is the job's kind, a SHA-256 of everything in its trace (the columns' bytes and types, page size and
 * name; hashed again for every batch, so a trace changed in place between sweeps is a new trace) and its options
 * written out so that different values never read alike (undefined, NaN, -0 and Infinity included; options
 * holding anything but plain data are never remembered). The newest MAX_KEPT_RESULTS results are kept (per
 * thread; results are small: counts and times); callers get copies, so changing a row changes nothing kept.
 */
import { createHash } from 'node:crypto';
import type { Trace } from '../trace';
import type { Progress } from './common';
import type { Job, JobKind, JobTypes } from './jobs';

/** Bound on the results kept: some 2-3 KB each, a few MB in all. */
export const MAX_KEPT_RESULTS = 4096;

/** By key, least recently used first (a Map keeps insertion order; a hit is moved to the end). */
const kept = new Map<string, unknown>();

/** How many results are kept now. */
export function keptJobResults(): number {
  return kept.size;
}

/** Forgets every kept result (tests). */
export function forgetJobResults(): void {
  kept.clear();
}

/**
 * The results of `jobs` in job order: kept ones copied, the others (each distinct job once) computed by `run`,
 * which gets them in their original order and returns their results in that order. Progress counts the jobs
 * answered from kept results first, then run's.
 */
export function rememberingResults<K extends JobKind>(
  jobs: readonly Job<K>[],
  progress: Progress | undefined,
  run: (todo: Job<K>[], progress: Progress | undefined) => JobTypes[K]['result'][],
): JobTypes[K]['result'][] {
  const traceKeys = new Map<Trace, string>();
  const keys = jobs.map((job) => jobKey(job, traceKeys));
  const todo: Job<K>[] = [];
  const todoKeys: (string | undefined)[] = [];
  const planned = new Set<string>();
  for (let i = 0; i < jobs.length; i++) {
    const key = keys[i];
    if (key !== undefined && (kept.has(key) || planned.has(key))) continue;
    if (key !== undefined) planned.add(key);
    todo.push(jobs[i]);
    todoKeys.push(key);
  }
  const answered = jobs.length - todo.length;
  const counted: Progress | undefined = progress && ((done, _, label) => progress(answered + done, jobs.length, label));
  const computed = todo.length > 0 ? run(todo, counted) : [];
  if (answered > 0 && todo.length === 0) progress?.(jobs.length, jobs.length, jobs[jobs.length - 1].label);
  const fresh = new Map<string, JobTypes[K]['result']>();
  const results: JobTypes[K]['result'][] = [];
  let next = 0;
  for (let i = 0; i < jobs.length; i++) {
    const key = keys[i];
    if (key === undefined || (!kept.has(key) && !fresh.has(key))) {
      // a job computed now, in the order run got them: handed out as computed, a copy kept
      const result = computed[next];
      const computedKey = todoKeys[next++];
      if (computedKey !== undefined) fresh.set(computedKey, structuredClone(result));
      results.push(result);
      continue;
    }
    results.push(structuredClone((fresh.get(key) ?? kept.get(key)) as JobTypes[K]['result']));
  }
  // every result to keep looked up before any is kept: keeping one drops the least recently used, which may be
  // one this batch found kept; last asked, most recently used
  const keeping = new Map<string, unknown>();
  for (const key of keys) {
    if (key === undefined) continue;
    const result = fresh.get(key) ?? kept.get(key);
    keeping.delete(key);
    keeping.set(key, result);
  }
  for (const [key, result] of keeping) keep(key, result);
  return results;
}

/** Keeps `result` under `key` as the most recently used, dropping the least recently used beyond the bound. */
function keep(key: string, result: unknown): void {
  kept.delete(key);
  kept.set(key, result);
  if (kept.size > MAX_KEPT_RESULTS) kept.delete(kept.keys().next().value!);
}

/** The job's key (see the module's comment), or undefined when its options are not plain data. */
function jobKey(job: Job, traceKeys: Map<Trace, string>): string | undefined {
  const options = plainData(job.options);
  if (options === undefined) return undefined;
  let traceKey = traceKeys.get(job.trace);
  if (traceKey === undefined) {
    traceKey = traceHash(job.trace);
    traceKeys.set(job.trace, traceKey);
  }
  return `${job.kind} ${traceKey} ${options}`;
}

/** SHA-256 of a trace's columns (bytes and array types), page size and name. */
function traceHash(trace: Trace): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([trace.name, trace.pageSize, trace.page.length]));
  for (const column of [trace.page, trace.time, trace.write]) {
    hash.update(`${column.constructor.name} ${column.length}:`);
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

/**
 * `value` written out so that two values get the same text only when they are the same plain data (numbers
 * by their exact text, -0 apart; undefined apart from absent), or undefined for anything else (a function, a
 * Map, a typed array, a class instance, a sparse array, symbol keys, nesting deeper than `depth`): such options
 * are not remembered.
 */
function plainData(value: unknown, depth = 32): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (depth === 0 || Object.getOwnPropertySymbols(value).length > 0) return undefined;
      const isArray = Array.isArray(value);
      if (!isArray && Object.getPrototypeOf(value) !== Object.prototype) return undefined;
      const entries = Object.entries(value);
      if (isArray && entries.length !== value.length) return undefined;
      const parts: string[] = [];
      for (const [name, item] of entries) {
        const text = plainData(item, depth - 1);
        if (text === undefined) return undefined;
        parts.push(isArray ? text : `${JSON.stringify(name)}:${text}`);
      }
      return isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}
