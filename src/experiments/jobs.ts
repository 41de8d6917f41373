/**
 * What one unit of a sweep computes, by name, so that a worker thread (which receives data, not
 * functions) runs exactly the code the main thread would: a simulation with the experiment
 * defaults, or PPM's prediction metrics.
 */
import {
  predictionMetrics,
  type PredictionMetrics,
  type PredictionMetricsOptions,
  type PredictorName,
  reusingTrainedModels,
} from '../prefetch';
import { exerciseSimulator, type MigrationResult } from '../migration';
import type { Trace } from '../trace';
import { simulateWorkload, type SimOverrides } from './common';

export interface JobTypes {
  simulate: { options: SimOverrides; result: MigrationResult };
  predictionMetrics: { options: PredictionMetricsOptions & { predictor: PredictorName }; result: PredictionMetrics };
}
export type JobKind = keyof JobTypes;

/** One unit of a sweep: a kind, the trace it runs on and its options (plain data). */
export interface Job<K extends JobKind = JobKind> {
  kind: K;
  trace: Trace;
  options: JobTypes[K]['options'];
  /** Shown by progress reports when the job is done. */
  label: string;
}

const RUNNERS: { [K in JobKind]: (trace: Trace, options: JobTypes[K]['options']) => JobTypes[K]['result'] } = {
  simulate: (trace, options) => simulateWorkload({ trace }, options),
  predictionMetrics: (trace, { predictor, ...options }) =>
    reusingTrainedModels(() => predictionMetrics(trace, predictor, options)),
};

/** Whether this thread ran exerciseSimulator before its first job. */
let exercised = false;

export function runJob<K extends JobKind>(
  kind: K,
  trace: Trace,
  options: JobTypes[K]['options'],
): JobTypes[K]['result'] {
  if (!exercised) {
    exercised = true;
    exerciseSimulator(trace);
  }
  return RUNNERS[kind](trace, options);
}

/**
 * Which code a job runs, as a key: its kind, predictor and migration mode. A worker thread that ran a job
 * with the same key has most of that code compiled already (the sweep scheduler keeps them together).
 */
export function jobCode(job: Job): string {
  const { predictor, mode } = job.options as { predictor?: string; mode?: string };
  return `${job.kind} ${predictor ?? ''} ${mode ?? ''}`;
}

/** The job of simulateWorkload(workload, overrides): the workload's VM size travels in the options. */
export function simulationJob(
  workload: { trace: Trace; vmPages?: number },
  overrides: SimOverrides,
  label: string,
): Job<'simulate'> {
  const options = workload.vmPages === undefined ? overrides : { vmPages: workload.vmPages, ...overrides };
  return { kind: 'simulate', trace: workload.trace, options, label };
}
