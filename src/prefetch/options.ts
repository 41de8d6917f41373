import { UserError } from '../errors';

/** A whole-number predictor option within [min, max], or `fallback` when unset (one-line UserError otherwise). */
export function wholeOption(value: number | undefined, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserError(`${name} must be a whole number between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** True when `page` may be proposed: inside the VM, not the faulted page and not already sent. */
export function isProposable(page: number, faulted: number, vmPages: number, isSent: (page: number) => boolean): boolean {
  return page >= 0 && page < vmPages && page !== faulted && !isSent(page);
}

/** p + d, p + 2d, ... while inside [0, vmPages): at most k pages (the caller drops sent ones). */
export function pagesAlong(page: number, delta: number, k: number, vmPages: number): number[] {
  const out: number[] = [];
  if (delta === 0) return out;
  for (let q = page + delta, i = 0; i < k && q >= 0 && q < vmPages; i++, q += delta) out.push(q);
  return out;
}
