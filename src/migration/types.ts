import type { PredictorName, PredictorOptions } from '../prefetch/types';

export type MigrationMode = 'postcopy' | 'precopy' | 'hybrid';
/** Background push of pages nobody asked for: none, address order, or QEMU's restart after the last faulted page. */
export type PushPolicy = 'off' | 'sequential' | 'restart';

export interface NetworkConfig {
  /** Link bandwidth in bits per second (> 0). */
  bandwidthBps: number;
  /** Round-trip latency in microseconds (>= 0). */
  rttUs: number;
  /** Header bytes added to every message (a page or a request). */
  messageOverheadBytes: number;
  /**
   * When true, faulted pages travel on their own channel and never queue behind background pages (QEMU
   * postcopy-preempt).
   */
  urgentChannel: boolean;
  /**
   * Post-copy rate limit in windows, us (0 = none: the link runs at `bandwidthBps`). QEMU meters its
   * cap over windows (BUFFER_DELAY, 100 ms): the link runs at `peakBandwidthBps` until the window's
   * budget of `bandwidthBps` x window is spent, then the push waits for the next window; requested
   * and predicted pages go at once but count against the budget.
   */
  rateLimitWindowUs: number;
  /** The link's own speed inside a rate-limit window, bits/s (default: `bandwidthBps`). */
  peakBandwidthBps?: number;
  /**
   * Post-copy with a rate limit: a requested page, too, waits until the window has budget left (QEMU 7.2 without
   * postcopy-preempt: its migration thread takes requests from the queue only while the limit is not reached).
   */
  requestsWaitForWindow?: boolean;
  /**
   * Post-copy: how fast the source writes pages into its send queue, bits/s (default: as fast as the link carries
   * them). A page counts as sent (on its way: no request sends it again) from its write and is placed in order at
   * the link's speed, so a source faster than the destination (QEMU's migration thread against its listen thread)
   * builds a queue whose pages are on their way for milliseconds.
   */
  writeBandwidthBps?: number;
}

export interface SimConfig {
  mode: MigrationMode;
  predictor: PredictorName;
  /** Pages sent with each faulted page (prefetch degree). */
  k: number;
  predictorOptions: PredictorOptions;
  network: NetworkConfig;
  push: PushPolicy;
  /** Instruction count at which migration starts: earlier accesses ran on the source (history). */
  switchover: number;
  /** VM size in pages; default largest page in the trace + 1. */
  vmPages?: number;
  /** Page size in bytes; default the trace's. */
  pageSize?: number;
  /** VM speed: trace instructions executed per second while not stalled. */
  instructionsPerSecond: number;
  /** CPU and device state sent at switchover, bytes. */
  cpuStateBytes: number;
  /** Fixed cost of the switchover pause, ms. */
  switchoverFixedMs: number;
  /**
   * Host time per fault, us: userfaultfd read, the request message and the source's handling of it.
   * The request reaches the source this long plus RTT/2 after the touch. The destination looks at the
   * page `faultCheckUs` after the touch: if the push has sent it by then no request goes out (the VM
   * waits for it: a late prefetch).
   */
  faultCostUs: number;
  /**
   * When the destination looks at the page, us after the touch (default: `faultCostUs`; at most it).
   * QEMU's fault thread checks its received map as soon as it reads the fault; the rest of the host
   * cost (the request's way through the return path and the source's migration thread) comes after.
   */
  faultCheckUs?: number;
  /** Share of the VM's pages that are all zero (sent as a header only), drawn per page under `zeroPageSeed`. */
  zeroPageShare: number;
  zeroPageSeed: string;
  /** Pages known to be all zero (e.g. from a guest memory dump), in addition to the drawn share. */
  zeroPages?: ArrayLike<number>;
  /** What messages call `zeroPages`, e.g. the file they were read from (a page beyond the VM is refused naming it). */
  zeroPagesName?: string;
  /** Pre-copy: stop-and-copy once at most this many pages are dirty ... */
  precopyStopPages: number;
  /** ... or after this many rounds. Hybrid switches to post-copy after its rounds ... */
  precopyMaxRounds: number;
  /** ... or this long after the migration started, even mid-round (QEMU's migrate-start-postcopy), ms. */
  postcopyAfterMs?: number;
}

/** What callers pass to `simulate`: any subset of SimConfig, the network partially too. */
export type SimInput = Partial<Omit<SimConfig, 'network' | 'predictorOptions'>> & {
  network?: Partial<NetworkConfig>;
  predictorOptions?: PredictorOptions;
};

/** A validated configuration for one trace: every default filled in, VM size and page size known. */
export type ResolvedSimConfig = SimConfig & { vmPages: number; pageSize: number };

/**
 * One run's result. Times in milliseconds from the start of the migration (the VM at the
 * switchover instruction), counts in pages unless named otherwise. README "Migration model" defines each field.
 */
export interface MigrationResult {
  mode: MigrationMode;
  /** The registry name, or a custom predictor's own name (hooks.predictor). */
  predictor: string;
  k: number;
  /** Accesses replayed after switchover. */
  accesses: number;
  /** Distinct pages touched after switchover. */
  distinctPagesTouched: number;
  vmPages: number;
  networkFaults: number;
  latePrefetches: number;
  pagesSent: number;
  /** Of those, zero pages sent as a header only. */
  zeroPagesSent: number;
  prefetchIssued: number;
  prefetchUsed: number;
  pushPages: number;
  precopyRounds: number;
  downtimeMs: number;
  /** Sum of the VM's waits on missing pages after switchover (QEMU's blocktime for one vCPU). */
  stallMs: number;
  /** Median, 99th percentile and largest single wait (network fault or late prefetch); 0 when the VM never waited. */
  waitP50Ms: number;
  waitP99Ms: number;
  maxWaitMs: number;
  /** From the resume on the destination until the VM's last wait ends: after it the VM runs at full speed. */
  degradedMs: number;
  totalMigrationMs: number;
  bytesSent: number;
}
