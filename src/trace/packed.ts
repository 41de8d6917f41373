/**
 * The payload of a version-3 `.pctrace` block: its accesses as three columns (time, page, write), each
 * cut into frames of FRAME_ACCESSES accesses stored at one fixed bit width per frame (frame of reference,
 * as in Parquet's DELTA_BINARY_PACKED or Lemire's FastPFor), so that decoding is shifts and masks over
 * 32-bit words instead of the per-byte branches of versions 1 and 2's varints.
 *
 *   column:  f64 start | per frame: f64 reference | per frame: u8 mode and width (bit 7 set: delta frame;
 *            bits 0-5: width 0..53) | zero bytes up to a multiple of 4 | per frame: its packed words
 *   value frame:  v[i] = reference + u[i]
 *   delta frame:  v[i] = v[i - 1] + reference + u[i], where v[-1] is the previous frame's last value, or
 *                 `start` for the column's first frame (so every block decodes alone)
 *   packing:      the u of a frame of n accesses, least significant bit first, in ceil(n * width / 32)
 *                 little-endian u32 words; a width w above 32 packs the low 32 bits of every u first, then
 *                 the high bits at width w - 32
 *
 * Times are delta frames starting at the block's first time: a constant step costs 0 bits and one long
 * pause widens one frame only. Pages take the narrower of a value and a delta frame (a hot set anywhere in
 * a large VM, or a walk through neighbouring pages). Writes are value frames of width 0 or 1.
 * All multi-byte fields are little-endian; the whole payload is a multiple of 4 bytes. Pure (no node modules).
 */
import { copyBytes } from './bytes';
import { largestIn, MAX_PAGE, type TimeColumn } from './types';
import { COLUMNS_WASM, COLUMNS_WASM_SCALAR } from './wasm/columns.generated';

/** Accesses per frame: a multiple of 32, so that every frame but a block's last fills whole words. */
export const FRAME_ACCESSES = 1024;
const DELTA_FRAME = 0x80;
const WIDTH_BITS = 0x3f;
const TWO_32 = 2 ** 32;
/**
 * 2^w for every width a frame header can hold: `2 ** width` with a variable width is a call into V8's pow
 * (6 % of a warmed decoder's time, in the per-frame checks).
 */
const TWO_TO = Float64Array.from({ length: WIDTH_BITS + 1 }, (_, width) => 2 ** width);

/** What a column may hold, and which frames the writer uses for it. */
interface ColumnSpec {
  readonly name: string;
  /** Largest value (the smallest is 0). */
  readonly max: number;
  readonly frames: 'delta' | 'value' | 'narrower';
}

const TIME_COLUMN: ColumnSpec = { name: 'time', max: Number.MAX_SAFE_INTEGER, frames: 'delta' };
const PAGE_COLUMN: ColumnSpec = { name: 'page', max: MAX_PAGE, frames: 'narrower' };
const WRITE_COLUMN: ColumnSpec = { name: 'write', max: 1, frames: 'value' };

/**
 * ceil(a / b) for whole a >= 0 and b >= 1 with a + b < 2^31, in int32 arithmetic: `Math.ceil(a / b)` made V8's
 * optimized decoder deoptimize ("lost precision") on the first frame whose division was not exact (a file's last,
 * partial one), then compile it again.
 */
function ceilDiv(a: number, b: number): number {
  return ((a + b - 1) / b) | 0;
}

/** Bits needed for whole numbers 0..x (x < 2^53). */
function bitsFor(x: number): number {
  return x < TWO_32 ? 32 - Math.clz32(x) : 32 + bitsFor(Math.floor(x / TWO_32));
}

/** Little-endian output for the encoder: grows by doubling. */
export class ByteWriter {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  private view = new DataView(this.bytes.buffer);

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Packs `count` values of `width` <= 32 bits, each `valueAt(i)`, into words. */
function pack(out: ByteWriter, count: number, width: number, valueAt: (i: number) => number): void {
  if (width === 0) return;
  let word = 0;
  let used = 0;
  for (let i = 0; i < count; i++) {
    const value = valueAt(i);
    word = (word | (value << used)) >>> 0;
    used += width;
    if (used >= 32) {
      out.u32(word);
      used -= 32;
      // the bits of value that did not fit (none when it ended exactly on the word boundary)
      word = used === 0 ? 0 : value >>> (width - used);
    }
  }
  if (used > 0) out.u32(word);
}

/** One frame's choice: value or delta, its reference and width. */
interface Frame {
  delta: boolean;
  reference: number;
  width: number;
}

/** The narrowest frame of `spec`'s kind for values[from, to), where values[from - 1] is `previous`. */
function chooseFrame(spec: ColumnSpec, values: ArrayLike<number>, from: number, to: number, previous: number): Frame {
  let min = Infinity;
  let max = -Infinity;
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  let last = previous;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - last;
    if (d < minDelta) minDelta = d;
    if (d > maxDelta) maxDelta = d;
    last = v;
  }
  const valueWidth = bitsFor(max - min);
  const deltaWidth = bitsFor(maxDelta - minDelta);
  if (spec.frames === 'delta' || (spec.frames === 'narrower' && deltaWidth < valueWidth))
    return { delta: true, reference: minDelta, width: deltaWidth };
  // reference + 2^width - 1 is then the frame's largest value (unless that makes the reference negative): the
  // reader checks that bound once per frame, and learns a column's largest value from it without a scan
  return { delta: false, reference: Math.max(0, max - (2 ** valueWidth - 1)), width: valueWidth };
}

/** Appends values[from, to) as one column of `spec`. */
function encodeColumn(out: ByteWriter, spec: ColumnSpec, values: ArrayLike<number>, from: number, to: number): void {
  const frames: Frame[] = [];
  let previous = values[from];
  for (let at = from; at < to; at += FRAME_ACCESSES) {
    const end = Math.min(to, at + FRAME_ACCESSES);
    frames.push(chooseFrame(spec, values, at, end, previous));
    previous = values[end - 1];
  }
  out.f64(values[from]);
  for (const frame of frames) out.f64(frame.reference);
  for (const frame of frames) out.u8((frame.delta ? DELTA_FRAME : 0) | frame.width);
  while (out.length % 4 !== 0) out.u8(0);
  previous = values[from];
  frames.forEach((frame, f) => {
    const at = from + f * FRAME_ACCESSES;
    const count = Math.min(to, at + FRAME_ACCESSES) - at;
    const base = frame.delta ? frame.reference : 0;
    const first = previous;
    const u = frame.delta
      ? (i: number) => values[at + i] - (i === 0 ? first : values[at + i - 1]) - base
      : (i: number) => values[at + i] - frame.reference;
    pack(out, count, Math.min(frame.width, 32), (i) => u(i) % TWO_32);
    if (frame.width > 32) pack(out, count, frame.width - 32, (i) => Math.floor(u(i) / TWO_32));
    previous = values[at + count - 1];
  });
}

/** Columns of accesses to encode (a Trace or a TraceChunk). */
export interface AccessColumns {
  readonly time: ArrayLike<number>;
  readonly page: ArrayLike<number>;
  readonly write: ArrayLike<number>;
}

/** Appends accesses [from, to) (at least one) as a version-3 block payload. */
export function encodePackedPayload(out: ByteWriter, columns: AccessColumns, from: number, to: number): void {
  encodeColumn(out, TIME_COLUMN, columns.time, from, to);
  encodeColumn(out, PAGE_COLUMN, columns.page, from, to);
  encodeColumn(out, WRITE_COLUMN, columns.write, from, to);
}

/** The columns a payload decodes into, each as long as the block's access count. */
export interface DecodedColumns {
  readonly time: TimeColumn;
  readonly page: Uint32Array;
  readonly write: Uint8Array;
}

type Column = TimeColumn | Uint8Array;

/** Largest time a Uint32Array chunk column holds. */
const MAX_COMPACT_TIME = 0xffffffff;

/**
 * A delta frame's unpacked bits, low 32 and above, when its sums are checked one by one (decoding allocates
 * nothing per frame); written as Int32 (see unpackFrame), read back unsigned through the Uint32 views.
 */
const low = new Int32Array(FRAME_ACCESSES);
const high = new Int32Array(FRAME_ACCESSES);
const lowBits = new Uint32Array(low.buffer);
const highBits = new Uint32Array(high.buffer);

/**
 * A frame of `count` values u of `width` <= 32 bits from words[at..] into into[from..] as `base` + u (modulo 2^32:
 * an Int32Array view of a Uint32Array column stores the same bits), one by one; returns the word after them.
 */
function unpackFrame(
  words: Int32Array,
  at: number,
  width: number,
  count: number,
  into: Int32Array | Uint8Array,
  from: number,
  base: number,
): number {
  const mask = width === 32 ? -1 : (1 << width) - 1;
  for (let i = 0, bit = 0; i < count; i++, bit += width) {
    const word = at + (bit >>> 5);
    const shift = bit & 31;
    let u = width === 0 ? 0 : words[word] >>> shift;
    if (shift + width > 32) u |= words[word + 1] << (32 - shift);
    into[from + i] = (base + (u & mask)) | 0;
  }
  return at + ceilDiv(count * width, 32);
}

/**
 * A delta frame's values, checked one by one, from the unpacked bits (`low`, and `high` above 32 bits) into
 * into[from..]; returns the last value, or -1 as soon as one leaves [0, max].
 */
function addDeltas(
  into: Column,
  from: number,
  count: number,
  previous: number,
  reference: number,
  wide: boolean,
  max: number,
): number {
  let value = previous;
  for (let i = 0; i < count; i++) {
    value += reference + lowBits[i] + (wide ? highBits[i] * TWO_32 : 0);
    if (value < 0 || value > max) return -1;
    into[from + i] = value;
  }
  return value;
}

/** Bytes of a frame of `count` values at `width` bits: its low words, then its high words past 32 bits. */
function frameBytes(count: number, width: number): number {
  return (ceilDiv(count * Math.min(width, 32), 32) + ceilDiv(count * Math.max(width - 32, 0), 32)) * 4;
}

interface FrameHeader {
  delta: boolean;
  width: number;
  reference: number;
}

/** A column's header, checked: where its words start and end, and a bound on its values. */
interface ColumnLayout {
  start: number;
  frames: FrameHeader[];
  wordsAt: number;
  end: number;
  /** No value of the column exceeds it (times: whether they fit 32 bits). */
  bound: number;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The payload (a multiple of 4 bytes) as little-endian 32-bit words: a view when it is aligned and the
 * machine is little-endian (every usual one), else a copy, byte-swapped on a big-endian machine.
 */
function wordsOf(payload: Uint8Array): Int32Array {
  if (LITTLE_ENDIAN && payload.byteOffset % 4 === 0)
    return new Int32Array(payload.buffer, payload.byteOffset, payload.length / 4);
  const copy = copyBytes(payload);
  if (!LITTLE_ENDIAN) for (let at = 0; at < copy.length; at += 4) copy.subarray(at, at + 4).reverse();
  return new Int32Array(copy.buffer);
}

/** A frame's name in messages, built only for one (a string per frame cost a warmed decoder 1-2 %). */
function frameName(spec: ColumnSpec, frame: number): string {
  return `${spec.name} frame ${frame + 1}`;
}

/** What can be wrong with a payload: the failure codes of wasm/columns.wat, which the JavaScript loop uses too. */
const enum Problem {
  EndsInside = 1,
  Start,
  Width,
  Reference,
  FrameKind,
  TimeStep,
  ValueBounds,
  SumLeaves,
  BytesAfter,
}

const SPECS = [TIME_COLUMN, PAGE_COLUMN, WRITE_COLUMN];

/** The message of `problem` in column `spec` at frame `frame`, `value` the number it names. */
function problemText(problem: Problem, spec: ColumnSpec, frame: number, value: number): string {
  const where = `${frameName(spec, frame)}: `;
  switch (problem) {
    case Problem.EndsInside:
      return 'block payload ends inside a column';
    case Problem.Start:
      return `${spec.name} column starts at ${value}`;
    case Problem.Width:
      // `value` is the mode byte without its delta bit: a width, unless the reserved bit 6 is set
      if (value > WIDTH_BITS) return `${where}its mode byte sets the reserved bit 6`;
      return `${where}width ${value} is not in [0, ${bitsFor(spec.max)}]`;
    case Problem.Reference:
      return `${where}reference ${value} is out of range`;
    case Problem.FrameKind:
      return `${where}a ${value ? 'delta' : 'value'} frame, which this column does not have`;
    case Problem.TimeStep:
      return `${where}negative time step ${value}`;
    case Problem.ValueBounds:
      return `${where}values can leave [0, ${spec.max}]`;
    case Problem.SumLeaves:
      return `${where}a value leaves [0, ${spec.max}]`;
    case Problem.BytesAfter:
      return `block has ${value} bytes after its last access`;
  }
}

/** Reads and checks the header of the column of `spec` at byte `at` of a payload. */
function readLayout(
  view: DataView,
  at: number,
  spec: ColumnSpec,
  count: number,
  fail: (reason: string) => never,
): ColumnLayout {
  const frameCount = ceilDiv(count, FRAME_ACCESSES);
  const modesAt = at + 8 + 8 * frameCount;
  const wordsAt = (modesAt + frameCount + 3) & ~3;
  const problem = (what: Problem, frame: number, value: number) => fail(problemText(what, spec, frame, value));
  if (wordsAt > view.byteLength) problem(Problem.EndsInside, 0, 0);
  const start = view.getFloat64(at, true);
  if (!Number.isSafeInteger(start) || start < 0 || start > spec.max) problem(Problem.Start, 0, start);
  const widest = bitsFor(spec.max);
  const frames: FrameHeader[] = [];
  let end = wordsAt;
  let bound = start;
  for (let f = 0; f < frameCount; f++) {
    const n = Math.min(FRAME_ACCESSES, count - f * FRAME_ACCESSES);
    const mode = view.getUint8(modesAt + f);
    const width = mode & WIDTH_BITS;
    const delta = (mode & DELTA_FRAME) !== 0;
    const reference = view.getFloat64(at + 8 + 8 * f, true);
    if ((mode & ~(DELTA_FRAME | WIDTH_BITS)) !== 0 || width > widest) problem(Problem.Width, f, mode & ~DELTA_FRAME);
    if (!Number.isSafeInteger(reference) || Math.abs(reference) > spec.max) problem(Problem.Reference, f, reference);
    if (delta ? spec.frames === 'value' : spec.frames === 'delta') problem(Problem.FrameKind, f, Number(delta));
    // times never decrease: their steps are at least 0
    if (delta && spec === TIME_COLUMN && reference < 0) problem(Problem.TimeStep, f, reference);
    // checked here once, so that decoding a value frame needs no check per value
    const top = reference + TWO_TO[width] - 1;
    if (!delta && (reference < 0 || top > spec.max)) problem(Problem.ValueBounds, f, 0);
    bound = delta ? bound + n * (Math.max(reference, 0) + TWO_TO[width] - 1) : Math.max(bound, top);
    end += frameBytes(n, width);
    frames.push({ delta, width, reference });
  }
  if (end > view.byteLength) problem(Problem.EndsInside, 0, 0);
  return { start, frames, wordsAt, end, bound };
}

/**
 * The largest of `above` and the values of a frame decoded into into[from, from + n), scanning them only when the
 * frame's header leaves it open: a delta frame of steps >= 0 ends at its largest, one of steps <= 0 starts there,
 * and no value of a value frame exceeds reference + 2^width - 1 (its largest, as version 4's writer picks it).
 */
function frameLargest(into: Uint32Array, from: number, n: number, frame: FrameHeader, above: number): number {
  const { delta, width, reference } = frame;
  const top = reference + TWO_TO[width] - 1;
  if (delta && reference >= 0) return Math.max(above, into[from + n - 1]);
  if (delta && top <= 0) return Math.max(above, into[from]);
  if (!delta && top <= above) return above;
  return largestIn(into, from, from + n, above);
}

/**
 * The largest of `above` and the values of a column laid out as `layout` decoded into `into`, frame by frame as
 * frameLargest finds it. Apart from decodeColumn: the scan it takes rarely (the first frames of a file) reached
 * V8's optimized decodeColumn without type feedback, which made it deoptimize and compile again on the next load.
 */
function columnLargest(into: Uint32Array, layout: ColumnLayout, above: number): number {
  let largest = above;
  for (let f = 0; f < layout.frames.length; f++) {
    const from = f * FRAME_ACCESSES;
    largest = frameLargest(into, from, Math.min(FRAME_ACCESSES, into.length - from), layout.frames[f], largest);
  }
  return largest;
}

/**
 * Decodes a column laid out as `layout` into `into` in plain JavaScript, one value at a time, where the wasm decoder
 * cannot run (see wasmColumns); `fail` reports a value outside the column. Every delta frame's sums are checked.
 */
function decodeColumn(
  words: Int32Array,
  layout: ColumnLayout,
  spec: ColumnSpec,
  into: Column,
  fail: (reason: string) => never,
): void {
  // a 32-bit column is written through an Int32 view (see unpackFrame)
  const into32 = into instanceof Uint32Array ? new Int32Array(into.buffer, into.byteOffset, into.length) : undefined;
  let at = layout.wordsAt / 4;
  let previous = layout.start;
  for (let f = 0; f < layout.frames.length; f++) {
    const { delta, width, reference } = layout.frames[f];
    const from = f * FRAME_ACCESSES;
    const n = Math.min(FRAME_ACCESSES, into.length - from);
    if (delta) {
      at = unpackFrame(words, at, Math.min(width, 32), n, low, 0, 0);
      if (width > 32) at = unpackFrame(words, at, width - 32, n, high, 0, 0);
      if (addDeltas(into, from, n, previous, reference, width > 32, spec.max) < 0)
        fail(problemText(Problem.SumLeaves, spec, f, 0));
    } else {
      // value frames are never wider than 32 bits: only times, which are delta frames, can be
      at = unpackFrame(words, at, width, n, into32 ?? (into as Uint8Array), from, reference);
    }
    previous = into[from + n - 1];
  }
}

/** What the decoder uses of the WebAssembly API (node 20's types declare none of it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The wasm block decoder (wasm/columns.wat) and views of its memory. */
interface WasmBlocks {
  /** Checks the time column of the payload at byte `at` (see columns.wat); returns 0 or a Problem, as `body`. */
  head: (at: number, bytes: number, count: number) => number;
  /** Decodes the payload `head` checked into the columns at these bytes; returns 0 or a Problem (see `result`). */
  body: (at: number, bytes: number, count: number, above: number, time: number, page: number, write: number) => number;
  memory: Uint8Array;
  /** Room for one column pool at a time: where, how large, whether leased. */
  arena: { at: number; bytes: number; leased: boolean };
  /** Room to read files into: loadTrace's buffer, then the two of the stream holding the arena. */
  reads: Uint8Array[];
  /** Where the payload is copied to, and its room there. */
  input: number;
  inputBytes: number;
  /** Wide times, then a failure's column and frame; then a failure's value and the largest page. */
  result32: Int32Array;
  result64: Float64Array;
  /** The decoded columns (times as u32 or f64, as `result32[0]` says). */
  time32: Uint32Array;
  time64: Float64Array;
  page: Uint32Array;
  write: Uint8Array;
}

/** Which decoder runs: the SIMD module (the scalar one where SIMD is refused), the scalar module, or JavaScript. */
type DecoderChoice = 'wasm' | 'scalar wasm' | 'javascript';

const loaded = new Map<DecoderChoice, WasmBlocks | null>();
let wanted: DecoderChoice = 'wasm';

/**
 * Whether payloads decode through a wasm module (the default) or the plain JavaScript loop, and through which module
 * ('scalar': the one for engines without SIMD), for the tests that check all give the same columns and messages;
 * returns whether a wasm module is then in use.
 */
export function decodeWithWasm(wasm: boolean | 'scalar'): boolean {
  wanted = wasm === 'scalar' ? 'scalar wasm' : wasm ? 'wasm' : 'javascript';
  return wasmBlocks() !== null;
}

/** A module's bytes: node's Buffer decodes base64 natively (0.25 ms), a loop over atob's string takes 3 ms. */
function wasmBytes(base64: string): Uint8Array {
  const nodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: string): Uint8Array } }).Buffer;
  if (nodeBuffer) return nodeBuffer.from(base64, 'base64');
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The wasm block decoder, instantiated on first use: the SIMD module, or where the engine refuses SIMD (an x86
 * without SSE4.1) the same decoder without it (JavaScript's loop took 10x its CPU there); null where neither can run:
 * no WebAssembly (node --jitless, a page whose Content-Security-Policy refuses to compile it), or a big-endian
 * machine (the module's words are little-endian, typed arrays the machine's). Its memory is fixed (a block's payload
 * and columns), so the views of it stay valid.
 */
function wasmBlocks(): WasmBlocks | null {
  if (wanted === 'javascript') return null;
  let blocks = loaded.get(wanted);
  if (blocks === undefined) {
    const modules = wanted === 'wasm' ? [COLUMNS_WASM, COLUMNS_WASM_SCALAR] : [COLUMNS_WASM_SCALAR];
    blocks = null;
    for (const module of modules) if (blocks === null) blocks = instantiate(module);
    loaded.set(wanted, blocks);
  }
  return blocks;
}

/** The module of these base64 bytes instantiated with views of its memory, or null where it cannot run. */
function instantiate(base64: string): WasmBlocks | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!api || !LITTLE_ENDIAN) return null;
  let exports: Record<string, unknown>;
  try {
    exports = new api.Instance(new api.Module(wasmBytes(base64)), {}).exports;
  } catch {
    return null;
  }
  const buffer = (exports.memory as { buffer: ArrayBuffer }).buffer;
  const at = (name: string) => (exports[name] as { value: number }).value;
  const accesses = at('OUT_ACCESSES');
  return {
    head: exports.head as WasmBlocks['head'],
    body: exports.body as WasmBlocks['body'],
    memory: new Uint8Array(buffer),
    arena: { at: at('ARENA'), bytes: at('ARENA_BYTES'), leased: false },
    reads: [0, 1, 2].map((i) => new Uint8Array(buffer, at('READ') + (i * at('READ_BYTES')) / 3, at('READ_BYTES') / 3)),
    input: at('IN'),
    inputBytes: at('IN_BYTES'),
    result32: new Int32Array(buffer, at('RESULT'), 3),
    result64: new Float64Array(buffer, at('RESULT') + 16, 2),
    time32: new Uint32Array(buffer, at('OUT_TIME'), accesses),
    time64: new Float64Array(buffer, at('OUT_TIME'), accesses),
    page: new Uint32Array(buffer, at('OUT_PAGE'), accesses),
    write: new Uint8Array(buffer, at('OUT_WRITE'), accesses),
  };
}

/**
 * Room in the wasm module's memory for a column pool's sets, so that blocks decode in place instead of being copied out
 * (a tenth of a warmed stream's CPU): `take` hands out byte offsets of `buffer`, undefined once full; `close` gives
 * the room back. One lease at a time (a second stream's pool gets none and its blocks are copied): the columns of
 * a lease's chunks are overwritten by the next lease's.
 */
export interface ColumnArena {
  readonly buffer: ArrayBuffer;
  /** Two buffers to read the stream's file into, in turn: payloads read there decode without a copy. */
  readonly reads: Uint8Array[];
  take(bytes: number): number | undefined;
  close(): void;
}

/**
 * A buffer in the wasm module's memory for the synchronous `loadTrace` to read its file into (nothing else can decode
 * while it runs): payloads read there decode without a copy. Undefined where the wasm decoder does not run.
 */
export function loadReadBuffer(): Uint8Array | undefined {
  return wasmBlocks()?.reads[0];
}

/** The wasm memory's arena, when the wasm decoder runs and no other pool holds it. */
export function leaseColumnArena(): ColumnArena | undefined {
  const wasm = wasmBlocks();
  if (!wasm || wasm.arena.leased) return undefined;
  const arena = wasm.arena;
  arena.leased = true;
  let next = arena.at;
  let open = true;
  return {
    buffer: wasm.memory.buffer,
    reads: wasm.reads.slice(1),
    take(bytes) {
      // 8-byte aligned for 64-bit times
      const at = next;
      if (!open || at + bytes > arena.at + arena.bytes) return undefined;
      next = (at + bytes + 7) & ~7;
      return at;
    },
    close() {
      if (open) arena.leased = open = false;
    },
  };
}

/**
 * decodePackedPayload through the wasm module (the payload copied into its memory unless read there): the time
 * column's header first (whether the times are wide decides the
 * columns), then the rest in one call, into the columns themselves when they lie in the module's memory (a leased
 * arena), else into its own, copied out.
 */
function decodeInWasm(
  wasm: WasmBlocks,
  payload: Uint8Array,
  count: number,
  fail: (reason: string) => never,
  allocate: ColumnAllocator,
  largest?: LargestPage,
): DecodedColumns {
  // a payload read into the module's memory decodes where it is, if 4-byte aligned as in the file (a read that
  // returned fewer bytes than asked can shift the next ones): the module aligns its words by address
  const read = payload.buffer === wasm.memory.buffer && payload.byteOffset % 4 === 0;
  const at = read ? payload.byteOffset : wasm.input;
  if (!read) wasm.memory.set(payload, at);
  const check = (problem: number) => {
    if (problem !== 0) fail(problemText(problem, SPECS[wasm.result32[1]], wasm.result32[2], wasm.result64[0]));
  };
  check(wasm.head(at, payload.length, count));
  const wide = wasm.result32[0] !== 0;
  const columns = allocate(count, wide);
  const { time, page, write } = columns;
  const inPlace = (column: Column) => column.buffer === wasm.memory.buffer;
  // a time column in place is the one asked for (a pool's); one of 64 bits given for times that fit 32 is not
  const timeInPlace = inPlace(time) && time instanceof (wide ? Float64Array : Uint32Array);
  const timeAt = timeInPlace ? time.byteOffset : wasm.time32.byteOffset;
  const pageAt = inPlace(page) ? page.byteOffset : wasm.page.byteOffset;
  const writeAt = inPlace(write) ? write.byteOffset : wasm.write.byteOffset;
  check(wasm.body(at, payload.length, count, largest ? largest.value : -1, timeAt, pageAt, writeAt));
  if (!timeInPlace) time.set(wide ? wasm.time64.subarray(0, count) : wasm.time32.subarray(0, count));
  if (!inPlace(page)) page.set(wasm.page.subarray(0, count));
  if (!inPlace(write)) write.set(wasm.write.subarray(0, count));
  if (largest) largest.value = wasm.result64[1];
  return columns;
}

/** Where a block of `count` accesses decodes; `wideTimes` when its times may not fit 32 bits. */
export type ColumnAllocator = (count: number, wideTimes: boolean) => DecodedColumns;

/**
 * Columns of `count` accesses, times in 4 bytes unless `wideTimes` (as the in-memory trace keeps them), each on its
 * own memory from `memory`: zeroed unless a caller that writes every value passes memory not zeroed first.
 */
export function columnsOn(
  count: number,
  wideTimes: boolean,
  memory: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
): DecodedColumns {
  return {
    time: wideTimes ? new Float64Array(memory(count * 8), 0, count) : new Uint32Array(memory(count * 4), 0, count),
    page: new Uint32Array(memory(count * 4), 0, count),
    write: new Uint8Array(memory(count), 0, count),
  };
}

/** Fresh zeroed arrays. */
export const freshColumns: ColumnAllocator = (count, wideTimes) => columnsOn(count, wideTimes);

/** A running largest page, raised by each payload decoded with it. */
export interface LargestPage {
  value: number;
}

/**
 * Decodes a version-3 payload of `count` accesses into the columns `allocate` gives (by default fresh
 * ones; a TraceBuilder gives views of its own, saving a copy); raises `largest`, when given, to the largest page.
 * Damage the checksum cannot see (a writer's bug) is reported through `fail`, which throws: a frame wider than
 * its column, values outside it, times that decrease, a payload too short or too long.
 */
export function decodePackedPayload(
  payload: Uint8Array,
  count: number,
  fail: (reason: string) => never,
  allocate: ColumnAllocator = freshColumns,
  largest?: LargestPage,
): DecodedColumns {
  if (payload.length % 4 !== 0) fail(`block payload of ${payload.length} bytes is not whole 32-bit words`);
  // a block the module has no room for (the binary reader's blocks always fit) takes the JavaScript loop
  const wasm = wasmBlocks();
  if (wasm && payload.length <= wasm.inputBytes && count <= wasm.page.length)
    return decodeInWasm(wasm, payload, count, fail, allocate, largest);
  const words = wordsOf(payload);
  // over the payload itself: on a big-endian machine `words` is a byte-swapped copy, unfit for its f64 fields
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const timeLayout = readLayout(view, 0, TIME_COLUMN, count, fail);
  const columns = allocate(count, timeLayout.bound > MAX_COMPACT_TIME);
  decodeColumn(words, timeLayout, TIME_COLUMN, columns.time, fail);
  const pageLayout = readLayout(view, timeLayout.end, PAGE_COLUMN, count, fail);
  decodeColumn(words, pageLayout, PAGE_COLUMN, columns.page, fail);
  if (largest) largest.value = columnLargest(columns.page, pageLayout, largest.value);
  const writeLayout = readLayout(view, pageLayout.end, WRITE_COLUMN, count, fail);
  decodeColumn(words, writeLayout, WRITE_COLUMN, columns.write, fail);
  if (writeLayout.end !== payload.length)
    fail(problemText(Problem.BytesAfter, WRITE_COLUMN, 0, payload.length - writeLayout.end));
  return columns;
}
