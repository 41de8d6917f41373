import { definePredictor } from './options';
import { pagesAlong } from './proposals';
import type { Predictor } from './types';

/**
 * Stride detection on the fault stream, as in a reference-prediction-table prefetcher: when the
 * last two fault deltas are equal and non-zero (p - prev === prev - prevprev = d), propose
 * p+d, p+2d, ..., p+kd; otherwise nothing (an unconfirmed stride is not worth a page).
 */
export const stride = definePredictor({
  name: 'stride',
  proposes: 'p+d … p+kd once the last two fault deltas are both d ≠ 0; otherwise nothing',
  options: {},
  create: createStride,
});

function createStride(): Predictor {
  let previous = -1;
  let lastDelta = 0;
  return {
    name: 'stride',
    observeHistory() {},
    onFault(page, k, ctx) {
      const delta = previous >= 0 ? page - previous : 0;
      const confirmed = delta !== 0 && delta === lastDelta;
      lastDelta = delta;
      previous = page;
      return confirmed ? pagesAlong(page, delta, k, ctx.vmPages) : [];
    },
    modelSize: () => 0,
  };
}
