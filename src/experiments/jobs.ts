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
  trainedModelKey,
} from '../prefetch';
import { DEFAULT_SIM_CONFIG, exerciseSimulator, type MigrationResult, type SimMethod } from '../migration';
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

export function runJob<K extends JobKind>(
  kind: K,
  trace: Trace,
  options: JobTypes[K]['options'],
): JobTypes[K]['result'] {
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

/**
 * The key of the model the job's predictor trains on its trace's history and keeps (trained-models.ts), or undefined:
 * jobs of one key on one trace reuse one model where they run on one thread.
 */
export function jobModel(job: Job): string | undefined {
  if (job.kind === 'predictionMetrics') {
    const { predictor, ...options } = job.options as JobTypes['predictionMetrics']['options'];
    return trainedModelKey(predictor, options);
  }
  const { predictor = DEFAULT_SIM_CONFIG.predictor, predictorOptions } = job.options as SimOverrides;
  return trainedModelKey(predictor, predictorOptions);
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

/** A method as one string, by which a sweep's methods and a thread's exercised ones are each kept once. */
const methodKey = ({ mode, predictor }: SimMethod) => `${mode} ${predictor}`;

/** The methods (mode and predictor) of a sweep's simulations, each once, for exerciseMethods. */
export function simulatedMethods(jobs: readonly Pick<Job, 'kind' | 'options'>[]): SimMethod[] {
  const methods = new Map<string, SimMethod>();
  for (const { kind, options } of jobs) {
    if (kind !== 'simulate') continue;
    const { mode = DEFAULT_SIM_CONFIG.mode, predictor = DEFAULT_SIM_CONFIG.predictor } = options as Partial<SimMethod>;
    methods.set(methodKey({ mode, predictor }), { mode, predictor });
  }
  return [...methods.values()];
}

/** The methods this thread has run through exerciseSimulator. */
const exercised = new Set<string>();

/**
 * Before a thread runs a sweep's jobs: exerciseSimulator on those of the sweep's `methods` it has not exercised yet,
 * when the sweep simulates more than one predictor (the shared code's feedback then meets them all before V8
 * compiles it). A sweep of one predictor has no other class to meet, and pays nothing; exercising methods a sweep does
 * not run cost CPU and saved no compile (`sweep training` with all 15 predictors exercised, DEVELOPERS.md).
 */
export function exerciseMethods(methods: readonly SimMethod[], like: Pick<Trace, 'time' | 'pageSize'>): void {
  if (new Set(methods.map((method) => method.predictor)).size < 2) return;
  const fresh = methods.filter((method) => !exercised.has(methodKey(method)));
  for (const method of fresh) exercised.add(methodKey(method));
  exerciseSimulator(like, fresh);
}
