/**
 * Pre-copy rounds: the VM keeps running on the source while the link sends a set of pages in
 * address order (round 1: all of them); a page written after the round sent it, or written while
 * not in the round's set, is dirty and goes into the next round's set.
 */
import type { Trace } from '../trace/types';
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
  dirtyCount: number;
}

/**
 * Runs rounds from time 0 (the VM at instruction `startInstruction`, access `firstAccess` next)
 * until at most precopyStopPages pages are dirty or precopyMaxRounds rounds have run. Zero pages
 * (`zero`) cost a header only in round 1.
 */
export function runPrecopyRounds(trace: Trace, config: ResolvedSimConfig, timing: Timing, firstAccess: number, startInstruction: number, zero?: Uint8Array): PrecopyOutcome {
  const { time, page, write } = trace;
  const vmPages = config.vmPages;
  const { pageUs, zeroPageUs, usPerInstruction } = timing;
  const sendStartUs = new Float64Array(vmPages);
  let inRound = new Uint8Array(vmPages).fill(1);
  let dirty = new Uint8Array(vmPages);
  let roundPages = vmPages;
  let roundStartUs = 0;
  let next = firstAccess;
  let pagesSent = 0;
  let zeroPagesSent = 0;
  for (let rounds = 1; ; rounds++) {
    // Slots counted, not times summed, so that rounding never reorders a write and its page's send.
    let full = 0;
    let zeros = 0;
    for (let p = 0; p < vmPages; p++) {
      if (inRound[p] === 0) continue;
      sendStartUs[p] = roundStartUs + full * pageUs + zeros * zeroPageUs;
      if (rounds === 1 && zero?.[p] === 1) zeros++;
      else full++;
    }
    zeroPagesSent += zeros;
    const roundEndUs = roundStartUs + full * pageUs + zeros * zeroPageUs;
    const roundEndInstruction = startInstruction + roundEndUs / usPerInstruction;
    for (; next < time.length && time[next] < roundEndInstruction; next++) {
      if (write[next] === 0) continue;
      const p = page[next];
      const writtenUs = (time[next] - startInstruction) * usPerInstruction;
      if (inRound[p] === 0 || writtenUs >= sendStartUs[p]) dirty[p] = 1;
    }
    pagesSent += roundPages;
    roundStartUs = roundEndUs;
    const dirtyCount = countSet(dirty);
    if (dirtyCount <= config.precopyStopPages || rounds >= config.precopyMaxRounds) {
      return { rounds, pagesSent, zeroPagesSent, pauseUs: roundEndUs, pauseInstruction: roundEndInstruction, nextAccess: next, dirty, dirtyCount };
    }
    [inRound, dirty] = [dirty, inRound];
    dirty.fill(0);
    roundPages = dirtyCount;
  }
}

function countSet(flags: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < flags.length; i++) count += flags[i];
  return count;
}
