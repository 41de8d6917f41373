/**
 * `postcopy-lab predict`: prediction metrics of one predictor on a trace (see README
 * "Prediction metrics"), as a table or one JSON object.
 */
import { printable } from '../errors';
import { fileArguments, intFlag, parseFlags, requireFlag } from './args';
import {
  checkKIsRead,
  PREDICTOR_FLAGS,
  predictorFlagsUsage,
  predictorOptionsFromFlags,
  wrapUsage,
} from './predictor-flags';
import {
  parsePredictorName,
  PREDICT_DEFAULTS,
  PredictionReplay,
  PREDICTOR_NAMES,
  readsK,
  replaySettings,
  type PredictionMetrics,
} from '../prefetch';
import { NO_VALUE } from '../report/table';
import { fileSwitchover, switchoverFlag } from './simulate';
import { firstTouchesOfFile, MAX_PAGES_PER_FAULT, MAX_TRACE_ACCESSES, streamTrace, summarizeTraceFile } from '../trace';

const USAGE = `usage: postcopy-lab predict [--trace] FILE --predictor NAME [options]
  [--trace] FILE           trace file (text, binary .pctrace, optionally .gz), as --trace FILE or as FILE
${wrapUsage('  --predictor NAME'.padEnd(27), PREDICTOR_NAMES.join(', ').split(' '), 27)}
  --k N                    pages proposed per fault (default ${PREDICT_DEFAULTS.k})
${predictorFlagsUsage(27)}
  --switchover X           instruction count, fraction (0.3) or percentage (30%) of the accesses;
                           earlier accesses are history (default 0)
  --lead N                 accesses a prefetched page is in flight after its fault (default ${PREDICT_DEFAULTS.lead})
  --json                   print one JSON object instead of a table`;

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

/** The metrics as aligned "name  value" lines. */
export function formatPredictionMetrics(m: PredictionMetrics, traceName: string): string {
  const share = (x: number) => x.toFixed(4);
  const rows: [string, string][] = [
    ['trace', printable(traceName)],
    // none reads no k (it sends no page with a fault): a dash, as simulate, compare and the what-if page show it
    ['predictor', `${m.predictor} (k = ${readsK(m.predictor) ? m.k : NO_VALUE}, lead = ${m.lead})`],
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

export async function run(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseFlags(argv, FLAGS, true);
  if (v.help) {
    console.log(USAGE);
    return;
  }
  const [path] = fileArguments(positionals, [{ flag: 'trace', value: v.trace, what: 'trace' }], USAGE.split('\n')[0]);
  const name = parsePredictorName(requireFlag(v.predictor, 'predictor'));
  const options = {
    ...predictorOptionsFromFlags(v, [name]),
    k: intFlag(v.k, 'k', PREDICT_DEFAULTS.k, 0, MAX_PAGES_PER_FAULT),
    lead: intFlag(v.lead, 'lead', PREDICT_DEFAULTS.lead, 0, MAX_TRACE_ACCESSES),
  };
  checkKIsRead(v.k, 'predictor', [name]);
  const switchoverSpec = switchoverFlag(v.switchover);
  // streamed: a summary pass, the first-touch order of the replay, then the replay itself; the settings are
  // checked against the summary before the first-touch pass reads the whole file again
  const summary = await summarizeTraceFile(path);
  const settings = { ...options, switchover: await fileSwitchover(switchoverSpec, path, summary, 0) };
  replaySettings(summary, settings);
  const firstTouches = await firstTouchesOfFile(path, summary.largestPage, settings.switchover);
  const replay = new PredictionReplay(summary, name, firstTouches, settings);
  for await (const chunk of streamTrace(path)) replay.feed(chunk);
  const metrics = replay.finish();
  console.log(
    v.json
      ? JSON.stringify({ trace: summary.name, ...metrics, ...(readsK(name) ? {} : { k: null }) }, null, 2)
      : formatPredictionMetrics(metrics, summary.name),
  );
}
