/**
 * Reuse of trained PPM models across the runs of a sweep. A sweep runs one trace under many settings
 * (network, k, push, method) and each PPM run trains the same model on the same history, which is most
 * of the run's time. Inside `reusingTrainedModels` a model trained on a history is kept, and a later
 * run with the same history and model options starts from a copy of it: the copy is in exactly the
 * state training would have left, so every result is the same. A history that begins with a kept one
 * (a later switchover on the same trace) is trained from a copy of that one on the accesses after it:
 * training is one update per access in order, so that is the state training from the start leaves.
 * Outside (one `simulate`, the CLI, `npm run bench`) every run trains its own model.
 */
import type { PpmModel } from '../model/ppm';

/** Bound on the trie nodes the kept models may hold (per thread): a few hundred MB at most. */
const MAX_KEPT_NODES = 2 ** 22;

interface Kept {
  key: string;
  history: Uint32Array;
  model: PpmModel;
  /** Upper bound on the model's trie nodes: order + 1 per history access. */
  nodes: number;
}

/** Least recently used first. */
const kept: Kept[] = [];
let keptNodes = 0;
let depth = 0;

/** Runs `run` with trained models reused (see above); they stay kept for later sweeps, within the bound. */
export function reusingTrainedModels<T>(run: () => T): T {
  depth++;
  try {
    return run();
  } finally {
    depth--;
  }
}

/** Whether `history` begins with all of `prefix`. */
function startsWith(history: Uint32Array, prefix: Uint32Array): boolean {
  if (prefix.length > history.length) return false;
  for (let i = 0; i < prefix.length; i++) if (history[i] !== prefix[i]) return false;
  return true;
}

/**
 * Trains on history[from..] the model given, a copy of one trained on history[0, from), or a new model when
 * none is given (from = 0); returns the trained model.
 */
export type Training = (model: PpmModel | undefined, from: number) => PpmModel;

/**
 * The model `train` builds from `history`, a copy of one built before from the same history under the
 * same `key` (the model's options), or one trained on the rest of `history` from a copy of the one kept for
 * its longest kept beginning. `order` bounds the model's size for the memory bound.
 */
export function trainedModel(key: string, order: number, history: Uint32Array, train: Training): PpmModel {
  if (depth === 0 || history.length === 0) return train(undefined, 0);
  let start: Kept | undefined;
  for (const k of kept) {
    if (k.key !== key || k.history.length <= (start?.history.length ?? 0) || !startsWith(history, k.history)) continue;
    start = k;
    if (k.history.length === history.length) break;
  }
  if (start) {
    kept.splice(kept.indexOf(start), 1);
    kept.push(start);
    if (start.history.length === history.length) return start.model.clone();
  }
  const model = start ? train(start.model.clone(), start.history.length) : train(undefined, 0);
  const nodes = (order + 1) * history.length;
  if (nodes > MAX_KEPT_NODES) return model;
  kept.push({ key, history: history.slice(), model: model.clone(), nodes });
  keptNodes += nodes;
  while (keptNodes > MAX_KEPT_NODES) keptNodes -= kept.shift()!.nodes;
  return model;
}

/** How many trained models are kept now. */
export function keptTrainedModels(): number {
  return kept.length;
}
