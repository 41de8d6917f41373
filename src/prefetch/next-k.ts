import { definePredictor } from './options';
import { pagesAlong } from './proposals';

/** The k pages after the faulted one, p+1..p+k (the caller drops those already sent). */
export const nextK = definePredictor({
  name: 'next-k',
  proposes: 'p+1 … p+k',
  options: {},
  create: () => ({
    name: 'next-k',
    observeHistory() {},
    onFault: (page, k, ctx) => pagesAlong(page, 1, k, ctx.vmPages),
    modelSize: () => 0,
  }),
});
