/**
 * `postcopy-lab predict`: prediction metrics of one predictor on a trace (see README
 * "Prediction metrics"), as a table or one JSON object.
 */
import { UserError } from '../errors';
import { choiceFlag, intFlag, numberFlag, parseFlags, requireFlag, type ParsedFlags } from './args';
import {
  LEAP_DEFAULT_HISTORY, parsePredictorName, PPM_DEFAULT_HISTORY_WINDOW, PPM_DEFAULTS, PPM_ESCAPE_METHODS, PPM_SYMBOLS, PREDICT_DEFAULTS,
  predictionMetrics, PREDICTOR_NAMES, RANDOM_K_DEFAULT_SEED, TRAINING_MODES, type PredictionMetrics, type PredictorOptions,
} from '../prefetch';
import { loadTrace, parseSwitchover } from '../trace';

const USAGE = `usage: postcopy-lab predict --trace FILE --predictor NAME [options]
  --trace FILE             trace file (text, binary .pctrace, optionally .gz)
  --predictor NAME         ${PREDICTOR_NAMES.join(', ')}
  --k N                    pages proposed per fault (default ${PREDICT_DEFAULTS.k})
  --order N                ppm: maximum context order (default ${PPM_DEFAULTS.order})
  --escape A|C|D           ppm: escape method (default ${PPM_DEFAULTS.escape})
  --training M             ppm, markov: ${TRAINING_MODES.join('|')} (default both)
  --symbols S              ppm: ${PPM_SYMBOLS.join('|')} (default pages)
  --max-contexts N         ppm: cap on stored trie nodes, contexts and counts (default ${PPM_DEFAULTS.maxContexts})
  --min-probability P      ppm: send only predictions at least this likely, 0..1 (default ${PPM_DEFAULTS.minProbability})
  --history-window N       ppm: offline training on the last N history accesses (default ${PPM_DEFAULT_HISTORY_WINDOW})
  --direction D            bubbling: forward|dual (default dual)
  --history N              leap: deltas kept for the majority vote (default ${LEAP_DEFAULT_HISTORY})
  --seed S                 random-k: seed of the random draws (default ${RANDOM_K_DEFAULT_SEED})
  --switchover X           instruction count, fraction (0.3) or percentage (30%) of the accesses;
                           earlier accesses are history (default 0)
  --lead N                 accesses a prefetched page is in flight after its fault (default ${PREDICT_DEFAULTS.lead})
  --json                   print one JSON object instead of a table`;

/** The predictor flags, shared by every command that creates a predictor. */
export const PREDICTOR_FLAGS = {
  order: { type: 'string' },
  escape: { type: 'string' },
  training: { type: 'string' },
  symbols: { type: 'string' },
  'max-contexts': { type: 'string' },
  'history-window': { type: 'string' },
  'min-probability': { type: 'string' },
  direction: { type: 'string' },
  history: { type: 'string' },
  seed: { type: 'string' },
} as const;

const FLAGS = {
  ...PREDICTOR_FLAGS,
  trace: { type: 'string' },
  predictor: { type: 'string' },
  k: { type: 'string' },
  switchover: { type: 'string' },
  lead: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Predictor options that were given; absent ones stay undefined so each predictor uses its default. */
export function predictorOptionsFromFlags(v: ParsedFlags<typeof PREDICTOR_FLAGS>['values']): PredictorOptions {
  const whole = (value: string | undefined, flag: string, min: number) => (value === undefined ? undefined : intFlag(value, flag, 0, min));
  const choice = <T extends string>(value: string | undefined, flag: string, choices: readonly T[]) =>
    value === undefined ? undefined : choiceFlag(value, flag, choices, choices[0]);
  return {
    order: whole(v.order, 'order', 1),
    escape: choice(v.escape, 'escape', PPM_ESCAPE_METHODS),
    training: choice(v.training, 'training', TRAINING_MODES),
    symbols: choice(v.symbols, 'symbols', PPM_SYMBOLS),
    maxContexts: whole(v['max-contexts'], 'max-contexts', 1),
    historyWindow: whole(v['history-window'], 'history-window', 1),
    minProbability: v['min-probability'] === undefined ? undefined : numberFlag(v['min-probability'], 'min-probability', 0, 0, 1),
    direction: choice(v.direction, 'direction', ['forward', 'dual'] as const),
    history: whole(v.history, 'history', 1),
    seed: v.seed,
  };
}

/** The metrics as aligned "name  value" lines. */
export function formatPredictionMetrics(m: PredictionMetrics, traceName: string): string {
  const share = (x: number) => x.toFixed(4);
  const rows: [string, string][] = [
    ['trace', traceName],
    ['predictor', `${m.predictor} (k = ${m.k}, lead = ${m.lead})`],
    ['accesses', `${m.accesses} after switchover, ${m.historyAccesses} history`],
    ['faults', String(m.faults)],
    ['faults without prefetch', String(m.faultsWithoutPrefetch)],
    ['prefetch issued', String(m.prefetchIssued)],
    ['prefetch used', String(m.prefetchUsed)],
    ['accuracy', share(m.accuracy)],
    ['coverage', share(m.coverage)],
    ['top-k hit rate', share(m.topKHitRate)],
    ['late prefetches', `${m.latePrefetches} (lateness ${share(m.lateness)})`],
    ['model size', String(m.modelSize)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

export function run(argv: string[]): void {
  const { values: v, positionals } = parseFlags(argv, FLAGS, true);
  if (v.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 0) throw new UserError(`predict takes no positional arguments, got '${positionals[0]}'`);
  const name = parsePredictorName(requireFlag(v.predictor, 'predictor'));
  const trace = loadTrace(requireFlag(v.trace, 'trace'));
  const metrics = predictionMetrics(trace, name, {
    ...predictorOptionsFromFlags(v),
    k: intFlag(v.k, 'k', PREDICT_DEFAULTS.k, 0),
    lead: intFlag(v.lead, 'lead', PREDICT_DEFAULTS.lead, 0),
    switchover: v.switchover === undefined ? 0 : parseSwitchover(v.switchover, trace),
  });
  console.log(v.json ? JSON.stringify({ trace: trace.name, ...metrics }, null, 2) : formatPredictionMetrics(metrics, trace.name));
}
