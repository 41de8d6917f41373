/** Each notebook's experiment as a function returning tidy rows (see README "Adding a notebook"). */
export * from './workloads';
export * from './common';
export * from './predictors';
export * from './accuracy';
export * from './network';
export * from './modes';
export * from './whatif';
export * from './push';
export * from './ppm-misses';
export * from './real-qemu';
export * from './jobs';
export * from './parallel';
export { forgetJobResults, keptJobResults } from './job-results';
export * from './timeline';
export * from './liveness';
export * from './ranking';
