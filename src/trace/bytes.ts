/** Byte arrays joined into one (pure: the browser bundle uses it too). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A copy of `bytes`, never a view: a node Buffer's own `slice` is a view, like `subarray`. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);

/**
 * Cuts bytes fed in any chunking into lines, handing each to `line(bytes, from, to)` without its LF (a CR before
 * it stays). A line split across pieces is joined alone, never the rest of the piece; an unfinished line longer
 * than `maxLineBytes` calls `lineTooLong` with its bytes so far, which throws, so that a file without line ends is
 * refused, not held whole. A base class rather than a callback: each line is one direct call, as the parsers' own
 * loops made it.
 */
export abstract class LineSplitter {
  private carry = EMPTY;

  constructor(private readonly maxLineBytes: number) {}

  protected abstract line(bytes: Uint8Array, from: number, to: number): void;

  protected abstract lineTooLong(partial: Uint8Array): never;

  protected feedLines(data: Uint8Array): void {
    let start = 0;
    if (this.carry.length > 0) {
      const end = data.indexOf(NEWLINE);
      if (end < 0) {
        this.carry = this.hold(concatBytes([this.carry, data]));
        return;
      }
      const joined = concatBytes([this.carry, data.subarray(0, end)]);
      this.carry = EMPTY;
      this.line(joined, 0, joined.length);
      start = end + 1;
    }
    for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
      this.line(data, start, end);
      start = end + 1;
    }
    if (start < data.length) this.carry = this.hold(copyBytes(data.subarray(start)));
  }

  /** Hands over the last line when the input does not end with a line end. */
  protected finishLines(): void {
    const last = this.carry;
    this.carry = EMPTY;
    if (last.length > 0) this.line(last, 0, last.length);
  }

  private hold(partial: Uint8Array): Uint8Array {
    if (partial.length > this.maxLineBytes) this.lineTooLong(partial);
    return partial;
  }
}
