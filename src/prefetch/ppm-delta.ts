import { definePredictor } from './options';
import { PPM_MODEL_OPTIONS, ppmModelKey, ppmPredictor } from './ppm';
import { unreadHistoryWindow } from './training';

/**
 * PPM over page deltas (p - previous fault or access, modulo 2^32) instead of page numbers: a pattern
 * learnt in one region (a stride, a loop's step sequence) carries over to pages never seen before,
 * which the paper's page-number PPM cannot propose. A predicted delta d means page p + d. The same
 * model, training (history offline, faults online), memory bound and options as `ppm`.
 */
export const ppmDelta = definePredictor({
  name: 'ppm-delta',
  proposes:
    'PPM over page deltas (p − previous page): the k most probable next deltas d, sent as p + d. A stride or step ' +
    'pattern learnt in one region applies to pages never seen',
  options: PPM_MODEL_OPTIONS,
  trainedModel: (options) => ppmModelKey(options, true),
  unreadOptions: (options) => unreadHistoryWindow(options.training),
  create: (options) => ppmPredictor('ppm-delta', options, true),
});
