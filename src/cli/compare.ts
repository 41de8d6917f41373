/** `postcopy-lab compare`: the same migration with several predictors, side by side. */
import { UserError } from '../errors';
import { simulate } from '../migration';
import { parsePredictorName } from '../prefetch';
import { formatResults, parseSimArgs, SIM_OPTIONS_USAGE } from './simulate';

const USAGE = `usage: postcopy-lab compare --trace FILE --prefetchers a,b,c [options]
  --prefetchers LIST           comma-separated predictor names, e.g. none,next-k,ppm,oracle
${SIM_OPTIONS_USAGE}`;

export function run(argv: string[]): void {
  const parsed = parseSimArgs(argv, 'prefetchers', USAGE);
  if (!parsed) return;
  const names = (parsed.predictors ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new UserError('missing required option --prefetchers (e.g. none,next-k,ppm)');
  const predictors = names.map(parsePredictorName);
  const results = predictors.map((predictor) => simulate(parsed.trace, { ...parsed.input, predictor }));
  console.log(parsed.json ? JSON.stringify(results, null, 2) : formatResults(results));
}
