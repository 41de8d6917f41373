;; A version-3 .pctrace block payload (layout in packed.ts and datasets/README.md) decoded in two calls: `head`
;; checks the time column's header (are the times wide?), `body` the rest, unpacks every frame and finds the page
;; column's largest value. The caller copies the payload to IN (unless it was read into READ), and the columns
;; from OUT_TIME (u32 values, or f64 where RESULT says the times may pass 2^32 - 1), OUT_PAGE (u32) and OUT_WRITE
;; (u8) unless they were its own, in ARENA. scripts/build-wasm.mjs appends the unrolled unpackers of 32-value groups
;; at each width 0..32 ($value_W, $delta_W) and the table that indexes them by width (value) and 33 + width (delta).
;; It builds two modules from this file: the SIMD one keeps what lies between `;; simd {` and `;; } scalar {` (or
;; `;; }`), the scalar one (for engines without SIMD, such as an x86 without SSE4.1) what lies between `;; } scalar {`
;; and `;; }`.
(module
  (type $unpack (func (param $in i32) (param $out i32) (param $groups i32) (param $base i32) (param $step i32)))
  ;; fixed, so that the caller's views of it stay valid: a block of at most 65,536 accesses (a payload of at most
  ;; 11 bytes each plus its headers), its columns decoded, then ARENA and READ (pages untouched cost no memory)
  (memory (export "memory") 410 410)
  (global $LOW i32 (i32.const 1024))
  (global $HIGH i32 (i32.const 5120))
  ;; what a call found: i32 wide times, i32 column and i32 frame of a failure, then f64 a value for its message and
  ;; f64 the largest page (or the largest given, when larger)
  (global $RESULT (export "RESULT") i32 (i32.const 9216))
  (global $IN (export "IN") i32 (i32.const 16384))
  (global (export "IN_BYTES") i32 (i32.const 786432))
  (global $OUT_TIME (export "OUT_TIME") i32 (i32.const 802816))
  (global $OUT_PAGE (export "OUT_PAGE") i32 (i32.const 1327104))
  (global $OUT_WRITE (export "OUT_WRITE") i32 (i32.const 1589248))
  (global (export "OUT_ACCESSES") i32 (i32.const 65536))
  ;; room for one column pool's sets at a time (packed.ts leaseColumnArena), decoded in place: 2^21 accesses of 9
  ;; bytes (times and pages in 4, writes in 1); a stream's pool holds one block's set, a new one each time a block
  ;; is larger than any before; sets past it (times in 8 bytes, sets grown) are plain arrays, copied into
  (global (export "ARENA") i32 (i32.const 1703936))
  (global (export "ARENA_BYTES") i32 (i32.const 18874368))
  ;; 3 x 2 MiB for reading files into (packed.ts wasmBlocks' reads: loadTrace's buffer and the read-ahead buffers of
  ;; the stream holding the arena; each 1 MiB read lands after room for the unfinished block of the read before,
  ;; io.ts CARRY_BYTES): payloads read there need no copy to IN
  (global (export "READ") i32 (i32.const 20578304))
  (global (export "READ_BYTES") i32 (i32.const 6291456))
  ;; a column's header as $layout read it
  (global $refs (mut i32) (i32.const 0))
  (global $modes (mut i32) (i32.const 0))
  (global $words (mut i32) (i32.const 0))
  (global $frames (mut i32) (i32.const 0))
  (global $start (mut f64) (f64.const 0))
  (global $bound (mut f64) (f64.const 0))
  (global $end (mut i32) (i32.const 0))
  ;; 2^width - 1 as a double: the largest u a frame of that width holds
  (func $top (param $width i32) (result f64)
    (f64.sub (f64.convert_i64_u (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $width)))) (f64.const 1)))

  ;; Number.isSafeInteger
  (func $safe (param $x f64) (result i32)
    (i32.and (f64.eq (f64.trunc (local.get $x)) (local.get $x))
      (f64.le (f64.abs (local.get $x)) (f64.const 9007199254740991))))

  ;; A failure: its code (returned), column, frame and value, for the caller's message.
  (func $fail (param $code i32) (param $column i32) (param $frame i32) (param $value f64) (result i32)
    (i32.store offset=4 (global.get $RESULT) (local.get $column))
    (i32.store offset=8 (global.get $RESULT) (local.get $frame))
    (f64.store offset=16 (global.get $RESULT) (local.get $value))
    (local.get $code))

  ;; values first..n-1 of a frame one by one into 32-bit out[]: base + u, or when $delta the running sum from base
  ;; (the value before the frame's first) by step + u
  (func $tail (param $in i32) (param $width i32) (param $first i32) (param $n i32) (param $out i32)
    (param $base i32) (param $step i32) (param $delta i32)
    (local $i i32) (local $bit i32) (local $word i32) (local $shift i32) (local $u i32) (local $mask i32)
    (local $value i32)
    (if (i32.ge_u (local.get $first) (local.get $n)) (then (return)))
    (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $width)) (i32.const 1)))
    (if (i32.eq (local.get $width) (i32.const 32)) (then (local.set $mask (i32.const -1))))
    (local.set $value (local.get $base))
    (if (i32.gt_u (local.get $first) (i32.const 0))
      (then (local.set $value
        (i32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $first) (i32.const 1)) (i32.const 2)))))))
    (local.set $i (local.get $first))
    (local.set $bit (i32.mul (local.get $first) (local.get $width)))
    (loop $next
      (local.set $word (i32.add (local.get $in) (i32.shl (i32.shr_u (local.get $bit) (i32.const 5)) (i32.const 2))))
      (local.set $shift (i32.and (local.get $bit) (i32.const 31)))
      (local.set $u (i32.const 0))
      (if (local.get $width) (then
        (local.set $u (i32.shr_u (i32.load (local.get $word)) (local.get $shift)))
        (if (i32.gt_u (i32.add (local.get $shift) (local.get $width)) (i32.const 32)) (then
          (local.set $u (i32.or (local.get $u)
            (i32.shl (i32.load offset=4 (local.get $word)) (i32.sub (i32.const 32) (local.get $shift)))))))))
      (local.set $u (i32.and (local.get $u) (local.get $mask)))
      (local.set $value (if (result i32) (local.get $delta)
        (then (i32.add (i32.add (local.get $value) (local.get $step)) (local.get $u)))
        (else (i32.add (local.get $base) (local.get $u)))))
      (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $value))
      (local.set $bit (i32.add (local.get $bit) (local.get $width)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))

  ;; a frame of n values at width <= 32 into 32-bit out[]: unrolled groups of 32, then the rest; returns the word after
  (func $frame32 (param $in i32) (param $width i32) (param $n i32) (param $out i32) (param $base i32) (param $step i32)
    (param $delta i32) (result i32)
    (local $groups i32)
    (local.set $groups (i32.shr_u (local.get $n) (i32.const 5)))
    (call_indirect (type $unpack) (local.get $in) (local.get $out) (local.get $groups) (local.get $base)
      (local.get $step) (i32.add (local.get $width) (select (i32.const 33) (i32.const 0) (local.get $delta))))
    (call $tail (local.get $in) (local.get $width) (i32.shl (local.get $groups) (i32.const 5)) (local.get $n)
      (local.get $out) (local.get $base) (local.get $step) (local.get $delta))
    (i32.add (local.get $in)
      (i32.shl (i32.shr_u (i32.add (i32.mul (local.get $n) (local.get $width)) (i32.const 31)) (i32.const 5))
        (i32.const 2))))

  ;; a one-bit frame of n values into bytes: 32 per word with SIMD (16 lanes at a time; the scalar module's a bit at a
  ;; time), then the rest one by one
  (func $bits (param $in i32) (param $n i32) (param $out i32)
    (local $end i32) (local $i i32)
    ;; simd {
    (local $bytes v128)
    ;; }
    (local.set $end (i32.add (local.get $in) (i32.shl (i32.shr_u (local.get $n) (i32.const 5)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
      ;; simd {
      ;; each of the word's 4 bytes into 8 lanes, each lane's own bit kept, then 0 or 1 (the unsigned minimum with 1)
      (local.set $bytes (v128.load32_splat (local.get $in)))
      (v128.store offset=0 align=1 (local.get $out) (i8x16.min_u (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
        (v128.and (v128.const i8x16 1 2 4 8 16 32 64 128 1 2 4 8 16 32 64 128)
          (i8x16.swizzle (local.get $bytes) (v128.const i8x16 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1)))))
      (v128.store offset=16 align=1 (local.get $out) (i8x16.min_u (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
        (v128.and (v128.const i8x16 1 2 4 8 16 32 64 128 1 2 4 8 16 32 64 128)
          (i8x16.swizzle (local.get $bytes) (v128.const i8x16 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3)))))
      ;; } scalar {
      (local.set $i (i32.const 0))
      (loop $bit
        (i32.store8 (i32.add (local.get $out) (local.get $i))
          (i32.and (i32.shr_u (i32.load (local.get $in)) (local.get $i)) (i32.const 1)))
        (br_if $bit (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 32))))
      ;; }
      (local.set $in (i32.add (local.get $in) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 32)))
      (br $next)))
    (local.set $i (i32.and (local.get $n) (i32.const -32)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (local.get $out) (i32.and (local.get $i) (i32.const 31)))
        (i32.and (i32.shr_u (i32.load (local.get $in)) (i32.and (local.get $i) (i32.const 31))) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))

  ;; Reads and checks the header of column $column (0 time, 1 page, 2 write) of `count` accesses at byte $at of the
  ;; payload ending at $limit, as packed.ts readLayout does, into the globals above; returns 0 or a failure code:
  ;; 1 payload ends inside the column, 2 bad start, 3 bad width or reserved bit 6 set (the mode byte but bit 7 its
  ;; value), 4 bad reference, 5 a frame of a kind the column does not have, 6 a negative time step, 7 a value frame
  ;; whose values can leave the column.
  (func $layout (param $at i32) (param $limit i32) (param $count i32) (param $column i32) (param $max f64)
    (param $widest i32) (result i32)
    (local $f i32) (local $n i32) (local $mode i32) (local $width i32) (local $delta i32) (local $reference f64)
    (local $top f64) (local $end i32)
    (global.set $frames (i32.shr_u (i32.add (local.get $count) (i32.const 1023)) (i32.const 10)))
    (global.set $refs (i32.add (local.get $at) (i32.const 8)))
    (global.set $modes (i32.add (global.get $refs) (i32.shl (global.get $frames) (i32.const 3))))
    (global.set $words (i32.and (i32.add (i32.add (global.get $modes) (global.get $frames)) (i32.const 3))
      (i32.const -4)))
    (if (i32.gt_u (global.get $words) (local.get $limit))
      (then (return (call $fail (i32.const 1) (local.get $column) (i32.const 0) (f64.const 0)))))
    (global.set $start (f64.load (local.get $at)))
    (if (i32.or (i32.eqz (call $safe (global.get $start)))
          (i32.or (f64.lt (global.get $start) (f64.const 0)) (f64.gt (global.get $start) (local.get $max))))
      (then (return (call $fail (i32.const 2) (local.get $column) (i32.const 0) (global.get $start)))))
    (local.set $end (global.get $words))
    (global.set $bound (global.get $start))
    (block $done (loop $frame
      (br_if $done (i32.ge_u (local.get $f) (global.get $frames)))
      (local.set $n (i32.sub (local.get $count) (i32.shl (local.get $f) (i32.const 10))))
      (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
      (local.set $mode (i32.load8_u (i32.add (global.get $modes) (local.get $f))))
      (local.set $width (i32.and (local.get $mode) (i32.const 63)))
      (local.set $delta (i32.shr_u (local.get $mode) (i32.const 7)))
      (local.set $reference (f64.load (i32.add (global.get $refs) (i32.shl (local.get $f) (i32.const 3)))))
      (if (i32.or (i32.and (local.get $mode) (i32.const 64)) (i32.gt_u (local.get $width) (local.get $widest)))
        (then (return (call $fail (i32.const 3) (local.get $column) (local.get $f)
          (f64.convert_i32_u (i32.and (local.get $mode) (i32.const 127)))))))
      (if (i32.or (i32.eqz (call $safe (local.get $reference)))
            (f64.gt (f64.abs (local.get $reference)) (local.get $max)))
        (then (return (call $fail (i32.const 4) (local.get $column) (local.get $f) (local.get $reference)))))
      ;; times are delta frames only, writes value frames only
      (if (i32.and (i32.eqz (local.get $column)) (i32.eqz (local.get $delta)))
        (then (return (call $fail (i32.const 5) (local.get $column) (local.get $f) (f64.const 0)))))
      (if (i32.and (i32.eq (local.get $column) (i32.const 2)) (local.get $delta))
        (then (return (call $fail (i32.const 5) (local.get $column) (local.get $f) (f64.const 1)))))
      ;; times never decrease: their steps are at least 0
      (if (i32.and (i32.and (local.get $delta) (i32.eqz (local.get $column)))
            (f64.lt (local.get $reference) (f64.const 0)))
        (then (return (call $fail (i32.const 6) (local.get $column) (local.get $f) (local.get $reference)))))
      (local.set $top (f64.add (local.get $reference) (call $top (local.get $width))))
      (if (i32.and (i32.eqz (local.get $delta))
            (i32.or (f64.lt (local.get $reference) (f64.const 0)) (f64.gt (local.get $top) (local.get $max))))
        (then (return (call $fail (i32.const 7) (local.get $column) (local.get $f) (f64.const 0)))))
      (global.set $bound (if (result f64) (local.get $delta)
        (then (f64.add (global.get $bound) (f64.mul (f64.convert_i32_u (local.get $n))
          (f64.add (f64.max (local.get $reference) (f64.const 0)) (call $top (local.get $width))))))
        (else (f64.max (global.get $bound) (local.get $top)))))
      ;; the frame's words: its low 32 bits, then the bits above
      (local.set $end (i32.add (local.get $end) (i32.shl (i32.add
        (i32.shr_u (i32.add (i32.mul (local.get $n) (select (i32.const 32) (local.get $width)
          (i32.gt_u (local.get $width) (i32.const 32)))) (i32.const 31)) (i32.const 5))
        (i32.shr_u (i32.add (i32.mul (local.get $n) (select (i32.sub (local.get $width) (i32.const 32)) (i32.const 0)
          (i32.gt_u (local.get $width) (i32.const 32)))) (i32.const 31)) (i32.const 5))) (i32.const 2))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $frame)))
    (if (i32.gt_u (local.get $end) (local.get $limit))
      (then (return (call $fail (i32.const 1) (local.get $column) (i32.const 0) (f64.const 0)))))
    (global.set $end (local.get $end))
    (i32.const 0))

  ;; step + u of value i of the frame unpacked to LOW (and its bits above 32 to HIGH when $wide): exact, as a double
  (func $step (param $i i32) (param $wide i32) (param $reference f64) (result f64)
    (local $u f64)
    (local.set $u (f64.convert_i32_u (i32.load (i32.add (global.get $LOW) (i32.shl (local.get $i) (i32.const 2))))))
    (if (local.get $wide) (then
      (local.set $u (f64.add (local.get $u) (f64.mul (f64.const 4294967296)
        (f64.convert_i32_u (i32.load (i32.add (global.get $HIGH) (i32.shl (local.get $i) (i32.const 2))))))))))
    (f64.add (local.get $reference) (local.get $u)))

  ;; Decodes the column $layout read last (`count` accesses) to $out: $kind 0 u32 values, 1 f64 values, 2 bytes.
  ;; Delta frames whose sums could leave [0, $max] are checked value by value; returns 0, or 8 (a value leaves the
  ;; column) with the failing frame.
  (func $column (param $column i32) (param $count i32) (param $kind i32) (param $max f64) (param $out i32)
    (result i32)
    (local $f i32) (local $from i32) (local $n i32) (local $mode i32) (local $width i32) (local $reference f64)
    (local $previous f64) (local $top f64) (local $at i32) (local $words i32)
    (local.set $words (global.get $words))
    (local.set $previous (global.get $start))
    (block $done (loop $frame
      (br_if $done (i32.ge_u (local.get $f) (global.get $frames)))
      (local.set $from (i32.shl (local.get $f) (i32.const 10)))
      (local.set $n (i32.sub (local.get $count) (local.get $from)))
      (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
      (local.set $mode (i32.load8_u (i32.add (global.get $modes) (local.get $f))))
      (local.set $width (i32.and (local.get $mode) (i32.const 63)))
      (local.set $reference (f64.load (i32.add (global.get $refs) (i32.shl (local.get $f) (i32.const 3)))))
      (local.set $top (call $top (local.get $width)))
      (block $written (block $decoded
        (if (i32.eq (local.get $kind) (i32.const 2)) (then
          ;; a write frame: width 0 (all its reference) or 1 (reference 0), as $layout checked
          (local.set $at (i32.add (local.get $out) (local.get $from)))
          (if (i32.eqz (local.get $width))
            (then (memory.fill (local.get $at) (i32.trunc_sat_f64_u (local.get $reference)) (local.get $n)))
            (else (call $bits (local.get $words) (local.get $n) (local.get $at))))
          (local.set $words (i32.add (local.get $words)
            (i32.shl (i32.shr_u (i32.add (i32.mul (local.get $n) (local.get $width)) (i32.const 31)) (i32.const 5))
              (i32.const 2))))
          (br $written)))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $from) (i32.const 2))))
        (if (i32.eqz (i32.and (local.get $mode) (i32.const 128))) (then
          ;; a value frame (pages only: never wider than 32 bits): reference + u, inside the column ($layout)
          (local.set $words (call $frame32 (local.get $words) (local.get $width) (local.get $n) (local.get $at)
            (i32.trunc_sat_f64_u (local.get $reference)) (i32.const 0) (i32.const 0)))
          (br $decoded)))
        ;; a delta frame whose sums stay in [0, min($max, 2^32 - 1)] whatever its bits: unchecked into u32 (its
        ;; step wrapped to 32 bits: a frame of one access may step by 2^31 or more, which a saturating i32 loses)
        (if (i32.and (i32.and (i32.eqz (local.get $kind)) (i32.le_u (local.get $width) (i32.const 32)))
              (i32.and
                (f64.ge (f64.add (local.get $previous)
                  (f64.mul (f64.convert_i32_u (local.get $n)) (f64.min (local.get $reference) (f64.const 0))))
                  (f64.const 0))
                (f64.le (f64.add (local.get $previous)
                  (f64.mul (f64.convert_i32_u (local.get $n))
                    (f64.add (f64.max (local.get $reference) (f64.const 0)) (local.get $top))))
                  (f64.min (local.get $max) (f64.const 4294967295))))) (then
          (local.set $words (call $frame32 (local.get $words) (local.get $width) (local.get $n) (local.get $at)
            (i32.trunc_sat_f64_u (local.get $previous)) (i32.wrap_i64 (i64.trunc_sat_f64_s (local.get $reference)))
            (i32.const 1)))
          (br $decoded)))
        ;; else each sum checked ($sums)
        (local.set $words (call $sums (local.get $column) (local.get $f) (local.get $kind) (local.get $max)
          (local.get $out) (local.get $from) (local.get $n) (local.get $width) (local.get $reference)
          (local.get $previous) (local.get $top) (local.get $words)))
        (if (i32.eqz (local.get $words)) (then (return (i32.const 8))))
        )
      ;; the value before the next frame's first (write frames need none: they are value frames)
      (local.set $previous
        (if (result f64) (i32.eq (local.get $kind) (i32.const 1))
          (then (f64.load (i32.add (local.get $out)
            (i32.shl (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 1)) (i32.const 3)))))
          (else (f64.convert_i32_u (i32.load (i32.add (local.get $out)
            (i32.shl (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 1)) (i32.const 2)))))))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $frame)))
    (i32.const 0))

  ;; A delta frame whose sums are checked (or, for 64-bit times that cannot leave [0, $max], summed four at a time):
  ;; its bits (low 32, then the high ones) unpacked to LOW and HIGH first; returns the word after the frame, or 0
  ;; when a value leaves the column. Apart from $column, which every frame passes through: V8 compiles a function
  ;; again with TurboFan once it has run hot, and these paths (hot only where times or walks can leave their
  ;; column) made that compile of $column the largest of the module's (a fresh process's first stream paid it).
  (func $sums (param $column i32) (param $f i32) (param $kind i32) (param $max f64) (param $out i32) (param $from i32)
    (param $n i32) (param $width i32) (param $reference f64) (param $previous f64) (param $top f64) (param $words i32)
    (result i32)
    (local $at i32) (local $i i32) (local $value f64) (local $wide i32)
    ;; simd {
    (local $sums v128) (local $t v128) (local $u2 v128) (local $least v128) (local $most v128)
    ;; }
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $from) (i32.const 2))))
    (local.set $wide (i32.gt_u (local.get $width) (i32.const 32)))
    (local.set $words (call $frame32 (local.get $words)
      (select (i32.const 32) (local.get $width) (local.get $wide)) (local.get $n) (global.get $LOW)
      (i32.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $wide) (then
      (local.set $words (call $frame32 (local.get $words) (i32.sub (local.get $width) (i32.const 32))
        (local.get $n) (global.get $HIGH) (i32.const 0) (i32.const 0) (i32.const 0)))))
    ;; simd {
    ;; 64-bit times (steps >= 0, as $layout checked) whose sums stay in [0, $max] whatever the bits: every partial
    ;; sum is a whole number of at most 2^53, exact in any order, so four values go at a time unchecked
    ;; ([t0, t0 + t1] and [t2, t2 + t3], the second pair then added t0 + t1, both then the running sum): one
    ;; addition and one shuffle on the sum's chain per four values
    (if (i32.and (i32.eq (local.get $kind) (i32.const 1))
          (f64.le (f64.add (local.get $previous)
            (f64.mul (f64.convert_i32_u (local.get $n)) (f64.add (local.get $reference) (local.get $top))))
            (local.get $max))) (then
      (local.set $sums (f64x2.splat (local.get $previous)))
      (local.set $i (i32.const 0))
      (block $quads (loop $quad
        (br_if $quads (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $t (f64x2.add (f64x2.splat (local.get $reference)) (f64x2.add
          (f64x2.convert_low_i32x4_u
            (v128.load64_zero offset=0 (i32.add (global.get $LOW) (i32.shl (local.get $i) (i32.const 2)))))
          (if (result v128) (local.get $wide)
            (then (f64x2.mul (f64x2.splat (f64.const 4294967296)) (f64x2.convert_low_i32x4_u
              (v128.load64_zero offset=0 (i32.add (global.get $HIGH) (i32.shl (local.get $i) (i32.const 2)))))))
            (else (v128.const i64x2 0 0))))))
        (local.set $u2 (f64x2.add (f64x2.splat (local.get $reference)) (f64x2.add
          (f64x2.convert_low_i32x4_u
            (v128.load64_zero offset=8 (i32.add (global.get $LOW) (i32.shl (local.get $i) (i32.const 2)))))
          (if (result v128) (local.get $wide)
            (then (f64x2.mul (f64x2.splat (f64.const 4294967296)) (f64x2.convert_low_i32x4_u
              (v128.load64_zero offset=8 (i32.add (global.get $HIGH) (i32.shl (local.get $i) (i32.const 2)))))))
            (else (v128.const i64x2 0 0))))))
        (local.set $t (f64x2.add (local.get $t)
          (i8x16.shuffle 16 17 18 19 20 21 22 23 0 1 2 3 4 5 6 7 (local.get $t) (v128.const i64x2 0 0))))
        (local.set $u2 (f64x2.add (local.get $u2)
          (i8x16.shuffle 16 17 18 19 20 21 22 23 0 1 2 3 4 5 6 7 (local.get $u2) (v128.const i64x2 0 0))))
        (local.set $u2 (f64x2.add (local.get $u2)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $t) (local.get $t))))
        (local.set $at
          (i32.add (local.get $out) (i32.shl (i32.add (local.get $from) (local.get $i)) (i32.const 3))))
        (v128.store align=8 (local.get $at) (f64x2.add (local.get $sums) (local.get $t)))
        (local.set $u2 (f64x2.add (local.get $sums) (local.get $u2)))
        (v128.store offset=16 align=8 (local.get $at) (local.get $u2))
        (local.set $sums
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $u2) (local.get $u2)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quad)))
      ;; the last 0-3 values
      (local.set $value (f64x2.extract_lane 0 (local.get $sums)))
      (block $tail (loop $one
        (br_if $tail (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $value
          (f64.add (local.get $value) (call $step (local.get $i) (local.get $wide) (local.get $reference))))
        (f64.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $from) (local.get $i)) (i32.const 3)))
          (local.get $value))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
      (return (local.get $words))))
    ;; two values at a time: step + u apart from the running sum, [t0, t0 + t1] added to it, so that the sum takes
    ;; one addition per two values (a shorter chain), the lanes' least and largest checked once at the end. The
    ;; same values and the same failing frame as one sum at a time: every term is a whole number of at most
    ;; 2^53 in size, so the sums are exact while they stay in the column, and one that leaves it is still
    ;; outside [0, $max] after rounding
    (local.set $sums (f64x2.splat (local.get $previous)))
    (local.set $least (local.get $sums))
    (local.set $most (local.get $sums))
    (local.set $i (i32.const 0))
    (block $pairs (loop $pair
      (br_if $pairs (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
      (local.set $t (f64x2.convert_low_i32x4_u
        (v128.load64_zero (i32.add (global.get $LOW) (i32.shl (local.get $i) (i32.const 2))))))
      (if (local.get $wide) (then
        (local.set $t (f64x2.add (local.get $t) (f64x2.mul (f64x2.splat (f64.const 4294967296))
          (f64x2.convert_low_i32x4_u
            (v128.load64_zero (i32.add (global.get $HIGH) (i32.shl (local.get $i) (i32.const 2))))))))))
      (local.set $t (f64x2.add (f64x2.splat (local.get $reference)) (local.get $t)))
      (local.set $t (f64x2.add (local.get $t)
        (i8x16.shuffle 16 17 18 19 20 21 22 23 0 1 2 3 4 5 6 7 (local.get $t) (v128.const i64x2 0 0))))
      (local.set $t (f64x2.add (local.get $sums) (local.get $t)))
      (local.set $least (f64x2.min (local.get $least) (local.get $t)))
      (local.set $most (f64x2.max (local.get $most) (local.get $t)))
      (if (local.get $kind)
        (then (v128.store align=8
          (i32.add (local.get $out) (i32.shl (i32.add (local.get $from) (local.get $i)) (i32.const 3)))
          (local.get $t)))
        (else (v128.store64_lane align=4 0 (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 2)))
          (i32x4.trunc_sat_f64x2_u_zero (local.get $t)))))
      (local.set $sums (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $t) (local.get $t)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $pair)))
    (if (v128.any_true (v128.or (f64x2.lt (local.get $least) (f64x2.splat (f64.const 0)))
          (f64x2.gt (local.get $most) (f64x2.splat (local.get $max)))))
      (then (return (call $failed (local.get $column) (local.get $f)))))
    ;; an odd frame's last value
    (if (i32.lt_u (local.get $i) (local.get $n)) (then
      (local.set $value (f64.add (f64x2.extract_lane 0 (local.get $sums))
        (call $step (local.get $i) (local.get $wide) (local.get $reference))))
      (if (i32.or (f64.lt (local.get $value) (f64.const 0)) (f64.gt (local.get $value) (local.get $max)))
        (then (return (call $failed (local.get $column) (local.get $f)))))
      (if (local.get $kind)
        (then (f64.store
          (i32.add (local.get $out) (i32.shl (i32.add (local.get $from) (local.get $i)) (i32.const 3)))
          (local.get $value)))
        (else (i32.store (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 2)))
          (i32.trunc_sat_f64_u (local.get $value)))))))
    ;; } scalar {
    ;; one value at a time, each sum checked
    (local.set $value (local.get $previous))
    (local.set $i (i32.const 0))
    (block $ones (loop $one
      (br_if $ones (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $value
        (f64.add (local.get $value) (call $step (local.get $i) (local.get $wide) (local.get $reference))))
      (if (i32.or (f64.lt (local.get $value) (f64.const 0)) (f64.gt (local.get $value) (local.get $max)))
        (then (return (call $failed (local.get $column) (local.get $f)))))
      (if (local.get $kind)
        (then (f64.store
          (i32.add (local.get $out) (i32.shl (i32.add (local.get $from) (local.get $i)) (i32.const 3)))
          (local.get $value)))
        (else (i32.store (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 2)))
          (i32.trunc_sat_f64_u (local.get $value)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $one)))
    ;; }
    (local.get $words))

  ;; failure 8 (a value leaves the column) in frame $f: 0, as $sums returns it
  (func $failed (param $column i32) (param $f i32) (result i32)
    (drop (call $fail (i32.const 8) (local.get $column) (local.get $f) (f64.const 0)))
    (i32.const 0))

  ;; The largest of $above and the u32 column at $out laid out as $layout read last, scanning only the frames whose
  ;; headers leave it open: a delta frame of steps >= 0 ends at its largest, one of steps <= 0 starts there, and no
  ;; value of a value frame exceeds reference + 2^width - 1 (its largest, as version 4's writer picks it).
  (func $largest (param $count i32) (param $out i32) (param $above f64) (result f64)
    (local $f i32) (local $from i32) (local $n i32) (local $mode i32) (local $reference f64) (local $top f64)
    (local $at i32) (local $last i32)
    (block $done (loop $frame
      (br_if $done (i32.ge_u (local.get $f) (global.get $frames)))
      (local.set $from (i32.shl (local.get $f) (i32.const 10)))
      (local.set $n (i32.sub (local.get $count) (local.get $from)))
      (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
      (local.set $mode (i32.load8_u (i32.add (global.get $modes) (local.get $f))))
      (local.set $reference (f64.load (i32.add (global.get $refs) (i32.shl (local.get $f) (i32.const 3)))))
      (local.set $top (f64.add (local.get $reference) (call $top (i32.and (local.get $mode) (i32.const 63)))))
      (local.set $at (i32.add (local.get $out) (i32.shl (local.get $from) (i32.const 2))))
      (local.set $last (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 2))))
      (block $next
        (if (i32.and (local.get $mode) (i32.const 128)) (then
          ;; steps >= 0: the last value; steps <= 0: the first
          (if (f64.ge (local.get $reference) (f64.const 0))
            (then (local.set $at (i32.sub (local.get $last) (i32.const 4))) (local.set $last (local.get $at))))
          (if (f64.le (local.get $top) (f64.const 0))
            (then (local.set $last (local.get $at))))))
        (br_if $next (i32.and (i32.eqz (i32.and (local.get $mode) (i32.const 128)))
          (f64.le (local.get $top) (local.get $above))))
        (local.set $above (call $scan (local.get $at) (local.get $last) (local.get $above))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $frame)))
    (local.get $above))

  ;; The largest of $above and the u32 values from $at up to $last (at least the one at $at): 4 lanes at a time, then
  ;; the rest. Apart from $largest, whose loop over frame headers runs hot (and so is compiled again by TurboFan) while
  ;; it scans few frames: the smaller $largest compiles faster.
  (func $scan (param $at i32) (param $last i32) (param $above f64) (result f64)
    ;; simd {
    (local $lanes v128)
    (local.set $lanes (i32x4.splat (i32.load (local.get $at))))
    (block $whole (loop $quad
      (br_if $whole (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $last)))
      (local.set $lanes (i32x4.max_u (local.get $lanes) (v128.load align=4 (local.get $at))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $quad)))
    (block $scanned (loop $scan
      (br_if $scanned (i32.ge_u (local.get $at) (local.get $last)))
      (local.set $lanes (i32x4.max_u (local.get $lanes) (i32x4.splat (i32.load (local.get $at)))))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $scan)))
    (local.set $lanes (i32x4.max_u (local.get $lanes)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lanes) (local.get $lanes))))
    (local.set $lanes (i32x4.max_u (local.get $lanes)
      (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $lanes) (local.get $lanes))))
    (local.set $above (f64.max (local.get $above) (f64.convert_i32_u (i32x4.extract_lane 0 (local.get $lanes)))))
    ;; } scalar {
    (loop $scan
      (local.set $above (f64.max (local.get $above) (f64.convert_i32_u (i32.load (local.get $at)))))
      (br_if $scan (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 4))) (local.get $last))))
    ;; }
    (local.get $above))

  ;; The time column's header of the payload of $bytes bytes at $in (IN, or where READ put it) holding a block of
  ;; $count accesses (1..65,536): returns 0 with RESULT's wide flag set (whether its times may pass 2^32 - 1), or
  ;; $layout's failure code. The caller then knows which time column to give `body`.
  (func (export "head") (param $in i32) (param $bytes i32) (param $count i32) (result i32)
    (local $code i32)
    (if (local.tee $code (call $layout (local.get $in) (i32.add (local.get $in) (local.get $bytes))
          (local.get $count) (i32.const 0) (f64.const 9007199254740991) (i32.const 53)))
      (then (return (local.get $code))))
    (i32.store (global.get $RESULT) (f64.gt (global.get $bound) (f64.const 4294967295)))
    (i32.const 0))

  ;; The payload `head` checked, decoded: times to $time (f64 values when wide, else u32), pages to $page, writes to
  ;; $write (OUT_TIME, OUT_PAGE, OUT_WRITE, or the caller's columns in ARENA), RESULT's largest page (at least
  ;; $above) set. Returns 0, or a failure code ($layout's, 8 a sum leaving its column, 9 bytes after the last
  ;; column: their number in RESULT).
  (func (export "body") (param $in i32) (param $bytes i32) (param $count i32) (param $above f64) (param $time i32)
    (param $page i32) (param $write i32) (result i32)
    (local $limit i32) (local $code i32)
    (local.set $limit (i32.add (local.get $in) (local.get $bytes)))
    (drop (call $layout (local.get $in) (local.get $limit) (local.get $count) (i32.const 0)
      (f64.const 9007199254740991) (i32.const 53)))
    (if (local.tee $code (call $column (i32.const 0) (local.get $count) (i32.load (global.get $RESULT))
          (f64.const 9007199254740991) (local.get $time)))
      (then (return (local.get $code))))
    (if (local.tee $code (call $layout (global.get $end) (local.get $limit) (local.get $count) (i32.const 1)
          (f64.const 4294967295) (i32.const 32)))
      (then (return (local.get $code))))
    (if (local.tee $code (call $column (i32.const 1) (local.get $count) (i32.const 0) (f64.const 4294967295)
          (local.get $page)))
      (then (return (local.get $code))))
    (f64.store offset=24 (global.get $RESULT) (call $largest (local.get $count) (local.get $page) (local.get $above)))
    (if (local.tee $code (call $layout (global.get $end) (local.get $limit) (local.get $count) (i32.const 2)
          (f64.const 1) (i32.const 1)))
      (then (return (local.get $code))))
    (if (local.tee $code (call $column (i32.const 2) (local.get $count) (i32.const 2) (f64.const 1)
          (local.get $write)))
      (then (return (local.get $code))))
    (if (i32.ne (global.get $end) (local.get $limit))
      (then (return (call $fail (i32.const 9) (i32.const 2) (i32.const 0)
        (f64.convert_i32_u (i32.sub (local.get $limit) (global.get $end)))))))
    (i32.const 0))
)
