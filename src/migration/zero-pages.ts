/**
 * Zero pages: pages whose bytes are all zero when the migration sends them. QEMU sends such a page
 * as a header only (its `duplicate` count) and the destination maps it with UFFDIO_ZEROPAGE, so it
 * costs a message header on the link instead of a whole page.
 */
import seedrandom from 'seedrandom';
import { quoted, UserError } from '../errors';
import { MAX_VM_PAGES } from '../trace/limits';

/** The last drawn share of zero pages: every run of a sweep in a QEMU-like setting draws the same one. */
let lastDrawn: { vmPages: number; share: number; seed: string; zero: Uint8Array } | undefined;

/** Pages zero with probability `share` each, from a stream seeded by `seed` (one draw per page). */
function drawnZeroPages(vmPages: number, share: number, seed: string): Uint8Array {
  const last = lastDrawn;
  if (last && last.vmPages === vmPages && last.share === share && last.seed === seed) return last.zero.slice();
  const zero = new Uint8Array(vmPages);
  const random = seedrandom.alea(seed);
  for (let p = 0; p < vmPages; p++) if (random() < share) zero[p] = 1;
  lastDrawn = { vmPages, share, seed, zero: zero.slice() };
  return zero;
}

/**
 * Refuses a set of zero pages with a page that is not one of the VM's `vmPages`, naming the set (`name`, e.g. its
 * file) and where the VM's size came from (`vmFromTrace`: the trace's largest page + 1, else given). resolveSimConfig
 * calls it, so a run is refused before any pass over the trace (the CLI's oracle pass came first).
 */
export function checkZeroPages(
  pages: ArrayLike<number>,
  vmPages: number,
  name: string | undefined,
  vmFromTrace: boolean,
) {
  const named = name === undefined ? '' : `${name}: `;
  let largest = -1;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i];
    if (!(Number.isInteger(p) && p >= 0)) throw new UserError(`${named}zero page ${p} is not a page number`);
    if (p > largest) largest = p;
  }
  if (largest < vmPages) return;
  const vm = vmFromTrace ? `the trace's VM of ${vmPages} pages (its largest page + 1)` : `the VM's ${vmPages} pages`;
  throw new UserError(
    `${named}zero page ${largest} is beyond ${vm}: give a larger VM size (vmPages; --vm-pages on the command line)`,
  );
}

/**
 * Per page of a VM of `vmPages`: 1 when the page is zero. Each page is zero with probability
 * `share`, drawn from a stream seeded by `seed` (same seed and size, same pages), and every page of
 * `explicit` (e.g. the zero pages of a guest memory dump, pages of the VM: resolveSimConfig checked them) is zero as
 * well. Undefined when no page is.
 *
 * @example zeroPageFlags(4, 0, 'x', [1, 3]) // Uint8Array [0, 1, 0, 1]
 */
export function zeroPageFlags(
  vmPages: number,
  share: number,
  seed: string,
  explicit?: ArrayLike<number>,
): Uint8Array | undefined {
  if (share === 0 && (explicit === undefined || explicit.length === 0)) return undefined;
  let zero: Uint8Array;
  if (share >= 1) zero = new Uint8Array(vmPages).fill(1);
  else if (share > 0) zero = drawnZeroPages(vmPages, share, seed);
  else zero = new Uint8Array(vmPages);
  for (let i = 0; i < (explicit?.length ?? 0); i++) zero[explicit![i]] = 1;
  return zero;
}

/**
 * A set of pages written as text: whole numbers or inclusive ranges `a-b`, separated by white space
 * or commas; `#` starts a comment. A guest capture's zero pages fit in a few kB this way.
 *
 * @example parsePageSet('0-3 7\n# tail\n9') // [0, 1, 2, 3, 7, 9]
 */
export function parsePageSet(text: string, name = 'page set'): number[] {
  const pages: number[] = [];
  const tokens = text
    .replace(/#[^\n]*/g, ' ')
    .split(/[\s,]+/)
    .filter((token) => token !== '');
  for (const token of tokens) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(token);
    const first = match ? Number(match[1]) : NaN;
    const last = match?.[2] === undefined ? first : Number(match[2]);
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) {
      throw new UserError(`${name}: ${quoted(token)} is not a page number or a range a-b`);
    }
    if (last >= MAX_VM_PAGES)
      throw new UserError(`${name}: page ${last} is beyond the largest VM (${MAX_VM_PAGES} pages)`);
    for (let p = first; p <= last; p++) pages.push(p);
  }
  return pages;
}

/**
 * The inverse of parsePageSet: sorted distinct pages as ranges, e.g. [0, 1, 2, 5] -> '0-2 5'.
 */
export function formatPageSet(pages: Iterable<number>): string {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(' ');
}
