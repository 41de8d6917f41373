/**
 * The predictor registry: one line per predictor module. Names, options, CLI flags, usage text and
 * the README's predictor table all come from this list; CLI, experiments and notebooks create
 * predictors only through createPredictor.
 */
import { refuseUnknownNames, UserError } from '../errors';
import { bubbling } from './bubbling';
import { leap } from './leap';
import { markov } from './markov';
import { nextK } from './next-k';
import { none } from './none';
import { type OptionSpec, resolveOptions } from './options';
import { oracle } from './oracle';
import { phaseBubbling } from './phase-bubbling';
import { ppm } from './ppm';
import { ppmDelta } from './ppm-delta';
import { ppmHybrid } from './ppm-hybrid';
import { ppmHybridDirty } from './ppm-hybrid-dirty';
import { ppmOrder0 } from './ppm-order0';
import { randomK } from './random-k';
import { readahead } from './readahead';
import { stride } from './stride';
import { ShapeKeepers } from '../util/shape-keepers';
import { ArrivalContext, feedHistory, type FutureView, type Predictor, type PredictorOptions } from './types';

/** Every predictor, in the order tables and comparisons show them. A new predictor is one file plus one entry here. */
export const PREDICTORS = [
  none,
  nextK,
  readahead,
  bubbling,
  stride,
  markov,
  leap,
  ppm,
  ppmDelta,
  phaseBubbling,
  ppmHybrid,
  ppmHybridDirty,
  randomK,
  ppmOrder0,
  oracle,
] as const;

export type PredictorName = (typeof PREDICTORS)[number]['name'];
export const PREDICTOR_NAMES: readonly PredictorName[] = PREDICTORS.map((definition) => definition.name);

/** The definition of a registered predictor (unknown names are user errors). */
export function predictorDefinition(name: string): (typeof PREDICTORS)[number] {
  const definition = PREDICTORS.find((d) => d.name === name);
  if (!definition)
    throw new UserError(`unknown predictor ${JSON.stringify(name)} (known: ${PREDICTOR_NAMES.join(', ')})`);
  return definition;
}

/**
 * A fresh predictor of the given name (state is per run: never share one between runs). A declared option out of its
 * bounds, or a name no predictor declares (refuseUnknownOptions), is a one-line UserError; an option only other
 * predictors declare is ignored, so that one options object can configure several.
 */
export function createPredictor(name: PredictorName, options: PredictorOptions = {}): Predictor {
  const definition = predictorDefinition(name);
  refuseUnknownOptions(options);
  const predictor = instantiate(definition, options, options);
  shapeKeepers.madeOne(name, () => exercisedPredictor(definition));
  return predictor;
}

/**
 * The key of the model a run of predictor `name` with `options` trains and keeps (PredictorDefinition.trainedModel),
 * or undefined for a predictor that keeps none or options it would refuse (the run itself reports those).
 */
export function trainedModelKey(name: string, options: PredictorOptions = {}): string | undefined {
  const definition = PREDICTORS.find((d) => d.name === name) as
    { trainedModel?(values: object): string; options: (typeof PREDICTORS)[number]['options'] } | undefined;
  if (!definition?.trainedModel) return undefined;
  try {
    return definition.trainedModel(resolveOptions(definition as (typeof PREDICTORS)[number], options));
  } catch {
    return undefined;
  }
}

/**
 * The options predictor `name` declares but leaves unread with `options` (PredictorDefinition.unreadOptions), each
 * with why; {} when it reads all it declares.
 */
export function unreadOptions(name: PredictorName, options: PredictorOptions): Readonly<Record<string, string>> {
  const definition = predictorDefinition(name);
  const generic = definition as { unreadOptions?(values: object): Readonly<Record<string, string>> };
  return generic.unreadOptions?.(resolveOptions(definition, options)) ?? {};
}

/** FutureView's keys, which any predictor may be given beside its own options (the compiler keeps this whole). */
const FUTURE_VIEW_KEYS: Readonly<Record<keyof FutureView, true>> = { trace: true, firstTouches: true };

let declaredNames: readonly string[] | undefined;

/**
 * Refuses a name in `options` that no predictor declares and that is neither FutureView's nor in `alsoKnown` (the
 * caller's own settings): a typo ({ ordre: 3 }) was ignored and the default ran. A name some other predictor declares
 * is taken, as resolveOptions takes it: one options object may configure several predictors.
 */
export function refuseUnknownOptions(
  options: object,
  alsoKnown: Readonly<Record<string, true>> = {},
  what = 'predictor option',
): void {
  declaredNames ??= [...new Set(declaredOptions().map((option) => option.name))];
  refuseUnknownNames(options, [...declaredNames, ...Object.keys(FUTURE_VIEW_KEYS), ...Object.keys(alsoKnown)], what);
}

/**
 * The options that at least one of `methods` declares and reads with `options` (unreadOptions): what the command line
 * takes for them and the what-if page prints in its command.
 */
export function optionsRead(methods: readonly PredictorName[], options: PredictorOptions): Set<string> {
  return new Set(
    methods.flatMap((method) => {
      const unread = unreadOptions(method, options);
      return Object.keys(predictorDefinition(method).options).filter((name) => !(name in unread));
    }),
  );
}

/** `definition`'s predictor with `options` resolved against its own defaults and bounds. */
function instantiate(
  definition: (typeof PREDICTORS)[number],
  options: PredictorOptions,
  future: FutureView,
): Predictor {
  // each definition is checked against its own options; the union of definitions hides that from the types
  const generic = definition as { create(values: object, future: FutureView): Predictor };
  return generic.create(resolveOptions(definition, options), future);
}

/**
 * Whether a predictor reads k, the pages a fault sends with it: `none` sends none, so simulate and compare refuse --k
 * for it alone and print no k for it, and the what-if page shows none.
 */
export const readsK = (name: string): boolean => name !== 'none';

/** Parses a predictor name given by a user; one-line error listing the known names. */
export function parsePredictorName(text: string): PredictorName {
  return predictorDefinition(text).name;
}

/**
 * One predictor option with the predictors that declare it: one declaration per name (shared as
 * TRAINING_OPTION is), though a predictor may give it another default (withDefault).
 */
export interface DeclaredOption {
  name: string;
  spec: OptionSpec;
  predictors: PredictorName[];
  /** Predictors whose default differs from spec.default, with theirs. */
  otherDefaults: { predictor: PredictorName; value: OptionSpec['default'] }[];
}

const withoutDefault = (spec: OptionSpec) => JSON.stringify({ ...spec, default: undefined });

/** Every option any predictor declares, in registry order; one name declared with different bounds or help throws. */
export function declaredOptions(): DeclaredOption[] {
  const byName = new Map<string, DeclaredOption>();
  for (const definition of PREDICTORS) {
    for (const [name, spec] of Object.entries(definition.options) as [string, OptionSpec][]) {
      const known = byName.get(name);
      if (!known) {
        byName.set(name, { name, spec, predictors: [definition.name], otherDefaults: [] });
        continue;
      }
      if (withoutDefault(known.spec) !== withoutDefault(spec)) {
        throw new Error(
          `predictors ${known.predictors[0]} and ${definition.name} declare option ${name} differently: share one spec`,
        );
      }
      known.predictors.push(definition.name);
      if (spec.default !== known.spec.default)
        known.otherDefaults.push({ predictor: definition.name, value: spec.default });
    }
  }
  return [...byName.values()];
}

/**
 * One small exercised predictor of each kind (util/shape-keepers.ts): without them, a mark-compact between runs killed
 * the maps of every predictor, and the next run re-tiered (after a forced gc() between warm sweeps of the bench grid,
 * about 150 TurboFan compiles a run, with them about 60). Remade every 32nd predictor of a kind (0.06 ms each); a few
 * KB, no run's state.
 */
const shapeKeepers = new ShapeKeepers(32);

function exercisedPredictor(definition: (typeof PREDICTORS)[number]): Predictor {
  // online training only: a PPM keeper trains no model from history, so it leaves the kept trained models alone
  const future = { firstTouches: new Uint32Array([1, 2, 3, 4]) };
  const keeper = instantiate(definition, { historyWindow: 16, training: 'online' }, future);
  const history = new Uint32Array([1, 2, 3, 4, 5, 3, 2, 1, 9, 7]);
  feedHistory(keeper, history, new Uint8Array(history.length).fill(1));
  // the simulator's context class, so the keeper's calls leave the type feedback the runs leave (page 2 sent)
  const arrival = new Float64Array(64).fill(Infinity);
  arrival[2] = 0;
  const context = new ArrivalContext(arrival.length, arrival);
  for (const page of [3, 20, 5]) keeper.onFault(page, 4, context);
  keeper.modelSize();
  // its object stays, with its maps; what release frees (PPM's node records) goes to the runs
  keeper.release?.();
  return keeper;
}
