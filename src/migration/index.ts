export * from './types';
export {
  DEFAULT_SIM_CONFIG,
  MIGRATION_MODES,
  PUSH_POLICIES,
  parseBandwidth,
  parseDuration,
  resolveSimConfig,
  SIM_BOUNDS,
} from './config';
export {
  exerciseSimulator,
  firstFaultIndex,
  simulate,
  simulateStream,
  simulateStreams,
  simulationPageBytes,
  Simulation,
  type SimHooks,
  type SimMethod,
} from './simulate';
export type { SendObserver, SendReason, WaitObserver } from './postcopy';
export { formatPageSet, parsePageSet } from './zero-pages';
