/**
 * The post-copy phase: the VM runs on the destination while pages still on the source arrive on
 * demand (network faults), as predictions sent with a faulted page, or by the background push.
 *
 * Speed matters (10^7 accesses per run): the replay loop reads one page number and one flag per
 * access; everything else, the VM clock included, happens on a page's first touch, once per page.
 * The background push is not simulated page by page in time order but caught up lazily: before
 * anything looks at the source's state at time t, `pushUntil(t)` commits the pages the link
 * started by t.
 */
import { isPageInVm } from '../prefetch/proposals';
import { ArrivalContext, type Predictor } from '../prefetch/types';
import { enlarged } from '../util/enlarged';
import { NextAlive } from '../util/next-alive';
import { quantileSorted } from '../util/statistics';
import { RateWindows, serialiseUs, type Timing } from './link';
import { giveBackPageArrays, uint8PageArray } from './page-arrays';
import type { PushPolicy, ResolvedSimConfig } from './types';

/** Where the post-copy phase starts: after the switchover pause (and, in hybrid, the pre-copy rounds). */
export interface PostcopyStart {
  /** The VM's instruction count when it resumes. */
  readonly resumeInstruction: number;
  /** Time the VM resumes on the destination (end of the downtime). */
  readonly resumeUs: number;
  /** Time the background link is free (the state message has left). */
  readonly linkFreeUs: number;
  /** Per page: arrival time at the destination, Infinity while still on the source. Owned by the run from now on. */
  readonly arrival: Float64Array;
  /** Per page: 1 when the page is zero and goes as a header only; undefined when none is. */
  readonly zero?: Uint8Array;
  /**
   * Hybrid: per page, 1 when the VM touched it after switchover while the pre-copy rounds ran, so that the run
   * counts the pages it adds to those (newPagesTouched) instead of the caller passing over the accesses again.
   */
  readonly touchedLive?: Uint8Array;
}

/** Counts of the post-copy phase (times in microseconds). */
export interface PostcopyCounts {
  networkFaults: number;
  latePrefetches: number;
  prefetchIssued: number;
  prefetchUsed: number;
  pushPages: number;
  pagesSent: number;
  zeroPagesSent: number;
  distinctPagesTouched: number;
  /** Of those, the pages not in start.touchedLive (all of them without it). */
  newPagesTouched: number;
  stallUs: number;
  /** Median and 99th percentile of the waits (0 when the VM never waited), like QEMU's fault-latency histogram. */
  waitP50Us: number;
  waitP99Us: number;
  maxWaitUs: number;
  /**
   * Degraded time: from the resume until the VM's last wait ends (0 when it never waited); then it runs at full speed.
   */
  degradedUs: number;
  lastArrivalUs: number;
}

/** No wait at all: the counts' wait fields for a run without a post-copy phase (pre-copy). */
export const NO_WAITS: Pick<PostcopyCounts, 'waitP50Us' | 'waitP99Us' | 'maxWaitUs' | 'degradedUs'> = {
  waitP50Us: 0,
  waitP99Us: 0,
  maxWaitUs: 0,
  degradedUs: 0,
};

/** Why the source sent a page: the faulted page itself, one of the predictor's pages sent with it, or the push. */
export type SendReason = 'fault' | 'prediction' | 'push';

/**
 * Called once per page the source sends, with the time it arrives and why it went; tests use it to check
 * "exactly once", experiments to see which predicted pages went out (the simulator's rule, not a copy of it).
 */
export type SendObserver = (page: number, arrivalUs: number, reason: SendReason) => void;

/** Called each time the VM blocks on a missing page (a network fault or a late prefetch): when, and for how long. */
export type WaitObserver = (startUs: number, waitUs: number) => void;

export class PostcopyRun {
  private readonly arrival: Float64Array;
  /**
   * 1 once the VM has touched the page (it has arrived by the time the VM goes on): the replay
   * loop's only test. A flag, not the arrival time, so float rounding of the VM clock can never
   * make a touched page look untouched.
   */
  private readonly touched: Uint8Array;
  private readonly predicted: Uint8Array;
  /**
   * "Next page >= i still on the source" (vmPages = none), so push scans skip sent pages in near O(1); only a
   * run with a background push asks (without one, setting it up and keeping it was a pass over the VM per run).
   */
  private readonly nextUnsent: NextAlive | undefined;
  /** What the predictor may ask at a fault: one object per run, its index updated at each fault. */
  private readonly context: ArrivalContext;
  private readonly push: PushPolicy;
  private readonly vmPages: number;
  private remaining = 0;
  private cursor = 0;
  // The times the sends move on are initialised here, not left undefined until the constructor: a field that starts
  // undefined is a tagged field in V8, and every double then stored in it is boxed anew (one allocation per page sent).
  private linkFreeUs = 0;
  private urgentFreeUs = 0;
  /** When the source can write its next page (never later than the link can carry it). */
  private writeFreeUs = 0;
  /** QEMU's rate-limit windows (none: the link runs smoothly at the bandwidth), and the message times on the link. */
  private readonly limiter: RateWindows | undefined;
  private readonly pageUs: number;
  /** How long after a touch the destination decides whether to ask for the page (config.faultCheckUs). */
  private readonly checkUs: number;
  private readonly zeroPageUs: number;
  /** The source's time to write a page (a zero page) into its send queue: the link's unless it writes faster. */
  private readonly pageWriteUs: number;
  private readonly zeroWriteUs: number;
  /** Requested pages wait for the rate-limit window's budget too (config.network.requestsWaitForWindow). */
  private readonly requestsWait: boolean;
  /**
   * Every wait of the VM in microseconds, for the percentiles: the first `waitCount`. Typed: a number[] holds small
   * integers until V8 meets a fraction, and the first fractional wait changed its element kind, deoptimizing
   * firstTouch (and the replay loop it is inlined in) once per thread.
   */
  private waits = new Float64Array(64);
  private waitCount = 0;
  private readonly counts: PostcopyCounts;
  /** VM stall so far, and the time of the last access replayed (undefined before the first). */
  private stallUs = 0;
  private lastTime: number | undefined;
  private finished = false;

  constructor(
    private readonly config: ResolvedSimConfig,
    private readonly timing: Timing,
    private readonly predictor: Predictor,
    private readonly start: PostcopyStart,
    private readonly onSend?: SendObserver,
    private readonly onWait?: WaitObserver,
  ) {
    this.vmPages = config.vmPages;
    this.push = config.push;
    this.arrival = start.arrival;
    this.touched = uint8PageArray(this.vmPages);
    this.predicted = uint8PageArray(this.vmPages);
    this.nextUnsent = this.push === 'off' ? undefined : new NextAlive(this.vmPages);
    this.remaining = unsentPages(this.arrival, this.vmPages, this.nextUnsent);
    this.linkFreeUs = start.linkFreeUs;
    this.writeFreeUs = start.linkFreeUs;
    this.urgentFreeUs = start.linkFreeUs;
    this.checkUs = config.faultCheckUs ?? config.faultCostUs;
    const network = config.network;
    this.requestsWait = network.requestsWaitForWindow === true;
    if (network.rateLimitWindowUs > 0) {
      this.limiter = new RateWindows(
        network.rateLimitWindowUs,
        (network.bandwidthBps * network.rateLimitWindowUs) / 8e6,
      );
      const peak = network.peakBandwidthBps ?? network.bandwidthBps;
      this.pageUs = serialiseUs(timing.pageMessageBytes, peak);
      this.zeroPageUs = serialiseUs(network.messageOverheadBytes, peak);
    } else {
      this.pageUs = timing.pageUs;
      this.zeroPageUs = timing.zeroPageUs;
    }
    const write = network.writeBandwidthBps;
    this.pageWriteUs = write === undefined ? this.pageUs : serialiseUs(timing.pageMessageBytes, write);
    this.zeroWriteUs = write === undefined ? this.zeroPageUs : serialiseUs(network.messageOverheadBytes, write);
    this.context = new ArrivalContext(this.vmPages, this.arrival);
    this.counts = {
      networkFaults: 0,
      latePrefetches: 0,
      prefetchIssued: 0,
      prefetchUsed: 0,
      pushPages: 0,
      pagesSent: 0,
      zeroPagesSent: 0,
      distinctPagesTouched: 0,
      newPagesTouched: 0,
      stallUs: 0,
      ...NO_WAITS,
      lastArrivalUs: start.resumeUs,
    };
  }

  /**
   * Replays accesses [from, to) of a chunk whose first access is number `base` of the trace. The
   * post-copy accesses arrive in order, in as many chunks as the reader makes; `finish` follows the last.
   */
  replay(page: Uint32Array, time: ArrayLike<number>, from: number, to: number, base: number): void {
    // before the loop, which ends the function: see unsentPages
    if (to > from) this.lastTime = time[to - 1];
    const touched = this.touched;
    const { resumeUs, resumeInstruction } = this.start;
    const usPerInstruction = this.timing.usPerInstruction;
    for (let i = from; i < to; i++) {
      const p = page[i];
      if (touched[p] === 1) continue;
      this.firstTouch(p, base + i, resumeUs + (time[i] - resumeInstruction) * usPerInstruction + this.stallUs);
    }
  }

  /** After the last access: sends what is left and returns the counts (once: the run's arrays go back then). */
  finish(): PostcopyCounts {
    if (this.finished) throw new Error('a post-copy run finishes once');
    this.finished = true;
    const { resumeUs, resumeInstruction } = this.start;
    const stallUs = this.stallUs;
    const vmEndUs =
      this.lastTime === undefined
        ? resumeUs
        : resumeUs + (this.lastTime - resumeInstruction) * this.timing.usPerInstruction + stallUs;
    this.sendRemaining(vmEndUs);
    this.counts.stallUs = stallUs;
    const sorted = this.waits.subarray(0, this.waitCount).sort();
    if (sorted.length > 0) {
      this.counts.waitP50Us = quantileSorted(sorted, 0.5);
      this.counts.waitP99Us = quantileSorted(sorted, 0.99);
      this.counts.maxWaitUs = sorted[sorted.length - 1];
    }
    giveBackPageArrays(this.arrival, this.touched, this.predicted);
    return this.counts;
  }

  /**
   * The VM's first access to page p after switchover, at time `now`: already here (pushed or
   * predicted in time), in flight (late prefetch: wait for it), or still on the source (network
   * fault). Adds the VM's wait to stallUs: a field, not a returned double, which V8 would box per wait.
   */
  private firstTouch(p: number, index: number, now: number): void {
    const counts = this.counts;
    counts.distinctPagesTouched++;
    if (this.start.touchedLive?.[p] !== 1) counts.newPagesTouched++;
    if (this.predicted[p] === 1) counts.prefetchUsed++;
    // The destination's fault handling looks at the page `checkUs` after the touch (QEMU's fault
    // thread asks the source only for a page it has not received by then); the push goes on meanwhile.
    if (this.arrival[p] === Infinity) this.pushUntil(now + this.checkUs);
    if (this.arrival[p] === Infinity) {
      counts.networkFaults++;
      this.fault(p, index, now);
    } else if (this.arrival[p] > now) {
      counts.latePrefetches++;
    }
    this.touched[p] = 1;
    const arrives = this.arrival[p];
    if (arrives <= now) return;
    const wait = arrives - now;
    this.stallUs += wait;
    if (this.waitCount === this.waits.length) this.waits = enlarged(this.waits, 2 * this.waitCount);
    this.waits[this.waitCount++] = wait;
    this.counts.degradedUs = arrives - this.start.resumeUs;
    this.onWait?.(now, wait);
  }

  /**
   * A network fault at `now`: the request reaches the source half a round trip plus the host's
   * fault cost later; by then the
   * push may have started p (the source then ignores the request for it). The source sends p,
   * then the predictor's pages not sent yet, and with restart push seeks to the page after p.
   */
  private fault(p: number, index: number, now: number): void {
    const requestUs = now + this.timing.halfRttUs + this.config.faultCostUs;
    this.pushUntil(requestUs);
    if (this.arrival[p] === Infinity) {
      if (this.config.network.urgentChannel) this.sendUrgent(p, requestUs);
      else if (this.requestsWait)
        this.sendOnLink(p, this.limiter!.pushStartUs(Math.max(requestUs, this.writeFreeUs)), 'fault');
      else this.sendOnLink(p, requestUs, 'fault');
    }
    this.sendPredicted(p, index, requestUs);
    if (this.push === 'restart') this.cursor = p + 1;
  }

  /** Asks the predictor for k pages and sends, best first, those in the VM and not sent yet. */
  private sendPredicted(p: number, index: number, requestUs: number): void {
    const k = this.config.k;
    this.context.index = index;
    const proposals = this.predictor.onFault(p, k, this.context);
    let accepted = 0;
    for (let j = 0; j < proposals.length && accepted < k; j++) {
      const q = proposals[j];
      if (!isPageInVm(q, this.vmPages) || this.arrival[q] !== Infinity) continue;
      this.sendOnLink(q, requestUs, 'prediction');
      this.predicted[q] = 1;
      accepted++;
    }
    this.counts.prefetchIssued += accepted;
  }

  /** Background push: commits every page the link started before `untilUs` (none when push is off). */
  private pushUntil(untilUs: number): void {
    if (this.push === 'off') return;
    while (this.remaining > 0) {
      const startUs = this.pushStartUs();
      if (startUs >= untilUs) return;
      this.pushNext(startUs);
    }
  }

  /** When the push can start its next page: once the link is free and, with a rate limit, the window has budget. */
  private pushStartUs(): number {
    return this.limiter ? this.limiter.pushStartUs(this.writeFreeUs) : this.writeFreeUs;
  }

  /**
   * After the last access: the push sends the rest back to back; with push off the source sends
   * the never-touched pages in address order once the VM has finished, so that every page arrives
   * once and the migration has an end.
   */
  private sendRemaining(vmEndUs: number): void {
    if (this.push === 'off') {
      this.cursor = 0;
      this.writeFreeUs = Math.max(this.writeFreeUs, vmEndUs);
    }
    if (this.limiter === undefined && this.onSend === undefined) return this.sendRestBackToBack();
    // Nothing else is sent from here on, so the push's next page is the next unsent one in address order from the
    // cursor: one scan over the pages instead of a NextAlive lookup per page.
    for (let visited = 0, q = this.cursor; visited < this.vmPages && this.remaining > 0; visited++, q++) {
      if (q === this.vmPages) q = 0;
      if (this.arrival[q] !== Infinity) continue;
      this.cursor = q + 1;
      this.sendOnLink(q, this.pushStartUs(), 'push');
      this.counts.pushPages++;
    }
  }

  /**
   * sendRemaining's sends without a rate limit or an observer: sendOnLink's clocks page after page, the push
   * starting each page when the source has written the last (its next start is writeFreeUs), with the clocks
   * and counts in locals. It runs over every page of the VM at the end of every run; through the fields and
   * calls it was most of a short run's time. A page's times come from a table by its zero flag, not a branch on
   * it (zero pages drawn at random are a branch the processor mispredicts half the time), and no arrival time is
   * stored: nothing reads them after the last send, and the last arrival is the last page's (the link's clock
   * never goes back).
   * The loop stores its results and returns from inside itself, so that no code follows it: V8 keeps a loop's
   * on-stack-replacement code when it deoptimizes after the loop, and later calls entering the loop deoptimized
   * there again (57-90 times a sweep in one process of three); a deoptimization inside the loop drops the code.
   */
  private sendRestBackToBack(): void {
    const { arrival, vmPages } = this;
    const zero = this.start.zero;
    const writeUs = Float64Array.of(this.pageWriteUs, this.zeroWriteUs);
    const linkUs = Float64Array.of(this.pageUs, this.zeroPageUs);
    let writeFreeUs = this.writeFreeUs;
    let linkFreeUs = this.linkFreeUs;
    let sent = 0;
    let zeroSent = 0;
    const remaining = this.remaining;
    // (the sent pages stay in nextUnsent and arrival: this is the run's last send, nothing looks there again)
    for (let visited = 0, q = this.cursor; ; visited++, q++) {
      if (visited >= vmPages || sent >= remaining) {
        this.writeFreeUs = writeFreeUs;
        this.linkFreeUs = linkFreeUs;
        this.remaining -= sent;
        const counts = this.counts;
        counts.pagesSent += sent;
        counts.pushPages += sent;
        counts.zeroPagesSent += zeroSent;
        if (sent > 0) counts.lastArrivalUs = Math.max(counts.lastArrivalUs, linkFreeUs + this.timing.halfRttUs);
        return;
      }
      if (q === vmPages) q = 0;
      if (arrival[q] !== Infinity) continue;
      const isZero = zero === undefined ? 0 : zero[q];
      const startUs = writeFreeUs;
      writeFreeUs = startUs + writeUs[isZero];
      linkFreeUs = Math.max(startUs, linkFreeUs) + linkUs[isZero];
      if (linkFreeUs < writeFreeUs) linkFreeUs = writeFreeUs;
      zeroSent += isZero;
      sent++;
    }
  }

  /** The push's next page: the first unsent page at or after the cursor, wrapping around to page 0. */
  private pushNext(earliestUs: number): void {
    const nextUnsent = this.nextUnsent!;
    let q = nextUnsent.find(this.cursor);
    if (q === this.vmPages) q = nextUnsent.find(0);
    this.cursor = q + 1;
    this.sendOnLink(q, earliestUs, 'push');
    this.counts.pushPages++;
  }

  /**
   * FIFO link shared by push, predictions and (without urgent channel) faulted pages. The source writes the page
   * into its send queue (from then on it is sent: on its way), then the link carries it in order; the two clocks
   * are one unless the source writes faster than the link (network.writeBandwidthBps). A slower source holds the
   * link back instead: no page is carried over before it is written.
   */
  private sendOnLink(q: number, earliestUs: number, reason: SendReason): void {
    const writeUs = Math.max(earliestUs, this.writeFreeUs);
    const zero = this.isZero(q);
    this.limiter?.count(writeUs, zero ? this.config.network.messageOverheadBytes : this.timing.pageMessageBytes);
    this.writeFreeUs = writeUs + (zero ? this.zeroWriteUs : this.pageWriteUs);
    this.linkFreeUs = Math.max(writeUs, this.linkFreeUs) + (zero ? this.zeroPageUs : this.pageUs);
    if (this.linkFreeUs < this.writeFreeUs) this.linkFreeUs = this.writeFreeUs;
    this.deliver(q, this.linkFreeUs, reason);
  }

  /** The urgent channel (QEMU postcopy-preempt): faulted pages only, never behind the link's queue. */
  private sendUrgent(q: number, earliestUs: number): void {
    this.urgentFreeUs = Math.max(earliestUs, this.urgentFreeUs) + (this.isZero(q) ? this.zeroPageUs : this.pageUs);
    this.deliver(q, this.urgentFreeUs, 'fault');
  }

  /** Whether page q goes as a zero page, a header only (counted as sent here: it is asked once per send). */
  private isZero(q: number): boolean {
    const zero = this.start.zero?.[q] === 1;
    if (zero) this.counts.zeroPagesSent++;
    return zero;
  }

  /** Records that page q's last bit left at `sentUs`; it arrives half a round trip later. */
  private deliver(q: number, sentUs: number, reason: SendReason): void {
    const arrivalUs = sentUs + this.timing.halfRttUs;
    this.arrival[q] = arrivalUs;
    this.nextUnsent?.remove(q);
    this.remaining--;
    this.counts.pagesSent++;
    if (arrivalUs > this.counts.lastArrivalUs) this.counts.lastArrivalUs = arrivalUs;
    this.onSend?.(q, arrivalUs, reason);
  }
}

/**
 * The pages still on the source (arrival Infinity), the others taken out of `nextUnsent`: a pass over the VM per run.
 * A function that ends with its loop, as replay does: V8 compiles a long loop while it runs (on-stack replacement)
 * and keeps that code for later calls even when it deoptimizes after the loop, so code after it that had not run by
 * then (or met another map since: the constructor's configuration) deoptimized at every later call (replay: 300-500
 * times a sweep of the bench grid in one process in three).
 */
function unsentPages(arrival: Float64Array, vmPages: number, nextUnsent: NextAlive | undefined): number {
  let unsent = 0;
  for (let p = 0; p < vmPages; p++) {
    if (arrival[p] === Infinity) unsent++;
    else nextUnsent?.remove(p);
  }
  return unsent;
}
