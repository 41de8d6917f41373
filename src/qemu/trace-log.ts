/**
 * QEMU's trace events around each post-copy page, from both QEMUs' logs (`-trace enable=...` with Debian's log
 * backend and `-msg timestamp=on`: `TID@SEC.USEC:event args` per line, gettimeofday, so the two QEMUs' times
 * compare on one machine), turned into per-request and per-page times. Pure (text in, values out).
 */
import { UserError } from '../errors';
import { quantileSorted } from '../util/statistics';

/**
 * Destination: the fault thread reading a fault (and whether the page was already placed then), the listen
 * thread placing each page, the resume. One line per request and per page placed after the switchover.
 */
export const DESTINATION_EVENTS = [
  'postcopy_ram_fault_thread_request',
  'mark_postcopy_blocktime_begin',
  'postcopy_place_page',
  'postcopy_place_page_zero',
  'loadvm_postcopy_handle_run_bh',
] as const;

/**
 * Source: a request arriving on the return path, the migration thread taking it from its queue (`_not_dirty`:
 * the page had gone already, nothing is sent), and every non-zero page it writes to the stream.
 */
export const SOURCE_EVENTS = [
  'migrate_handle_rp_req_pages',
  'get_queued_page',
  'get_queued_page_not_dirty',
  'ram_save_page',
] as const;

/** One trace line: the QEMU thread that logged it, its time (us since the epoch), the event and its text. */
export interface TraceEvent {
  thread: number;
  us: number;
  name: string;
  args: string;
}

/**
 * The timed lines of a log (`TID@SEC.USEC:name args`); anything else (untimed lines, messages) is left out, and so
 * is a last line without its newline: QEMU ends every line with one, so that line was cut (a QEMU killed while
 * writing) and its address may be cut short.
 */
export function parseTraceLog(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const m of complete.matchAll(/^(\d+)@(\d+)\.(\d{6}):(\w+) ?(.*)$/gm))
    events.push({ thread: Number(m[1]), us: Number(m[2]) * 1e6 + Number(m[3]), name: m[4], args: m[5] });
  return events;
}

/** The guest's RAM block: request and page events of other blocks (ROMs) are left out. */
const GUEST_RAM = 'pc.ram';

/**
 * Per request the fault thread read (in order), times in us from the resume; null where the log has no such
 * event (a zero page is never in `ram_save_page`; a page placed in pre-copy has no placement here).
 */
export interface RequestTimes {
  page: number[];
  /** The fault thread read the fault (`postcopy_ram_fault_thread_request`; QEMU's blocktime starts here). */
  faultUs: number[];
  /** 1 when the page had been placed by then (no request goes to the source, no blocktime). */
  receivedAtFault: number[];
  /** The source's last write of the page to the stream (`ram_save_page`), before or after the fault. */
  sentUs: (number | null)[];
  /** The request reached the source's return-path thread (`migrate_handle_rp_req_pages`). */
  sourceUs: (number | null)[];
  /** The source's migration thread took it from the queue (`get_queued_page[_not_dirty]`). */
  queuedUs: (number | null)[];
  /**
   * 1 when that first take found the page sent already (`get_queued_page_not_dirty`): the only trace of a zero page
   * on its way, which never shows in `ram_save_page`. Absent in records made before it was kept.
   */
  skippedAtQueue?: number[];
  /** The destination placed the page (`postcopy_place_page[_zero]`). */
  placedUs: (number | null)[];
}

/** Quantiles of a set of durations, us. */
export interface DurationSummary {
  count: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What the two QEMUs' trace logs say about each page after the switchover. */
export interface QemuTiming {
  /** The events each QEMU logged. */
  events: { source: string[]; destination: string[] };
  /** The destination's resume (`loadvm_postcopy_handle_run_bh return`), us since the epoch: time 0 below. */
  resumeEpochUs: number;
  requests: RequestTimes;
  /**
   * Non-zero pages placed after the resume that no request asked for (the push): from the source's write to the
   * destination's placement (null: no request gave the guest RAM's host address, so placements are unplaced).
   */
  pushHoldUs: DurationSummary | null;
  /**
   * Mean time between two consecutive non-zero pages the source wrote after the resume, steps of BURST_BREAK_US
   * or more (the wait for the next rate-limit window, a preempted thread) left out: its speed inside a burst, the
   * zero pages it checks and sends between them included.
   */
  sourcePageUs: number | null;
  /** The same for the non-zero pages the destination placed: its speed while it has pages to place. */
  placePageUs: number | null;
}

/** Quantiles of `durations` (null when empty). */
export function summariseDurations(durations: readonly number[]): DurationSummary | null {
  if (durations.length === 0) return null;
  const sorted = Float64Array.from(durations).sort();
  const q = (p: number) => quantileSorted(sorted, p);
  return { count: sorted.length, p10: q(0.1), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sorted[sorted.length - 1] };
}

const hex = (text: string) => parseInt(text, 16);

/** A step this long between two pages is a break in a burst, not the time of a page. */
export const BURST_BREAK_US = 1000;

/**
 * Mean step between consecutive times of `us` (ascending) shorter than BURST_BREAK_US; null without one.
 *
 * @example burstStepUs([0, 2, 6, 5000, 5004]) // (2 + 4 + 4) / 3
 */
export function burstStepUs(us: readonly number[]): number | null {
  let sum = 0;
  let steps = 0;
  for (let i = 1; i < us.length; i++) {
    const step = us[i] - us[i - 1];
    if (step < BURST_BREAK_US) {
      sum += step;
      steps++;
    }
  }
  return steps === 0 ? null : sum / steps;
}

/**
 * Joins the destination's and the source's logs of one run into per-request and per-page times. Pages are
 * `pageSize` pages of the guest's RAM block (`ramPages` of them); the destination logs host addresses, which the
 * requests (host address and offset) translate.
 */
export function requestTimeline(
  destinationLog: string,
  sourceLog: string,
  ramPages: number,
  pageSize = 4096,
): QemuTiming {
  const destination = parseTraceLog(destinationLog);
  const source = parseTraceLog(sourceLog);
  const resume = destination.filter((e) => e.name === 'loadvm_postcopy_handle_run_bh').pop();
  if (!resume)
    throw new UserError(
      'destination trace log: no loadvm_postcopy_handle_run_bh line (the VM never resumed, the log was cut, ' +
        "this QEMU's trace backend is not log, or a newer QEMU logs vmstate_downtime_checkpoint instead)",
    );
  const t0 = resume.us;

  // Source: last write of each page, first arrival of each request, first time the thread took it from the queue.
  const sent = new Map<number, number>();
  const reachedSource = new Map<number, number>();
  const queued = new Map<number, number>();
  const skipped = new Set<number>();
  const written: number[] = [];
  let block = '';
  for (const e of source) {
    if (e.name === 'ram_save_page') {
      const m = /^(\S+): offset: 0x([0-9a-f]+)/.exec(e.args);
      if (m?.[1] !== GUEST_RAM) continue;
      sent.set(Math.floor(hex(m[2]) / pageSize), e.us);
      if (e.us >= t0) written.push(e.us);
    } else if (e.name === 'migrate_handle_rp_req_pages') {
      // "(null)": the same block as the previous request (QEMU sends a block's name only when it changes).
      const m = /^in (\S+) at 0x([0-9a-f]+)/.exec(e.args);
      if (!m) continue;
      if (m[1] !== '(null)') block = m[1];
      const page = Math.floor(hex(m[2]) / pageSize);
      if (block === GUEST_RAM && !reachedSource.has(page)) reachedSource.set(page, e.us);
    } else if (e.name === 'get_queued_page' || e.name === 'get_queued_page_not_dirty') {
      const m = /^(\S+)\/0x([0-9a-f]+)/.exec(e.args);
      const page = m?.[1] === GUEST_RAM ? Math.floor(hex(m[2]) / pageSize) : -1;
      if (page >= 0 && !queued.has(page)) {
        queued.set(page, e.us);
        if (e.name === 'get_queued_page_not_dirty') skipped.add(page);
      }
    }
  }

  // Destination: requests in order; the host address of guest RAM from the first one.
  const requests: RequestTimes = {
    page: [],
    faultUs: [],
    receivedAtFault: [],
    sentUs: [],
    sourceUs: [],
    queuedUs: [],
    placedUs: [],
  };
  let ramHost: number | undefined;
  let lastFaultHost: number | undefined;
  const receivedAt = new Map<number, number>();
  for (const e of destination) {
    if (e.name === 'postcopy_ram_fault_thread_request') {
      const m = /HVA=0x([0-9a-f]+) rb=(\S+) offset=0x([0-9a-f]+)/.exec(e.args);
      if (m?.[2] !== GUEST_RAM) {
        lastFaultHost = undefined;
        continue;
      }
      const offset = hex(m[3]);
      const host = Math.floor(hex(m[1]) / pageSize) * pageSize;
      ramHost ??= host - offset;
      lastFaultHost = host;
      requests.page.push(Math.floor(offset / pageSize));
      requests.faultUs.push(e.us);
    } else if (e.name === 'mark_postcopy_blocktime_begin' && lastFaultHost !== undefined) {
      // Logged right after its request by the same thread; its address is the fault's.
      const m = /^addr: 0x([0-9a-f]+),.*already_received: (\d)/.exec(e.args);
      if (m && Math.floor(hex(m[1]) / pageSize) * pageSize === lastFaultHost)
        receivedAt.set(requests.page.length - 1, Number(m[2]));
      lastFaultHost = undefined;
    }
  }
  requests.receivedAtFault = requests.page.map((_, i) => receivedAt.get(i) ?? 0);

  const placed = new Map<number, number>();
  /** Non-zero pages placed after the resume, requested or pushed (the push's are those no request asked for). */
  const placedAfterResume: number[] = [];
  if (ramHost !== undefined) {
    for (const e of destination) {
      if (e.name !== 'postcopy_place_page' && e.name !== 'postcopy_place_page_zero') continue;
      const m = /^host=0x([0-9a-f]+)/.exec(e.args);
      if (!m) continue;
      const page = (hex(m[1]) - ramHost) / pageSize;
      if (page < 0 || page >= ramPages || !Number.isInteger(page) || placed.has(page)) continue;
      placed.set(page, e.us);
      if (e.us >= t0 && e.name === 'postcopy_place_page') placedAfterResume.push(page);
    }
  }
  const asked = new Set(requests.page);
  const holds = placedAfterResume
    .filter((page) => !asked.has(page) && sent.has(page))
    .map((page) => placed.get(page)! - sent.get(page)!);

  const rel = (us: number | undefined) => (us === undefined ? null : us - t0);
  requests.sentUs = requests.page.map((p) => rel(sent.get(p)));
  requests.sourceUs = requests.page.map((p) => rel(reachedSource.get(p)));
  requests.queuedUs = requests.page.map((p) => rel(queued.get(p)));
  requests.skippedAtQueue = requests.page.map((p) => (skipped.has(p) ? 1 : 0));
  requests.placedUs = requests.page.map((p) => rel(placed.get(p)));
  requests.faultUs = requests.faultUs.map((us) => us - t0);
  return {
    events: { source: [...SOURCE_EVENTS], destination: [...DESTINATION_EVENTS] },
    resumeEpochUs: t0,
    requests,
    pushHoldUs: summariseDurations(holds),
    sourcePageUs: burstStepUs(written),
    placePageUs: burstStepUs(placedAfterResume.map((page) => placed.get(page)!)),
  };
}
