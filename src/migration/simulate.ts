/**
 * One migration of a trace: post-copy (pause, then pages on demand, predicted and pushed),
 * pre-copy (live rounds, then stop-and-copy) or hybrid (live rounds, then post-copy for the pages
 * still dirty). The timing model is described in README "Migration model".
 */
import { createPredictor } from '../prefetch';
import type { Predictor } from '../prefetch/types';
import { switchoverIndex } from '../trace/switchover';
import type { Trace } from '../trace/types';
import { resolveSimConfig } from './config';
import { resumeAfterPause, serialiseUs, timingOf, type Timing } from './link';
import { NO_WAITS, PostcopyRun, type PostcopyCounts, type SendObserver, type WaitObserver } from './postcopy';
import { runPrecopyRounds, type PrecopyOutcome } from './precopy';
import { zeroPageFlags } from './zero-pages';
import type { MigrationResult, ResolvedSimConfig, SimInput } from './types';

/**
 * Test and research hooks: a predictor instance instead of the registry's, an observer of every page
 * sent, an observer of every wait of the VM (the throughput timeline is drawn from it).
 */
export interface SimHooks {
  predictor?: Predictor;
  onSend?: SendObserver;
  onWait?: WaitObserver;
}

/** Simulates one migration of `trace`; `input` overrides DEFAULT_SIM_CONFIG (invalid values throw UserError). */
export function simulate(trace: Trace, input: SimInput = {}, hooks: SimHooks = {}): MigrationResult {
  const config = resolveSimConfig(trace, input);
  const zero = zeroPageFlags(config.vmPages, config.zeroPageShare, config.zeroPageSeed, config.zeroPages);
  const run: Run = { trace, config, timing: timingOf(config), hooks, firstAccess: switchoverIndex(trace, config.switchover), zero };
  switch (config.mode) {
    case 'postcopy':
      return postcopy(run);
    case 'precopy':
      return precopy(run);
    case 'hybrid':
      return hybrid(run);
  }
}

interface Run {
  trace: Trace;
  config: ResolvedSimConfig;
  timing: Timing;
  hooks: SimHooks;
  /** First access after switchover. */
  firstAccess: number;
  /** Per page: 1 when zero (sent as a header only); undefined when no page is. */
  zero?: Uint8Array;
}

const NO_PRECOPY = { rounds: 0, pagesSent: 0, zeroPagesSent: 0 };

function postcopy(run: Run): MigrationResult {
  const arrival = new Float64Array(run.config.vmPages).fill(Infinity);
  const phase = postcopyPhase(run, 0, run.config.switchover, run.firstAccess, arrival, run.zero);
  return result(run, NO_PRECOPY, phase.downtimeUs, phase.counts, phase.counts.distinctPagesTouched);
}

/** Live rounds, then the VM pauses while the dirty pages and the state cross the link; no faults after. */
function precopy(run: Run): MigrationResult {
  const { config, timing } = run;
  const rounds = runPrecopyRounds(run.trace, config, timing, run.firstAccess, config.switchover, run.zero);
  const pauseBytes = rounds.dirtyCount * timing.pageMessageBytes + timing.stateMessageBytes;
  const resumeUs = resumeAfterPause(config, timing, rounds.pauseUs, pauseBytes);
  const counts: PostcopyCounts = {
    networkFaults: 0, latePrefetches: 0, prefetchIssued: 0, prefetchUsed: 0, pushPages: 0,
    pagesSent: rounds.dirtyCount, zeroPagesSent: 0, distinctPagesTouched: 0, stallUs: 0, ...NO_WAITS, lastArrivalUs: resumeUs,
  };
  return result(run, rounds, resumeUs - rounds.pauseUs, counts, distinctPages(run));
}

/**
 * Live rounds, then a post-copy phase in which only the pages dirty at the pause are on the source
 * (written, so none of them is a zero page any more).
 */
function hybrid(run: Run): MigrationResult {
  const rounds = runPrecopyRounds(run.trace, run.config, run.timing, run.firstAccess, run.config.switchover, run.zero);
  const arrival = new Float64Array(run.config.vmPages);
  for (let p = 0; p < arrival.length; p++) if (rounds.dirty[p] === 1) arrival[p] = Infinity;
  const phase = postcopyPhase(run, rounds.pauseUs, rounds.pauseInstruction, rounds.nextAccess, arrival, undefined);
  return result(run, rounds, phase.downtimeUs, phase.counts, distinctPages(run));
}

/**
 * Pause at `pauseUs` (VM at `pauseInstruction`, access `nextAccess` next), send the state, resume
 * on the destination and replay the rest. The predictor learns from every access that ran on the source.
 */
function postcopyPhase(
  run: Run, pauseUs: number, pauseInstruction: number, nextAccess: number, arrival: Float64Array, zero: Uint8Array | undefined,
): { downtimeUs: number; counts: PostcopyCounts } {
  const { trace, config, timing, hooks } = run;
  const predictor = hooks.predictor ?? createPredictor(config.predictor, { ...config.predictorOptions, trace });
  for (let i = 0; i < nextAccess; i++) predictor.observeHistory(trace.page[i]);
  const resumeUs = resumeAfterPause(config, timing, pauseUs, timing.stateMessageBytes);
  const linkFreeUs = pauseUs + serialiseUs(timing.stateMessageBytes, config.network.bandwidthBps);
  const start = { firstAccess: nextAccess, resumeInstruction: pauseInstruction, resumeUs, linkFreeUs, arrival, zero };
  const counts = new PostcopyRun(trace.page, trace.time, config, timing, predictor, start, hooks.onSend, hooks.onWait).run();
  return { downtimeUs: resumeUs - pauseUs, counts };
}

/** Distinct pages touched from switchover to the end of the trace. */
function distinctPages(run: Run): number {
  const seen = new Uint8Array(run.config.vmPages);
  const page = run.trace.page;
  let count = 0;
  for (let i = run.firstAccess; i < page.length; i++) {
    if (seen[page[i]] === 0) {
      seen[page[i]] = 1;
      count++;
    }
  }
  return count;
}

/** Microseconds to milliseconds, rounded to the nanosecond so that sums of binary fractions print cleanly. */
function ms(us: number): number {
  return Math.round(us * 1000) / 1e6;
}

function result(run: Run, rounds: Pick<PrecopyOutcome, 'rounds' | 'pagesSent' | 'zeroPagesSent'>, downtimeUs: number, counts: PostcopyCounts, distinctPagesTouched: number): MigrationResult {
  const { config, timing } = run;
  const pagesSent = rounds.pagesSent + counts.pagesSent;
  const zeroPagesSent = rounds.zeroPagesSent + counts.zeroPagesSent;
  return {
    mode: config.mode,
    predictor: run.hooks.predictor?.name ?? config.predictor,
    k: config.k,
    accesses: run.trace.page.length - run.firstAccess,
    distinctPagesTouched,
    vmPages: config.vmPages,
    networkFaults: counts.networkFaults,
    latePrefetches: counts.latePrefetches,
    pagesSent,
    zeroPagesSent,
    prefetchIssued: counts.prefetchIssued,
    prefetchUsed: counts.prefetchUsed,
    pushPages: counts.pushPages,
    precopyRounds: rounds.rounds,
    downtimeMs: ms(downtimeUs),
    stallMs: ms(counts.stallUs),
    waitP50Ms: ms(counts.waitP50Us),
    waitP99Ms: ms(counts.waitP99Us),
    maxWaitMs: ms(counts.maxWaitUs),
    degradedMs: ms(counts.degradedUs),
    totalMigrationMs: ms(counts.lastArrivalUs),
    bytesSent: (pagesSent - zeroPagesSent) * timing.pageMessageBytes + zeroPagesSent * config.network.messageOverheadBytes + timing.stateMessageBytes,
  };
}
