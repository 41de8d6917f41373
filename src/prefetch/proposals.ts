/** True when `page` names a page of a VM of `vmPages` pages: a whole number in [0, vmPages). Callers drop other proposals. */
export function isPageInVm(page: number, vmPages: number): boolean {
  return Number.isInteger(page) && page >= 0 && page < vmPages;
}

/** True when `page` may be proposed: inside the VM, not the faulted page and not already sent. */
export function isProposable(
  page: number,
  faulted: number,
  vmPages: number,
  isSent: (page: number) => boolean,
): boolean {
  return isPageInVm(page, vmPages) && page !== faulted && !isSent(page);
}

/** p + d, p + 2d, ... while inside [0, vmPages): at most k pages (the caller drops sent ones). */
export function pagesAlong(page: number, delta: number, k: number, vmPages: number): number[] {
  const out: number[] = [];
  if (delta === 0) return out;
  for (let q = page + delta, i = 0; i < k && q >= 0 && q < vmPages; i++, q += delta) out.push(q);
  return out;
}
