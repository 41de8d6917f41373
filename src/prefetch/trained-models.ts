/**
 * Reuse of trained PPM models across the runs of a sweep. A sweep runs one trace under many settings
 * (network, k, push, method) and each PPM run trains the same model on the same history, which is most
 * of the run's time. Inside `reusingTrainedModels` a model trained on a history is kept, and a later
 * run with the same history and model options starts from a copy of it: the copy is in exactly the
 * state training would have left, so every result is the same. Outside (one `simulate`, the CLI,
 * `npm run bench`) every run trains its own model.
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

function sameValues(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The model `train` builds from `history`, or a copy of one built before from the same history under
 * the same `key` (the model's options). `order` bounds the model's size for the memory bound.
 */
export function trainedModel(key: string, order: number, history: Uint32Array, train: () => PpmModel): PpmModel {
  if (depth === 0 || history.length === 0) return train();
  const at = kept.findIndex((k) => k.key === key && sameValues(k.history, history));
  if (at >= 0) {
    const [hit] = kept.splice(at, 1);
    kept.push(hit);
    return hit.model.clone();
  }
  const model = train();
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
