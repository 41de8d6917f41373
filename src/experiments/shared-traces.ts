/**
 * The shared-memory copies of traces that a sweep's workers read (parallel.ts), in buffers reused from
 * batch to batch.
 *
 * Why reused rather than one copy per trace object, dropped with it: V8 does not count SharedArrayBuffer
 * memory toward what triggers its garbage collections, neither in the main thread nor in the workers that
 * received views of it, so dropped copies stayed: 50 sweeps over fresh 4 M-access trace objects grew RSS
 * by one copy (34 MB) per sweep, to 2.0 GB. Here a batch's traces go into slots; a slot keeps its buffers
 * for later batches, a trace object it already holds needs no copy (unless changed in place since: compared, a
 * memcmp per batch), another is copied over its content.
 * So the buffers never outnumber the columns of the largest batch's traces, whatever the collector does.
 */
import type { Trace } from '../trace';

/** A trace's shared copy in one batch; `id` tells it from the batch's other traces. */
export interface SharedCopy {
  id: number;
  trace: Trace;
}

interface Slot {
  /** Bumped each time the slot takes another trace, so a trace's entry in `held` tells whether it is still there. */
  fills: number;
  copy?: Trace;
  /** Per typed-array field of the trace, the buffer its copy lives in (at least as long as the column). */
  buffers: Map<string, SharedArrayBuffer>;
}

/** A buffer too small for a new trace is replaced by one this many times larger, if that is larger still. */
const GROWTH = 1.5;

type TypedArrayOver = new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => Uint8Array;

export class SharedTraces {
  private readonly slots: Slot[] = [];
  /**
   * Which slot holds a trace's copy (if its `fills` did not move on since). Weak, so a dropped trace leaves its
   * slot to another; not a WeakRef, which keeps its target alive until the calling job ends (a notebook cell's
   * loop of sweeps over fresh traces would keep every one of them).
   */
  private readonly held = new WeakMap<Trace, { slot: number; fills: number }>();
  private buffersMade = 0;

  /** Shared copies of the traces of one batch: distinct traces get distinct slots. */
  forBatch(traces: Iterable<Trace>): Map<Trace, SharedCopy> {
    const copies = new Map<Trace, SharedCopy>();
    const free = new Set(this.slots.keys());
    const missing: Trace[] = [];
    for (const trace of new Set(traces)) {
      const held = this.held.get(trace);
      if (held && this.slots[held.slot].fills === held.fills && sameContent(trace, this.slots[held.slot].copy!)) {
        free.delete(held.slot);
        copies.set(trace, { id: held.slot, trace: this.slots[held.slot].copy! });
      } else missing.push(trace);
    }
    for (const trace of missing) {
      const at = this.roomFor(trace, free);
      free.delete(at);
      copies.set(trace, { id: at, trace: this.fill(at, trace) });
    }
    return copies;
  }

  /** How many SharedArrayBuffers were made so far (each stays in memory; see above). */
  get buffersAllocated(): number {
    return this.buffersMade;
  }

  /** A free slot whose buffers hold `trace` (the smallest such), else the largest free one, else a new one. */
  private roomFor(trace: Trace, free: Set<number>): number {
    const needs = columnsOf(trace).map(([key, array]) => [key, array.byteLength] as const);
    let best = -1;
    let bestRoom = 0;
    let fits = false;
    for (const at of free) {
      const buffers = this.slots[at].buffers;
      const room = [...buffers.values()].reduce((sum, buffer) => sum + buffer.byteLength, 0);
      const fitsHere = needs.every(([key, bytes]) => (buffers.get(key)?.byteLength ?? -1) >= bytes);
      const better = fitsHere ? !fits || room < bestRoom : !fits && room >= bestRoom;
      if (best < 0 || better) [best, bestRoom, fits] = [at, room, fitsHere];
    }
    return best >= 0 ? best : this.slots.push({ fills: 0, buffers: new Map() }) - 1;
  }

  private fill(at: number, trace: Trace): Trace {
    const slot = this.slots[at];
    const copy: Record<string, unknown> = { ...trace };
    for (const [key, array] of columnsOf(trace)) {
      let buffer = slot.buffers.get(key);
      if (!buffer || buffer.byteLength < array.byteLength) {
        buffer = new SharedArrayBuffer(Math.max(array.byteLength, Math.ceil((buffer?.byteLength ?? 0) * GROWTH)));
        slot.buffers.set(key, buffer);
        this.buffersMade++;
      }
      const into = new (array.constructor as TypedArrayOver)(buffer, 0, array.length);
      into.set(array);
      copy[key] = into;
    }
    slot.fills++;
    this.held.set(trace, { slot: at, fills: slot.fills });
    slot.copy = copy as unknown as Trace;
    return slot.copy;
  }
}

/** The trace's typed-array fields (its columns), by name. */
function columnsOf(trace: Trace): [string, Uint8Array][] {
  return Object.entries(trace).filter((entry): entry is [string, Uint8Array] => ArrayBuffer.isView(entry[1]));
}

/**
 * Whether `copy` still holds what `trace` holds: a trace changed in place after its copy was made (a column's
 * values, a field) is copied again, or the workers would run the next sweep on what it held before.
 */
function sameContent(trace: Trace, copy: Trace): boolean {
  const copied = copy as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(trace)) {
    const other = copied[key];
    if (!ArrayBuffer.isView(value) || !ArrayBuffer.isView(other)) {
      if (!Object.is(value, other)) return false;
    } else if (value.constructor !== other.constructor || Buffer.compare(bytesOf(value), bytesOf(other)) !== 0) {
      return false;
    }
  }
  return true;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
