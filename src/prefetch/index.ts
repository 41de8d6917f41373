/**
 * Page predictors: the registry (PREDICTORS, createPredictor, parsePredictorName), the option
 * declarations, the PPM model and the prediction metrics.
 */
export * from './types';
export * from './options';
export { HistoryWindow } from './history-window';
export { TRAINING_MODES, TRAINING_OPTION, trainingFlags, type TrainingMode } from './training';
export { READAHEAD_INITIAL_WINDOW } from './readahead';
export { majorityDelta } from './leap';
export { ppm, ppmPredictor } from './ppm';
export { reusingTrainedModels } from './trained-models';
// the model's API; its node record layout (PPM_NODE_RECORD) is for the trie audit test only, which imports the file
export {
  escapeProbability,
  PPM_DEFAULTS,
  PPM_ESCAPE_METHODS,
  PPM_MAX_CONTEXTS,
  PPM_MAX_ORDER,
  PpmModel,
  ppmMinContexts,
  symbolProbability,
  type EscapeMethod,
  type PpmOptions,
  type PpmSize,
} from '../model/ppm';
export { FrequencyRanking } from '../model/frequency';
export {
  createPredictor,
  declaredOptions,
  optionsRead,
  parsePredictorName,
  predictorDefinition,
  PREDICTOR_NAMES,
  PREDICTORS,
  readsK,
  unreadOptions,
  trainedModelKey,
  type DeclaredOption,
} from './registry';
export * from './metrics';
