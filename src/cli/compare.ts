/** `postcopy-lab compare`: the same migration with several predictors, side by side. */
import { simulate } from '../migration';
import { formatResults, parseSimArgs, SIM_OPTIONS_USAGE } from './simulate';

const USAGE = `usage: postcopy-lab compare --trace FILE --prefetchers a,b,c [options]
  --prefetchers LIST           comma-separated predictor names, e.g. none,next-k,ppm,oracle
${SIM_OPTIONS_USAGE}`;

export async function run(argv: string[]): Promise<void> {
  const parsed = await parseSimArgs(argv, 'prefetchers', USAGE);
  if (!parsed) return;
  const results = parsed.predictors.map((predictor) => simulate(parsed.trace, { ...parsed.input, predictor }));
  console.log(parsed.json ? JSON.stringify(results, null, 2) : formatResults(results));
}
