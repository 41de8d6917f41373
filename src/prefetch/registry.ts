/**
 * The predictor registry: every name in PREDICTOR_NAMES maps to one module. CLI, experiments and
 * notebooks create predictors only through createPredictor.
 */
import { UserError } from '../errors';
import { createBubbling } from './bubbling';
import { createLeap } from './leap';
import { createMarkov } from './markov';
import { createNextK } from './next-k';
import { createNone } from './none';
import { createOracle } from './oracle';
import { createPhaseBubbling } from './phase-bubbling';
import { createPpmHybrid } from './ppm-hybrid';
import { createPpm } from './ppm';
import { createPpmDelta } from './ppm-delta';
import { createPpmOrder0 } from './ppm-order0';
import { createRandomK } from './random-k';
import { createReadahead } from './readahead';
import { createStride } from './stride';
import { PREDICTOR_NAMES, type Predictor, type PredictorName, type PredictorOptions } from './types';

const FACTORIES: Record<PredictorName, (options: PredictorOptions) => Predictor> = {
  none: createNone,
  'next-k': createNextK,
  readahead: createReadahead,
  bubbling: createBubbling,
  stride: createStride,
  markov: createMarkov,
  leap: createLeap,
  ppm: createPpm,
  'ppm-delta': createPpmDelta,
  'phase-bubbling': createPhaseBubbling,
  'ppm-hybrid': createPpmHybrid,
  'random-k': createRandomK,
  'ppm-order0': createPpmOrder0,
  oracle: createOracle,
};

/** A fresh predictor of the given name (state is per run: never share one between runs); unknown names are user errors. */
export function createPredictor(name: PredictorName, options: PredictorOptions = {}): Predictor {
  return FACTORIES[parsePredictorName(name)](options);
}

/** Parses a predictor name given by a user; one-line error listing the known names. */
export function parsePredictorName(text: string): PredictorName {
  if (!(PREDICTOR_NAMES as readonly string[]).includes(text)) {
    throw new UserError(`unknown predictor '${text}' (known: ${PREDICTOR_NAMES.join(', ')})`);
  }
  return text as PredictorName;
}
