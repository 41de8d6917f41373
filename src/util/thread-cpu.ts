/**
 * CPU time of one thread, where Linux tells it (/proc): a sweep watches its workers by the CPU they use,
 * which load and a suspended machine do not inflate the way they inflate wall time. Undefined elsewhere.
 */
import { readFileSync } from 'node:fs';

/** CPU seconds the calling thread, or the thread `tid` of this process, has run so far. */
export function threadCpuSeconds(tid?: number): number | undefined {
  try {
    const path = tid === undefined ? '/proc/thread-self/schedstat' : `/proc/self/task/${tid}/schedstat`;
    return Number(readFileSync(path, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return undefined;
  }
}

/** The operating system's id of the calling thread (what threadCpuSeconds takes), undefined where unknown. */
export function osThreadId(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** Milliseconds on a clock all threads of the process share (each thread's performance.now has its own origin). */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
