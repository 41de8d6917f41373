import type { Row } from '../report/table';
import { switchoverAtFraction } from '../trace';
import { EXPERIMENT_DEFAULTS, type SimOverrides } from './common';
import { simulateMethod, type Method } from './predictors';
import type { Workload } from './workloads';

/** One wait of the VM: when it started and how long it lasted, in microseconds from the migration start. */
export interface Wait {
  startUs: number;
  waitUs: number;
}

/**
 * The VM's speed in `bins` equal time bins from 0 to `endUs`: instructions executed per millisecond in each
 * bin. The VM runs at `instructionsPerSecond` from `resumeUs` to `vmEndUs` except while it waits; before
 * the resume (the downtime) and after its last instruction it executes nothing.
 *
 * @example throughputBins([{ startUs: 1000, waitUs: 500 }], 0, 2000, 1e6, 2, 2000) // [1000, 500]
 */
export function throughputBins(
  waits: readonly Wait[],
  resumeUs: number,
  vmEndUs: number,
  instructionsPerSecond: number,
  bins: number,
  endUs: number,
): number[] {
  const width = endUs / bins;
  const runningUs = new Float64Array(bins);
  const add = (fromUs: number, toUs: number, sign: number) => {
    for (let b = Math.max(0, Math.floor(fromUs / width)); b < bins && b * width < toUs; b++) {
      const overlap = Math.min(toUs, (b + 1) * width) - Math.max(fromUs, b * width);
      if (overlap > 0) runningUs[b] += sign * overlap;
    }
  };
  add(resumeUs, vmEndUs, 1);
  for (const w of waits) add(w.startUs, w.startUs + w.waitUs, -1);
  return [...runningUs].map((us) => (us * instructionsPerSecond) / 1e6 / (width / 1000));
}

/**
 * Post-copy only: the VM's progress over time after switchover for each method on one workload (instructions
 * per ms in `bins` bins over the longest run). One row per (method, bin); timeMs is the bin's middle.
 */
export function throughputTimeline(
  workload: Workload,
  methods: readonly Method[],
  overrides: SimOverrides = {},
  bins = 100,
): Row[] {
  const instructionsPerSecond = overrides.instructionsPerSecond ?? 1e9;
  const trace = workload.trace;
  const switchover = switchoverAtFraction(
    trace,
    overrides.switchoverFraction ?? EXPERIMENT_DEFAULTS.switchoverFraction,
  );
  const runUs = (trace.time[trace.time.length - 1] - switchover) * (1e6 / instructionsPerSecond);
  const runs = methods.map((method) => {
    const waits: Wait[] = [];
    const r = simulateMethod(
      workload,
      method,
      { ...overrides, instructionsPerSecond },
      { onWait: (startUs, waitUs) => waits.push({ startUs, waitUs }) },
    );
    const resumeUs = r.downtimeMs * 1000;
    return { method, waits, resumeUs, vmEndUs: resumeUs + runUs + r.stallMs * 1000 };
  });
  const endUs = Math.max(...runs.map((run) => run.vmEndUs));
  return runs.flatMap(({ method, waits, resumeUs, vmEndUs }) =>
    throughputBins(waits, resumeUs, vmEndUs, instructionsPerSecond, bins, endUs).map((perMs, b) => ({
      workload: workload.name,
      method: method.label,
      timeMs: ((b + 0.5) * endUs) / bins / 1000,
      instructionsPerMs: perMs,
    })),
  );
}
