import { definePredictor } from './options';

/** Plain post-copy: only the faulted page is sent. */
export const none = definePredictor({
  name: 'none',
  proposes: 'nothing (plain post-copy)',
  options: {},
  create: () => ({
    name: 'none',
    observeHistory() {},
    observeHistoryBlock() {},
    onFault: () => [],
    modelSize: () => 0,
  }),
});
