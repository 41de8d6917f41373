/** Generic helpers with no knowledge of pages, predictors or migrations; every folder may use them. */
export { NextAlive } from './next-alive';
export { PairMap } from './pair-map';
export { TopK } from './top-k';
export { wholeOption } from './whole-option';
export { enlarged } from './enlarged';
export { firstRepeat } from './first-repeat';
export { deepFreeze, type DeepReadonly } from './deep-freeze';
