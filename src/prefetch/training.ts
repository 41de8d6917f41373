import { UserError } from '../errors';
import type { TrainingMode } from './types';

export const TRAINING_MODES: readonly TrainingMode[] = ['offline', 'online', 'both'];

/** Which streams a learning predictor trains on: history before switchover, faults after, or both. */
export function trainingFlags(mode: TrainingMode | undefined): { offline: boolean; online: boolean } {
  const m = mode ?? 'both';
  if (!TRAINING_MODES.includes(m)) throw new UserError(`training must be one of ${TRAINING_MODES.join(', ')}, got '${m}'`);
  return { offline: m !== 'online', online: m !== 'offline' };
}
