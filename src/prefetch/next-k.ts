import type { Predictor } from './types';

/** The k pages after the faulted one, p+1..p+k (the caller drops those already sent). */
export function createNextK(): Predictor {
  return {
    name: 'next-k',
    observeHistory() {},
    onFault(page, k, ctx) {
      const out: number[] = [];
      for (let q = page + 1; q <= page + k && q < ctx.vmPages; q++) out.push(q);
      return out;
    },
    modelSize: () => 0,
  };
}
