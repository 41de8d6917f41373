import { oneOf } from './options';

export const TRAINING_MODES = ['offline', 'online', 'both'] as const;
export type TrainingMode = (typeof TRAINING_MODES)[number];

/** The `training` option, shared by every learning predictor (one declaration, so one CLI flag). */
export const TRAINING_OPTION = oneOf(
  TRAINING_MODES,
  'both',
  'trains on history before switchover (offline), on faults after it (online) or both as one stream',
);

/**
 * The history window left unread under `mode` by a predictor that reads history only to train offline
 * (PredictorDefinition.unreadOptions): online training learns from the faults alone.
 */
export function unreadHistoryWindow(mode: TrainingMode): Readonly<Record<string, string>> {
  return mode === 'online' ? { historyWindow: 'training online learns from the faults alone, never from history' } : {};
}

/** Which streams a learning predictor trains on: history before switchover, faults after, or both. */
export function trainingFlags(mode: TrainingMode): { offline: boolean; online: boolean } {
  return { offline: mode !== 'online', online: mode !== 'offline' };
}
