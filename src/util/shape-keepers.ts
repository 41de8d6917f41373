/**
 * Small exercised objects kept alive so that V8 keeps the hidden classes (maps) of the real ones. V8 holds a map
 * only while some object has it, and the optimized code and inline caches that rely on a map are dropped with it
 * (`--trace-deopt-verbose`: "marked for deoptimization, reason: weak objects"): without a keeper, a mark-compact
 * between two runs killed the maps of every per-run object, and the next run was compiled again.
 */
export class ShapeKeepers {
  private readonly kept = new Map<string, unknown>();
  private readonly made = new Map<string, number>();

  /**
   * `renewal` (at least 2): a kind's keeper is remade at the first and every `renewal`-th object of the kind,
   * so it has the maps as the real objects so far left them (a field that took a double gets a new map).
   */
  constructor(private readonly renewal: number) {}

  /** One more real object of `kind` was made: at the first and every `renewal`-th, `makeKeeper` makes its keeper. */
  madeOne(kind: string, makeKeeper: () => unknown): void {
    const made = (this.made.get(kind) ?? 0) + 1;
    this.made.set(kind, made);
    if (made % this.renewal === 1) this.kept.set(kind, makeKeeper());
  }
}
