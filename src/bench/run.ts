/**
 * `npm run bench`: simulator speed in accesses per second for plain post-copy and PPM post-copy on
 * a generated trace of 10^7 accesses, each also as a ratio to a bare loop reading the same typed
 * arrays (the ratio is what stays comparable across machines), plus peak memory.
 *
 * Usage: node --expose-gc dist/bench/run.js [--accesses N] [--json]
 */
import { intFlag, parseFlags } from '../cli/args';
import { simulate, type SimInput } from '../migration';
import { createPredictor, type PredictorName } from '../prefetch';
import { generateTrace, type Trace } from '../trace';

const RUNS = 3;

interface Measurement {
  name: string;
  predictor: PredictorName;
  accessesPerSecond: number;
  ratioToBareLoop: number;
  networkFaults: number;
}

/** Median wall time of RUNS calls, after one warm-up call, in seconds. */
function medianSeconds(work: () => void): number {
  work();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

/** The floor: one pass that reads each access's time and page, as the simulator's replay loop does. */
function bareLoop(trace: Trace): number {
  const { time, page } = trace;
  let sum = 0;
  for (let i = 0; i < page.length; i++) sum += time[i] * 1e-3 + page[i];
  return sum;
}

/** PPM when the registry has it; otherwise the costliest learning predictor there is, named in the output. */
function ppmOrFallback(): PredictorName {
  for (const name of ['ppm', 'markov', 'next-k'] as const) {
    try {
      createPredictor(name, {});
      return name;
    } catch {
      // not registered yet: try the next one
    }
  }
  return 'none';
}

function main(argv: string[]): void {
  const { values } = parseFlags(argv, { accesses: { type: 'string' }, json: { type: 'boolean' } });
  const accesses = intFlag(values.accesses, 'accesses', 10_000_000, 1);
  const trace = generateTrace('phased', { seed: 'bench', accesses, pages: 1 << 18, phases: 8, hotFraction: 0.05 });
  const input: SimInput = { switchover: trace.time[Math.floor(accesses / 2)], k: 8, push: 'restart' };
  let sink = 0;
  const bareSeconds = medianSeconds(() => {
    sink += bareLoop(trace);
  });
  const bareRate = accesses / bareSeconds;
  const ppm = ppmOrFallback();
  const ppmName = ppm === 'ppm' ? 'PPM post-copy' : `PPM post-copy (ppm not registered: ${ppm} instead)`;
  const runs: { name: string; input: SimInput }[] = [
    { name: 'plain post-copy', input: { ...input, predictor: 'none' } },
    { name: ppmName, input: { ...input, predictor: ppm } },
    // Splits PPM's cost: without offline training the history half is skipped by the model.
    { name: `${ppmName}, online training only`, input: { ...input, predictor: ppm, predictorOptions: { training: 'online' } } },
  ];
  const measurements: Measurement[] = runs.map(({ name, input: runInput }) => {
    let networkFaults = 0;
    const seconds = medianSeconds(() => {
      networkFaults = simulate(trace, runInput).networkFaults;
    });
    const accessesPerSecond = accesses / seconds;
    return { name, predictor: runInput.predictor ?? 'none', accessesPerSecond, ratioToBareLoop: accessesPerSecond / bareRate, networkFaults };
  });
  const memory = process.memoryUsage();
  const report = {
    trace: trace.name,
    accesses,
    switchover: '50% (first half is predictor history)',
    bareLoopAccessesPerSecond: bareRate,
    measurements,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB: memory.heapUsed / 2 ** 20,
    arrayBuffersMiB: memory.arrayBuffers / 2 ** 20,
    checksum: sink,
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const millions = (rate: number) => `${(rate / 1e6).toFixed(1)} M/s`;
  console.log(`trace ${trace.name}: ${accesses} accesses, ${trace.page.length / 2} replayed after switchover (all ${accesses} counted)`);
  console.log(`${'bare loop'.padEnd(44)} ${millions(bareRate)}`);
  for (const m of measurements) {
    console.log(`${m.name.padEnd(44)} ${millions(m.accessesPerSecond)}  (${(m.ratioToBareLoop * 100).toFixed(1)}% of bare loop, ${m.networkFaults} faults)`);
  }
  console.log(`peak RSS ${report.peakRssMiB.toFixed(0)} MiB, heap used ${report.heapUsedMiB.toFixed(0)} MiB, array buffers ${report.arrayBuffersMiB.toFixed(0)} MiB`);
}

main(process.argv.slice(2));
