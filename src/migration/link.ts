/**
 * Time constants of one run, derived once from the configuration. All simulator times are in
 * microseconds from the start of the migration (the VM at the switchover instruction).
 */
import type { ResolvedSimConfig } from './types';

export interface Timing {
  /** Serialisation time of one page message (page + overhead bytes) on the link. */
  readonly pageUs: number;
  /** Serialisation time of a zero page: its header (overhead bytes) only. */
  readonly zeroPageUs: number;
  /** One-way latency: a message arrives this long after its last bit left. */
  readonly halfRttUs: number;
  /** VM time per trace instruction. */
  readonly usPerInstruction: number;
  /** Bytes of one page message. */
  readonly pageMessageBytes: number;
  /** Bytes of the CPU and device state message. */
  readonly stateMessageBytes: number;
}

export function timingOf(config: ResolvedSimConfig): Timing {
  const overhead = config.network.messageOverheadBytes;
  const pageMessageBytes = config.pageSize + overhead;
  return {
    pageUs: serialiseUs(pageMessageBytes, config.network.bandwidthBps),
    zeroPageUs: serialiseUs(overhead, config.network.bandwidthBps),
    halfRttUs: config.network.rttUs / 2,
    usPerInstruction: 1e6 / config.instructionsPerSecond,
    pageMessageBytes,
    stateMessageBytes: config.cpuStateBytes + overhead,
  };
}

/**
 * QEMU's rate limit: a budget of bytes per window of time. The push may start a message only while
 * the window it starts in has budget left; every message counts against the window it starts in.
 */
export class RateWindows {
  private window = 0;
  private used = 0;

  constructor(
    private readonly windowUs: number,
    private readonly budgetBytes: number,
  ) {}

  /** When the push may start a message at or after `us`: now, or at the next window once this one's budget is spent. */
  pushStartUs(us: number): number {
    const window = Math.floor(us / this.windowUs);
    const used = window === this.window ? this.used : 0;
    return used >= this.budgetBytes ? (window + 1) * this.windowUs : us;
  }

  /** A message of `bytes` starts at `us`. */
  count(us: number, bytes: number): void {
    const window = Math.floor(us / this.windowUs);
    if (window !== this.window) {
      this.window = window;
      this.used = 0;
    }
    this.used += bytes;
  }
}

/** Time for `bytes` to leave at `bandwidthBps`. */
export function serialiseUs(bytes: number, bandwidthBps: number): number {
  return (bytes * 8 * 1e6) / bandwidthBps;
}

/**
 * The switchover pause that starts at `pauseUs` with `bytes` still to send (the state message,
 * plus the dirty pages in pre-copy's stop-and-copy): serialise them, wait for the last bit to
 * arrive, then the fixed cost. Returns the time the VM resumes on the destination.
 */
export function resumeAfterPause(config: ResolvedSimConfig, timing: Timing, pauseUs: number, bytes: number): number {
  return pauseUs + serialiseUs(bytes, config.network.bandwidthBps) + timing.halfRttUs + config.switchoverFixedMs * 1000;
}
