/**
 * The predictor registry: every name in PREDICTOR_NAMES maps to one module. CLI, experiments and
 * notebooks create predictors only through createPredictor.
 */
import { UserError } from '../errors';
import { createNextK } from './next-k';
import { createNone } from './none';
import { PREDICTOR_NAMES, type Predictor, type PredictorName, type PredictorOptions } from './types';

export * from './types';

const FACTORIES: Partial<Record<PredictorName, (options: PredictorOptions) => Predictor>> = {
  none: createNone,
  'next-k': createNextK,
};

/** A fresh predictor of the given name (state is per run: never share one between runs). */
export function createPredictor(name: PredictorName, options: PredictorOptions = {}): Predictor {
  const factory = FACTORIES[name];
  if (!factory) throw new UserError(`predictor '${name}' is not available`);
  return factory(options);
}

/** Parses a predictor name given by a user; one-line error listing the known names. */
export function parsePredictorName(text: string): PredictorName {
  if (!(PREDICTOR_NAMES as readonly string[]).includes(text)) {
    throw new UserError(`unknown predictor '${text}' (known: ${PREDICTOR_NAMES.join(', ')})`);
  }
  return text as PredictorName;
}
