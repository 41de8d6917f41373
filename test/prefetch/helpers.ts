import type { FaultContext } from '../../src/prefetch';

/** A fault context over a VM of `vmPages` pages where exactly `sent` are sent. */
export function context(vmPages: number, sent: Iterable<number> = [], index = 0): FaultContext {
  const set = new Set(sent);
  return { index, vmPages, isSent: (page) => set.has(page) };
}
