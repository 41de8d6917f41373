import { pagesAlong } from './proposals';
import type { Predictor } from './types';

/** The k pages after the faulted one, p+1..p+k (the caller drops those already sent). */
export function createNextK(): Predictor {
  return {
    name: 'next-k',
    observeHistory() {},
    onFault: (page, k, ctx) => pagesAlong(page, 1, k, ctx.vmPages),
    modelSize: () => 0,
  };
}
