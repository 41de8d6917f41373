import { ppmPredictor } from './ppm';
import type { Predictor, PredictorOptions } from './types';

/**
 * PPM over page deltas (p - previous fault or access, modulo 2^32) instead of page numbers: a pattern
 * learnt in one region (a stride, a loop's step sequence) carries over to pages never seen before,
 * which the paper's page-number PPM cannot propose. A predicted delta d means page p + d. The same
 * model, training (history offline, faults online), memory bound and options as `ppm`.
 */
export function createPpmDelta(options: PredictorOptions): Predictor {
  return ppmPredictor('ppm-delta', options, true);
}
