/**
 * Page predictors: the registry (createPredictor, parsePredictorName), the predictor modules'
 * helpers, the PPM model and the prediction metrics.
 */
export * from './types';
export { SkipList } from './skip-list';
export { TopK } from './top-k';
export { HistoryWindow } from './history-window';
export { TRAINING_MODES, trainingFlags } from './training';
export { READAHEAD_INITIAL_WINDOW } from './readahead';
export { LEAP_DEFAULT_HISTORY, majorityDelta } from './leap';
export { RANDOM_K_DEFAULT_SEED } from './random-k';
export { PPM_SYMBOLS, PPM_DEFAULT_HISTORY_WINDOW } from './ppm';
export * from '../model/ppm';
export { FrequencyRanking } from '../model/frequency';
export { PairMap } from '../model/pair-map';
export { createPredictor, parsePredictorName } from './registry';
export * from './metrics';
