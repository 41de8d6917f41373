/**
 * One migration of a trace: post-copy (pause, then pages on demand, predicted and pushed),
 * pre-copy (live rounds, then stop-and-copy) or hybrid (live rounds, then post-copy for the pages
 * still dirty). The timing model is described in README "Migration model".
 */
import { createPredictor, predictorDefinition, type PredictorName } from '../prefetch';
import { feedHistory, type Predictor } from '../prefetch/types';
import { UserError } from '../errors';
import { changedInPlace, changedWhileRead, firstAtOrAfter } from '../trace/switchover';
import {
  largestIn,
  largestPage,
  summarizeTrace,
  wholeTraceChunk,
  type Trace,
  type TraceChunk,
  type TraceSummary,
} from '../trace/types';
import { resolveSimConfig } from './config';
import { resumeAfterPause, serialiseUs, timingOf, type Timing } from './link';
import { NO_WAITS, PostcopyRun, type PostcopyCounts, type SendObserver, type WaitObserver } from './postcopy';
import { float64PageArray } from './page-arrays';
import { PrecopyRounds, type PrecopyOutcome } from './precopy';
import { zeroPageFlags } from './zero-pages';
import { ShapeKeepers } from '../util/shape-keepers';
import type { MigrationMode, MigrationResult, ResolvedSimConfig, SimInput } from './types';

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
  const summary = summarizeTrace(trace);
  const simulation = new Simulation(summary, input, hooks, trace);
  simulation.feed(wholeTraceChunk(trace));
  const result = simulation.finish();
  try {
    return checkFinite(result);
  } catch (err) {
    // a page raised in place past the largest one remembered for the array (largestPage) leaves the VM too small:
    // that is what to name, not the NaN it made (scanned again only here: a scan can cost more than a plain replay)
    const largest = largestIn(trace.page, 0, trace.page.length, -1);
    throw largest > summary.largestPage ? changedInPlace(trace.name, summary.largestPage, largest, 'simulate') : err;
  }
}

/**
 * Refuses a result with a time or count that is not finite: settings so extreme (a bandwidth of 1e-300
 * bits/s) that the arithmetic overflows would otherwise print null or Infinity as if it were a measurement.
 */
function checkFinite(result: MigrationResult): MigrationResult {
  for (const [field, value] of Object.entries(result)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new UserError(`the settings make ${field} ${value}: a bandwidth, speed or cost too extreme to simulate`);
    }
  }
  return result;
}

/**
 * Simulates one migration of a trace read chunk by chunk (a file streamed by streamTrace), so that
 * memory grows with the VM's pages, not with the trace. `summary` comes from a first pass; a chunk
 * that disagrees with it (the file changed in between) is a UserError. The oracle needs the whole
 * trace or, in post-copy, its first-touch order (`predictorOptions.firstTouches`).
 */
export async function simulateStream(
  summary: TraceSummary,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
  input: SimInput = {},
  hooks: SimHooks = {},
): Promise<MigrationResult> {
  const [result] = await feedSimulations(summary, chunks, [new Simulation(summary, input, hooks)]);
  return result;
}

/** simulateStream for several inputs (e.g. one per predictor) in one pass over the chunks, results in input order. */
export async function simulateStreams(
  summary: TraceSummary,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
  inputs: readonly SimInput[],
): Promise<MigrationResult[]> {
  return feedSimulations(
    summary,
    chunks,
    inputs.map((input) => new Simulation(summary, input)),
  );
}

/**
 * The index of the first network fault of the migration `input` describes, reading the chunks only up to it
 * (undefined when there is none). Every predictor's run is the same up to there (none is asked anything
 * before), so this pass needs none: a probe that notes the index stands in. The oracle's first-touch order
 * starts there in hybrid mode, where pages touched in the live rounds may still be missing after the pause.
 */
export async function firstFaultIndex(
  summary: TraceSummary,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
  input: SimInput,
): Promise<number | undefined> {
  let first: number | undefined;
  const probe: Predictor = {
    name: 'first-fault probe',
    observeHistory() {},
    onFault(_page, _k, ctx) {
      first ??= ctx.index;
      return [];
    },
    modelSize: () => 0,
  };
  const simulation = new Simulation(summary, input, { predictor: probe });
  for await (const chunk of chunks) {
    simulation.feed(chunk);
    if (first !== undefined) return first;
  }
  return undefined;
}

async function feedSimulations(
  summary: TraceSummary,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
  simulations: readonly Simulation[],
): Promise<MigrationResult[]> {
  let beyond = false;
  for await (const chunk of chunks) {
    // read on, unreplayed: a .pctrace whose trailer understates its pages is refused at its end naming the file
    // and the field, where this line could only name the trace's inner name
    beyond ||= largestPage(chunk.page) > summary.largestPage;
    if (!beyond) for (const simulation of simulations) simulation.feed(chunk);
  }
  if (beyond) throw changedWhileRead(summary);
  return simulations.map((simulation) => checkFinite(simulation.finish()));
}

/**
 * Bytes one Simulation of `config` holds per page of the VM at its peak, the arrays listed: what a compare of many
 * methods multiplies (1.3 GB each at 2^27 pages). A predictor's model that grows with the trace's history (markov,
 * the PPM family) comes on top; test/migration/memory-estimate.test.ts holds every predictor and mode below it.
 */
export function simulationPageBytes(config: ResolvedSimConfig): number {
  const zero = config.zeroPageShare > 0 || (config.zeroPages?.length ?? 0) > 0;
  // the run's zero flags and the draw kept for the next run (zero-pages.ts); the hybrid's post-copy copy of them
  const zeroBytes = zero ? 2 + (config.mode === 'hybrid' ? 1 : 0) : 0;
  // send start times, in-round, dirty and written flags; the pages touched live
  const roundBytes = config.mode === 'postcopy' ? 0 : 8 + 3 + 1;
  // arrival times, touched and predicted flags, the push's next-unsent skip list, the predictor's own
  const postcopyBytes =
    config.mode === 'precopy'
      ? 0
      : 8 + 2 + (config.push === 'off' ? 0 : 4) + (predictorDefinition(config.predictor).pageBytes ?? 0);
  return zeroBytes + roundBytes + postcopyBytes;
}

const NO_PRECOPY = { rounds: 0, pagesSent: 0, zeroPagesSent: 0 };

/**
 * One migration, fed the trace's accesses in order (`feed`, any chunking), then `finish`. Each access
 * is, in turn: history before switchover (the predictor learns it), a live pre-copy access (pre-copy
 * and hybrid; the hybrid's predictor learns it too), then a post-copy access replayed on the destination.
 */
export class Simulation {
  private readonly config: ResolvedSimConfig;
  private readonly timing: Timing;
  private readonly zero: Uint8Array | undefined;
  /** Learns from every access that ran on the source; none in pre-copy, which has no post-copy phase. */
  private readonly predictor: Predictor | undefined;
  private readonly rounds: PrecopyRounds | undefined;
  private postcopyRun: PostcopyRun | undefined;
  private downtimeUs = 0;
  /** Accesses fed so far, and the first one at or after switchover (undefined until it comes). */
  private fed = 0;
  private firstAccess: number | undefined;
  /**
   * Pre-copy and hybrid: pages touched after switchover while the VM ran on the source (pre-copy: also after the
   * pause; a hybrid's post-copy run counts its own), and how many.
   */
  private readonly seen: Uint8Array | undefined;
  private distinct = 0;
  /**
   * Whether the chunks' times came in 32-bit columns: the shape keeper's trace has the same type (exercisedSimulation).
   */
  private compactTimes = false;

  constructor(
    private readonly summary: TraceSummary,
    private readonly input: SimInput = {},
    private readonly hooks: SimHooks = {},
    trace?: Trace,
  ) {
    const config = resolveSimConfig(summary, input);
    this.config = config;
    this.timing = timingOf(config);
    this.zero = zeroPageFlags(config.vmPages, config.zeroPageShare, config.zeroPageSeed, config.zeroPages);
    if (config.mode !== 'precopy')
      this.predictor = hooks.predictor ?? createPredictor(config.predictor, { ...config.predictorOptions, trace });
    if (config.mode === 'postcopy') {
      this.startPostcopy(0, config.switchover, float64PageArray(config.vmPages, Infinity), this.zero);
    } else {
      this.rounds = new PrecopyRounds(config, this.timing, config.switchover, this.zero);
      this.seen = new Uint8Array(config.vmPages);
    }
  }

  feed(chunk: TraceChunk): void {
    const { time, page, write, start } = chunk;
    const n = page.length;
    if (start !== this.fed) throw changedWhileRead(this.summary);
    this.fed += n;
    this.compactTimes = time instanceof Uint32Array;
    let i = 0;
    if (this.firstAccess === undefined) {
      i = firstAtOrAfter(time, this.config.switchover);
      this.observe(page, write, 0, i);
      if (i === n) return;
      this.firstAccess = start + i;
    }
    const rounds = this.rounds;
    if (rounds && !rounds.outcome) {
      const paused = rounds.run(time, page, write, i, n, start);
      this.countDistinct(page, i, paused);
      if (this.config.mode === 'hybrid') this.observe(page, write, i, paused);
      if (!rounds.outcome) return;
      this.afterRounds(rounds.outcome);
      i = paused;
    }
    // after the pause, a hybrid's post-copy run counts the pages new since the rounds itself; pre-copy's VM runs on
    if (this.postcopyRun) this.postcopyRun.replay(page, time, i, n, start);
    else if (this.seen) this.countDistinct(page, i, n);
  }

  finish(): MigrationResult {
    if (this.fed !== this.summary.accesses) throw changedWhileRead(this.summary);
    const rounds = this.rounds;
    if (rounds && !rounds.outcome) this.afterRounds(rounds.finish(this.fed));
    // a predictor made here is asked nothing after the last access (one given in the hooks may be, by its owner)
    if (!this.hooks.predictor) this.predictor?.release?.();
    const result = this.modeResult();
    // a run given its predictor makes no keeper: its settings may name a registry predictor with options that one
    // refuses (never made for the run), and the keeper would make it, failing the run in its finish
    if (this.hooks !== KEEPER_HOOKS && !this.hooks.predictor) {
      const { input, compactTimes, zero, summary } = this;
      simulationKeepers.madeOne(this.config.mode, () => exercisedSimulation(input, summary, compactTimes, !!zero));
    }
    return result;
  }

  private modeResult(): MigrationResult {
    const precopy = this.rounds?.outcome;
    switch (this.config.mode) {
      case 'postcopy': {
        const counts = this.postcopyRun!.finish();
        return this.result(NO_PRECOPY, this.downtimeUs, counts, counts.distinctPagesTouched);
      }
      case 'precopy':
        return this.precopyResult(precopy!);
      case 'hybrid': {
        const counts = this.postcopyRun!.finish();
        return this.result(precopy!, this.downtimeUs, counts, this.distinct + counts.newPagesTouched);
      }
    }
  }

  /** Source-side accesses [from, to) of a chunk, for the predictor's history. */
  private observe(page: Uint32Array, write: Uint8Array, from: number, to: number): void {
    const predictor = this.predictor;
    if (predictor) feedHistory(predictor, page.subarray(from, to), write.subarray(from, to));
  }

  private countDistinct(page: Uint32Array, from: number, to: number): void {
    const seen = this.seen!;
    for (let i = from; i < to; i++) {
      if (seen[page[i]] === 0) {
        seen[page[i]] = 1;
        this.distinct++;
      }
    }
  }

  /**
   * Hybrid: a post-copy phase in which only the pages dirty at the pause are on the source: written ones
   * (no longer zero pages) and, when the rounds were cut short, the ones not sent yet.
   */
  private afterRounds(outcome: PrecopyOutcome): void {
    if (this.config.mode !== 'hybrid') return;
    const arrival = new Float64Array(this.config.vmPages);
    for (let p = 0; p < arrival.length; p++) if (outcome.dirty[p] === 1) arrival[p] = Infinity;
    let zero: Uint8Array | undefined;
    if (this.zero) {
      zero = new Uint8Array(this.zero.length);
      for (let p = 0; p < zero.length; p++) zero[p] = this.zero[p] & (outcome.written[p] ^ 1);
    }
    this.startPostcopy(outcome.pauseUs, outcome.pauseInstruction, arrival, zero, this.seen);
  }

  /**
   * Pause at `pauseUs` (VM at `pauseInstruction`), send the state, resume on the destination; the
   * accesses fed from now on are replayed there.
   */
  private startPostcopy(
    pauseUs: number,
    pauseInstruction: number,
    arrival: Float64Array,
    zero: Uint8Array | undefined,
    touchedLive?: Uint8Array,
  ): void {
    const { config, timing, hooks } = this;
    const resumeUs = resumeAfterPause(config, timing, pauseUs, timing.stateMessageBytes);
    const linkFreeUs = pauseUs + serialiseUs(timing.stateMessageBytes, config.network.bandwidthBps);
    this.downtimeUs = resumeUs - pauseUs;
    const start = { resumeInstruction: pauseInstruction, resumeUs, linkFreeUs, arrival, zero, touchedLive };
    this.postcopyRun = new PostcopyRun(config, timing, this.predictor!, start, hooks.onSend, hooks.onWait);
  }

  /** Live rounds, then the VM pauses while the dirty pages and the state cross the link; no faults after. */
  private precopyResult(rounds: PrecopyOutcome): MigrationResult {
    const { config, timing } = this;
    const pauseBytes = rounds.dirtyCount * timing.pageMessageBytes + timing.stateMessageBytes;
    const resumeUs = resumeAfterPause(config, timing, rounds.pauseUs, pauseBytes);
    const counts: PostcopyCounts = {
      networkFaults: 0,
      latePrefetches: 0,
      prefetchIssued: 0,
      prefetchUsed: 0,
      pushPages: 0,
      pagesSent: rounds.dirtyCount,
      zeroPagesSent: 0,
      distinctPagesTouched: 0,
      newPagesTouched: 0,
      stallUs: 0,
      ...NO_WAITS,
      lastArrivalUs: resumeUs,
    };
    return this.result(rounds, resumeUs - rounds.pauseUs, counts, this.distinct);
  }

  private result(
    rounds: Pick<PrecopyOutcome, 'rounds' | 'pagesSent' | 'zeroPagesSent'>,
    downtimeUs: number,
    counts: PostcopyCounts,
    distinctPagesTouched: number,
  ): MigrationResult {
    const { config, timing } = this;
    const pagesSent = rounds.pagesSent + counts.pagesSent;
    const zeroPagesSent = rounds.zeroPagesSent + counts.zeroPagesSent;
    return {
      mode: config.mode,
      predictor: this.hooks.predictor?.name ?? config.predictor,
      k: config.k,
      accesses: this.fed - (this.firstAccess ?? this.fed),
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
      bytesSent:
        (pagesSent - zeroPagesSent) * timing.pageMessageBytes +
        zeroPagesSent * config.network.messageOverheadBytes +
        timing.stateMessageBytes,
    };
  }
}

/**
 * One small exercised simulation of each mode (util/shape-keepers.ts), remade every 32nd run of the mode: without
 * them, a mark-compact between runs killed the maps of the run's objects (Simulation, PostcopyRun, its configuration,
 * timing, start and counts), and the next run was compiled again (about 35 of the 50-60 TurboFan compiles after a
 * forced gc() between warm sweeps of the bench grid). The run's own settings on a trace of 14 accesses, its times in
 * the same column type (the replay loop's loads stay monomorphic), so the keeper has the real runs' maps.
 */
const simulationKeepers = new ShapeKeepers(32);
/** The hooks of keeper simulations: no observers, and their finish makes no keeper. */
const KEEPER_HOOKS: SimHooks = {};

/**
 * Runs each of `methods` (a mode and a predictor) once through the simulator, on the keepers' trace of 14 accesses
 * with `like`'s page size and time column type, before a thread's first job of a sweep that runs them. The code all
 * runs share (the replay loop, the sends, the call of the predictor at a fault, feeding it the history) then has
 * type feedback from every predictor class of the sweep when V8 first optimizes it, and is compiled once for all of
 * them. Without it, the first optimized code knew the first predictor only and was thrown away at each new one
 * (TurboFan compiled sendPredicted 5-7 times in a fresh process's first sweep of the bench grid, with the replay loop
 * and the fault path it is inlined in). Each run takes about 1 ms and changes no kept state (online training, no
 * zero page draw, no keeper made at finish).
 */
export function exerciseSimulator(like: Pick<Trace, 'time' | 'pageSize'>, methods: readonly SimMethod[]): void {
  const summary = { pageSize: like.pageSize } as TraceSummary;
  const compactTimes = like.time instanceof Uint32Array;
  for (const { mode, predictor } of methods)
    exercisedSimulation({ ...FRACTIONAL_SETTINGS, mode, predictor }, summary, compactTimes, false);
}

/** A mode and a predictor: what a simulation runs (exerciseSimulator). */
export interface SimMethod {
  mode: MigrationMode;
  predictor: PredictorName;
}

/**
 * exerciseSimulator's settings: a fraction in each number setting the simulator reads per page or fault. V8 stores a
 * whole number in a field as a small integer until a fraction (or one beyond 2^31) comes, then changes the object's
 * map, and every optimized function that read the field is thrown away (the resolved network's bandwidth when a
 * sweep reached 10 Gbit/s: the replay loop, the first touch and the fault path compiled again). Met here first, the
 * fields are doubles from the runs' first configuration on.
 */
const FRACTIONAL_SETTINGS: SimInput = {
  network: { bandwidthBps: 1e9 + 0.5, rttUs: 200.5 },
  instructionsPerSecond: 1e9 + 0.5,
  switchoverFixedMs: 1.5,
  faultCostUs: 0.5,
};

function exercisedSimulation(input: SimInput, real: TraceSummary, compactTimes: boolean, zero: boolean): Simulation {
  const pages = [1, 2, 3, 1, 4, 2, 5, 3, 6, 7, 1, 8, 2, 9];
  const trace: Trace = {
    time: (compactTimes ? Uint32Array : Float64Array).from(pages, (_, i) => i * 1000),
    page: Uint32Array.from(pages),
    write: Uint8Array.from(pages, (p) => p & 1),
    pageSize: real.pageSize,
    name: 'shape keeper',
  };
  const keeperInput: SimInput = {
    ...input,
    switchover: trace.time[6],
    vmPages: undefined,
    // share 0: drawing zero pages would replace the runs' cached draw
    zeroPageShare: 0,
    zeroPages: zero ? [1] : undefined,
    // online training: no model trained from history, so the trained models kept for the runs stay as they are
    predictorOptions: {
      ...input.predictorOptions,
      training: 'online',
      historyWindow: 16,
      trace: undefined,
      firstTouches: undefined,
    },
  };
  const keeper = new Simulation(summarizeTrace(trace), keeperInput, KEEPER_HOOKS, trace);
  keeper.feed(wholeTraceChunk(trace));
  keeper.finish();
  return keeper;
}

/** Microseconds to milliseconds, rounded to the nanosecond so that sums of binary fractions print cleanly. */
function ms(us: number): number {
  return Math.round(us * 1000) / 1e6;
}
