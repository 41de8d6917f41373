/**
 * From the page-trace plugin's output (src/qemu/plugin/pagetrace.c) to one whole-guest trace.
 * The plugin writes the project's text trace format (`ICOUNT PAGE [W]`, guest-physical 4 KiB pages)
 * plus comment lines: `# clock NS ICOUNT` (CLOCK_MONOTONIC and the instruction count), `# start ICOUNT`
 * (recording began), `# end ICOUNT` (QEMU exited). The source's instruction count runs from boot; the
 * destination's from 0 at its resume, which is the source's count at the switchover (its `# end`: the
 * source's vCPU never runs again after the switchover).
 */
import { UserError } from '../errors';
import { makeTrace, parseTextTrace, type Trace } from '../trace';
import type { QemuRunRecord } from './records';

export interface PluginClock {
  ns: number;
  instruction: number;
}

export interface PluginMeta {
  clocks: PluginClock[];
  /** Instruction count when recording began (the source waits for its start file), 0 otherwise. */
  start: number;
  /** Instruction count when QEMU exited. */
  end: number;
  /** Whether code pages were recorded (the plugin found the guest RAM's host mapping). */
  codePages: boolean;
}

/** The plugin's comment lines; a file without `# end` is cut short (QEMU killed) and rejected. */
export function parsePluginMeta(text: string, fileName: string): PluginMeta {
  const clocks: PluginClock[] = [];
  for (const m of text.matchAll(/^# clock (\d+) (\d+)$/gm))
    clocks.push({ ns: Number(m[1]), instruction: Number(m[2]) });
  const end = /^# end (\d+)$/m.exec(text);
  if (!end) throw new Error(`${fileName}: no '# end' line: the QEMU that wrote it did not exit normally`);
  return {
    clocks,
    start: Number(/^# start (\d+)$/m.exec(text)?.[1] ?? 0),
    end: Number(end[1]),
    codePages: /^# ram-found$/m.test(text),
  };
}

/**
 * The instruction count at monotonic time `ns`, interpolated linearly between the clock lines around
 * it (clamped to the first and last).
 *
 * @example instructionAt([{ ns: 0, instruction: 0 }, { ns: 10, instruction: 100 }], 5) // 50
 */
export function instructionAt(clocks: readonly PluginClock[], ns: number): number {
  if (clocks.length === 0) throw new Error('no clock lines to interpolate between');
  let i = 0;
  while (i < clocks.length - 1 && clocks[i + 1].ns <= ns) i++;
  const a = clocks[i];
  const b = clocks[Math.min(i + 1, clocks.length - 1)];
  if (ns <= a.ns || b.ns === a.ns) return a.instruction;
  return Math.round(a.instruction + ((b.instruction - a.instruction) * (Math.min(ns, b.ns) - a.ns)) / (b.ns - a.ns));
}

/**
 * Instructions per second while the guest ran between monotonic times `fromNs` and `toNs`, leaving
 * out `blockedMs` in which it waited for pages (so the rate is the guest's own speed, as the simulator's ips).
 */
export function instructionRate(clocks: readonly PluginClock[], fromNs: number, toNs: number, blockedMs = 0): number {
  const seconds = (toNs - fromNs) / 1e9 - blockedMs / 1e3;
  return (instructionAt(clocks, toNs) - instructionAt(clocks, fromNs)) / seconds;
}

export interface GuestCapture {
  trace: Trace;
  source: PluginMeta;
  destination: PluginMeta;
  /** First instruction executed on the destination (= the source's last). */
  switchoverInstruction: number;
}

/** One trace of the whole guest: the source's accesses, then the destination's shifted by the switchover. */
export function combineCaptures(sourceText: string, destinationText: string, name: string): GuestCapture {
  const source = parsePluginMeta(sourceText, 'source');
  const destination = parsePluginMeta(destinationText, 'destination');
  const before = parseTextTrace(sourceText, 'source');
  const after = parseTextTrace(destinationText, 'destination');
  const n = before.page.length + after.page.length;
  const time = new Float64Array(n);
  time.set(before.time);
  for (let i = 0; i < after.page.length; i++) time[before.page.length + i] = after.time[i] + source.end;
  const page = new Uint32Array(n);
  page.set(before.page);
  page.set(after.page, before.page.length);
  const write = new Uint8Array(n);
  write.set(before.write);
  write.set(after.write, before.page.length);
  const trace = makeTrace({ time, page, write }, { pageSize: before.pageSize, name });
  return { trace, source, destination, switchoverInstruction: source.end };
}

/**
 * The instruction a replay of the run starts at: the switchover less the pre-copy phase at the guest's rate on the
 * destination, not before the trace's first access (or the instruction the trace was cut at, guest.traceFrom).
 */
export function replayStartInstruction(record: QemuRunRecord, trace: Trace): number {
  const guest = record.guest;
  if (!guest) throw new UserError(`run of ${record.settings.workload} has no guest trace (made without --plugin)`);
  const precopyMs = (record.wallNs.postcopy - record.wallNs.migrate) / 1e6;
  const first = guest.traceFrom ?? trace.time[0];
  return Math.max(first, guest.switchoverInstruction - (precopyMs / 1000) * guest.destinationIps);
}

/**
 * The run's trace without the accesses before its replay's start (replayStartInstruction), which no replay reads
 * (the simulator starts the migration there), and the instruction it was cut at (guest.traceFrom): a walker runs
 * much faster on the source than on the destination, so these are most of its accesses.
 */
export function trimToReplay(record: QemuRunRecord, trace: Trace): { trace: Trace; traceFrom: number } {
  const traceFrom = replayStartInstruction(record, trace);
  let first = 0;
  while (first < trace.page.length && trace.time[first] < traceFrom) first++;
  const trimmed = {
    ...trace,
    time: trace.time.subarray(first),
    page: trace.page.subarray(first),
    write: trace.write.subarray(first),
  };
  return { trace: trimmed, traceFrom };
}
