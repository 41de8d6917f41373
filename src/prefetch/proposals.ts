import type { FaultContext } from './types';

/**
 * True when `page` names a page of a VM of `vmPages` pages: a whole number in [0, vmPages). Callers drop other
 * proposals.
 */
export function isPageInVm(page: number, vmPages: number): boolean {
  return Number.isInteger(page) && page >= 0 && page < vmPages;
}

/**
 * True when `page` may be proposed at the fault on `faulted`: inside the VM, not the faulted page and not already
 * sent. It asks `ctx.isSent` as a method (a context may be a class whose isSent reads its own fields).
 */
export function isProposable(page: number, faulted: number, ctx: FaultContext): boolean {
  return isPageInVm(page, ctx.vmPages) && page !== faulted && !ctx.isSent(page);
}

/** p + d, p + 2d, ... while inside [0, vmPages): at most k pages (the caller drops sent ones). */
export function pagesAlong(page: number, delta: number, k: number, vmPages: number): number[] {
  const out: number[] = [];
  if (delta === 0) return out;
  for (let q = page + delta, i = 0; i < k && q >= 0 && q < vmPages; i++, q += delta) out.push(q);
  return out;
}
