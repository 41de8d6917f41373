/** `postcopy-lab compare`: the same migration with several predictors, side by side (one streamed pass for all). */
import { prefetcherUsage, printedResults, runSimulations, SIM_OPTIONS_USAGE } from './simulate';

const USAGE = `usage: postcopy-lab compare [--trace] FILE --prefetchers a,b,c [options]
${prefetcherUsage('  --prefetchers LIST', 'comma-separated predictor names (e.g. none,next-k,ppm,oracle) from')}
${SIM_OPTIONS_USAGE}`;

export async function run(argv: string[]): Promise<void> {
  const run = await runSimulations(argv, 'prefetchers', USAGE);
  if (!run) return;
  console.log(printedResults(run.results, run.json, false));
}
