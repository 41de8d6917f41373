/**
 * Pre-copy rounds: the VM keeps running on the source while the link sends a set of pages in
 * address order (round 1: all of them); a page written after the round sent it, or written while
 * not in the round's set, is dirty and goes into the next round's set.
 */
import type { Timing } from './link';
import type { ResolvedSimConfig } from './types';

export interface PrecopyOutcome {
  /** Rounds run while the VM was live. */
  rounds: number;
  /** Pages sent by those rounds. */
  pagesSent: number;
  /** Of those, zero pages (round 1 only: a page sent again was written, so it is no longer zero). */
  zeroPagesSent: number;
  /** End of the last round: the link is free and the VM is paused. */
  pauseUs: number;
  /** The VM's instruction count at the pause. */
  pauseInstruction: number;
  /** First access at or after the pause (it runs on the destination). */
  nextAccess: number;
  /** Per page: 1 when dirty at the pause (still to send). */
  dirty: Uint8Array;
  /** Per page: 1 when the VM wrote it during the rounds (so it is no longer a zero page). */
  written: Uint8Array;
  dirtyCount: number;
}

/**
 * Rounds from time 0 (the VM at instruction `startInstruction`) until at most precopyStopPages
 * pages are dirty or precopyMaxRounds rounds have run, or, in hybrid with `postcopyAfterMs`, until
 * that time even in the middle of a round (QEMU's migrate-start-postcopy): a page whose message has not fully left by
 * then stays on the source. Zero pages (`zero`) cost a header only in round 1. The accesses after switchover are fed in
 * order, chunk by chunk (`run`), so that a trace read from a file is never held whole; `finish` ends the rounds when
 * the trace ends first.
 */
export class PrecopyRounds {
  private readonly vmPages: number;
  private readonly sendStartUs: Float64Array;
  private inRound: Uint8Array;
  private dirty: Uint8Array;
  private readonly written: Uint8Array;
  /** Hybrid's post-copy start time (Infinity: after the rounds), and whether the current round is cut by it. */
  private readonly limitUs: number;
  private cut = false;
  private roundSent = 0;
  private rounds = 0;
  private roundStartUs = 0;
  private roundEndUs = 0;
  private roundEndInstruction = 0;
  private pagesSent = 0;
  private zeroPagesSent = 0;
  /** Set when the VM pauses: the rounds are over. */
  outcome: PrecopyOutcome | undefined;

  constructor(
    private readonly config: ResolvedSimConfig,
    private readonly timing: Timing,
    private readonly startInstruction: number,
    private readonly zero?: Uint8Array,
  ) {
    this.vmPages = config.vmPages;
    this.sendStartUs = new Float64Array(this.vmPages);
    this.inRound = new Uint8Array(this.vmPages).fill(1);
    this.dirty = new Uint8Array(this.vmPages);
    this.written = new Uint8Array(this.vmPages);
    this.limitUs =
      config.mode === 'hybrid' && config.postcopyAfterMs !== undefined ? config.postcopyAfterMs * 1000 : Infinity;
    this.startRound();
  }

  /**
   * Runs accesses [from, to) of a chunk (trace index `base` + i) while the VM is live; returns the
   * first one that runs after the pause (`to` when the rounds go on).
   */
  run(time: ArrayLike<number>, page: Uint32Array, write: Uint8Array, from: number, to: number, base: number): number {
    const { sendStartUs, startInstruction, written } = this;
    const usPerInstruction = this.timing.usPerInstruction;
    let next = from;
    while (!this.outcome) {
      const { dirty, inRound, roundEndInstruction } = this;
      for (; next < to && time[next] < roundEndInstruction; next++) {
        if (write[next] === 0) continue;
        const p = page[next];
        written[p] = 1;
        const writtenUs = (time[next] - startInstruction) * usPerInstruction;
        if (inRound[p] === 0 || writtenUs >= sendStartUs[p]) dirty[p] = 1;
      }
      if (next === to) break;
      this.endRound(base + next);
    }
    return next;
  }

  /** The trace ended while the VM was live: rounds go on with no more writes until they stop. */
  finish(accesses: number): PrecopyOutcome {
    while (!this.outcome) this.endRound(accesses);
    return this.outcome;
  }

  private startRound(): void {
    const { inRound, sendStartUs, zero } = this;
    const { pageUs, zeroPageUs, usPerInstruction } = this.timing;
    this.rounds++;
    // Slots counted, not times summed, so that rounding never reorders a write and its page's send.
    let full = 0;
    let zeros = 0;
    let cut = false;
    for (let p = 0; p < this.vmPages; p++) {
      if (inRound[p] === 0) continue;
      const isZero = this.rounds === 1 && zero?.[p] === 1;
      const startUs = this.roundStartUs + full * pageUs + zeros * zeroPageUs;
      cut ||= startUs + (isZero ? zeroPageUs : pageUs) > this.limitUs;
      sendStartUs[p] = cut ? Infinity : startUs;
      if (cut) continue;
      if (isZero) zeros++;
      else full++;
    }
    this.cut = cut;
    this.roundSent = full + zeros;
    this.zeroPagesSent += zeros;
    this.roundEndUs = cut ? this.limitUs : this.roundStartUs + full * pageUs + zeros * zeroPageUs;
    this.roundEndInstruction = this.startInstruction + this.roundEndUs / usPerInstruction;
  }

  /** The round ends before access `nextAccess`: pause, or start the next round with the dirty pages. */
  private endRound(nextAccess: number): void {
    this.pagesSent += this.roundSent;
    this.roundStartUs = this.roundEndUs;
    const { dirty, inRound, sendStartUs } = this;
    if (this.cut)
      for (let p = 0; p < this.vmPages; p++) if (inRound[p] === 1 && sendStartUs[p] === Infinity) dirty[p] = 1;
    const dirtyCount = countSet(dirty);
    if (this.cut || dirtyCount <= this.config.precopyStopPages || this.rounds >= this.config.precopyMaxRounds) {
      this.outcome = {
        rounds: this.rounds,
        pagesSent: this.pagesSent,
        zeroPagesSent: this.zeroPagesSent,
        pauseUs: this.roundEndUs,
        pauseInstruction: this.roundEndInstruction,
        nextAccess,
        dirty,
        written: this.written,
        dirtyCount,
      };
      return;
    }
    [this.inRound, this.dirty] = [this.dirty, this.inRound];
    this.dirty.fill(0);
    this.startRound();
  }
}

function countSet(flags: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < flags.length; i++) count += flags[i];
  return count;
}
