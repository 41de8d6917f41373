import type { Predictor } from './types';

/** Plain post-copy: only the faulted page is sent. */
export function createNone(): Predictor {
  return {
    name: 'none',
    observeHistory() {},
    onFault: () => [],
    modelSize: () => 0,
  };
}
