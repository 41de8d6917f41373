/**
 * The replay loop's speed: plain and PPM post-copy on a generated trace, in replayed accesses per
 * second (the accesses after switchover; the history before it is only handed to the predictor),
 * against a bare loop that reads each access's time and page once. Both are timed in CPU time
 * (single-threaded work on a shared machine), median of 5 after 2 warm-up runs.
 */
import { simulate, type SimInput } from '../migration';
import { generateTrace, type Trace } from '../trace';
import { line, medianSeconds, type BenchLine } from './measure';

/** The floor: one pass that reads each access's time and page, as the simulator's replay loop does. */
function bareLoop(trace: Trace): number {
  const { time, page } = trace;
  let sum = 0;
  for (let i = 0; i < page.length; i++) sum += time[i] * 1e-3 + page[i];
  return sum;
}

/** Issue 11's goals: plain post-copy at least a third of the bare loop, PPM at least 40 M replayed accesses/s. */
export const REPLAY_GOALS = { plainRatio: 1 / 3, ppmAccessesPerSecond: 40e6 };

export function replaySection(accesses: number): BenchLine[] {
  const trace = generateTrace('phased', { seed: 'bench', accesses, pages: 1 << 18, phases: 8, hotFraction: 0.05 });
  const firstReplayed = Math.floor(accesses / 2);
  const replayed = accesses - firstReplayed;
  const input: SimInput = { switchover: trace.time[firstReplayed], k: 8, push: 'restart' };
  let sink = 0;
  const bareRate =
    accesses /
    medianSeconds(() => {
      sink += bareLoop(trace);
    });
  if (Number.isNaN(sink)) throw new Error('bare loop read NaN');
  const base = {
    section: 'replay',
    unit: 'accesses/s',
    baseline: 'bare loop over the same arrays',
    baselineValue: bareRate,
  };
  const rate = (runInput: SimInput) => replayed / medianSeconds(() => simulate(trace, runInput));
  return [
    line({ ...base, name: 'bare loop', value: bareRate }),
    line(
      { ...base, name: 'plain post-copy (replayed accesses)', value: rate({ ...input, predictor: 'none' }) },
      { ratioAtLeast: REPLAY_GOALS.plainRatio },
    ),
    line(
      { ...base, name: 'PPM post-copy (replayed accesses)', value: rate({ ...input, predictor: 'ppm' }) },
      { valueAtLeast: REPLAY_GOALS.ppmAccessesPerSecond },
    ),
    // splits PPM's cost: without offline training the 2^20 history accesses are not learnt
    line({
      ...base,
      name: 'PPM post-copy, online training only',
      value: rate({ ...input, predictor: 'ppm', predictorOptions: { training: 'online' } }),
    }),
  ];
}
