import { UserError } from '../errors';

/**
 * Largest VM the simulators and the prediction metrics accept: 2^27 pages (512 GiB of 4 KiB pages)
 * already need ~2.5 GB of per-page arrays. Traces of raw virtual page numbers must be renumbered
 * densely first (as the lackey converter does).
 */
export const MAX_VM_PAGES = 2 ** 27;

/**
 * Most pages one fault may send with it (k). A predictor hands its proposals over in a JS array, which V8 cannot
 * grow past about 1.1e8 elements (a fatal error, no exception: `predict --k 134217728` on a 2^27-page VM died
 * with a native stack), and ppm-hybrid-dirty asks bubbling for 16k candidates: 16 * 2^22 stays below.
 */
export const MAX_PAGES_PER_FAULT = 2 ** 22;

/** Most accesses a generated trace may hold: 2^30 accesses take 13 GiB of columns already. */
export const MAX_TRACE_ACCESSES = 2 ** 30;

/** Refuses a VM too large to replay, with the same one line in every command. */
export function checkVmPages(vmPages: number): void {
  if (vmPages > MAX_VM_PAGES) {
    throw new UserError(
      `a VM of ${vmPages} pages is too large to simulate (at most ${MAX_VM_PAGES}); number the trace's pages densely`,
    );
  }
}
