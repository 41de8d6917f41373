;; The frame loop of a version-3 .pctrace column (layout in packed.ts and datasets/README.md): one call decodes one
;; column of one block. The caller copies the payload to IN and checks its headers (widths, references, value frames'
;; bounds) first; the column decodes to OUT (u32, f64 or u8 values by kind), from where the caller copies it.
;; scripts/build-wasm.mjs appends the unrolled unpackers of 32-value groups at each width 0..32 ($value_W, $delta_W)
;; and the table that indexes them by width (value) and 33 + width (delta).
(module
  (type $unpack (func (param $in i32) (param $out i32) (param $groups i32) (param $base i32) (param $step i32)))
  ;; fixed, so that the caller's views of it stay valid: a payload (a block of at most 65,536 accesses takes at most
  ;; 11 bytes each plus its headers) and one column of a block in 8-byte values
  (memory (export "memory") 24 24)
  (global $NIBBLES i32 (i32.const 0))
  (global $LOW i32 (i32.const 1024))
  (global $HIGH i32 (i32.const 5120))
  (global (export "IN") i32 (i32.const 16384))
  (global (export "IN_BYTES") i32 (i32.const 786432))
  (global $OUT (export "OUT") i32 (i32.const 802816))
  (global (export "OUT_ACCESSES") i32 (i32.const 65536))
  ;; per 4 bits, the 4 bytes 0 or 1 they unpack to, as little-endian words
  (data (i32.const 0)
    "\00\00\00\00\01\00\00\00\00\01\00\00\01\01\00\00\00\00\01\00\01\00\01\00\00\01\01\00\01\01\01\00"
    "\00\00\00\01\01\00\00\01\00\01\00\01\01\01\00\01\00\00\01\01\01\00\01\01\00\01\01\01\01\01\01\01")

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

  ;; a one-bit frame of n values into bytes: four bytes per 4 bits through the nibble table, then the rest
  (func $bits (param $in i32) (param $n i32) (param $out i32)
    (local $end i32) (local $w i32) (local $i i32)
    (local.set $end (i32.add (local.get $in) (i32.shl (i32.shr_u (local.get $n) (i32.const 5)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
      (local.set $w (i32.load (local.get $in)))
      (i32.store offset=0 (local.get $out) (i32.load (i32.shl (i32.and (local.get $w) (i32.const 15)) (i32.const 2))))
      (i32.store offset=4 (local.get $out)
        (i32.load (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 4)) (i32.const 15)) (i32.const 2))))
      (i32.store offset=8 (local.get $out)
        (i32.load (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 15)) (i32.const 2))))
      (i32.store offset=12 (local.get $out)
        (i32.load (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 12)) (i32.const 15)) (i32.const 2))))
      (i32.store offset=16 (local.get $out)
        (i32.load (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 15)) (i32.const 2))))
      (i32.store offset=20 (local.get $out)
        (i32.load (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 20)) (i32.const 15)) (i32.const 2))))
      (i32.store offset=24 (local.get $out)
        (i32.load (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 24)) (i32.const 15)) (i32.const 2))))
      (i32.store offset=28 (local.get $out)
        (i32.load (i32.shl (i32.shr_u (local.get $w) (i32.const 28)) (i32.const 2))))
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

  ;; One column of `count` accesses in `frames` frames: references (f64) at $refs, modes (u8) at $modes, packed words
  ;; from $words, the first value `start`. $kind: 0 a u32 column, 1 an f64 column, 2 a byte column. Headers are
  ;; checked by the caller (widths, references, value frames' bounds); delta frames whose sums could leave
  ;; [0, $max] are checked value by value. Returns 0, or f + 1 for frame f whose sums leave it.
  (func (export "column") (param $refs i32) (param $modes i32) (param $words i32) (param $frames i32)
    (param $count i32) (param $start f64) (param $kind i32) (param $max f64) (result i32)
    (local $f i32) (local $from i32) (local $n i32) (local $mode i32) (local $width i32) (local $reference f64)
    (local $previous f64) (local $top f64) (local $out i32) (local $i i32) (local $value f64) (local $wide i32)
    (local.set $previous (local.get $start))
    (block $done (loop $frame
      (br_if $done (i32.ge_u (local.get $f) (local.get $frames)))
      (local.set $from (i32.shl (local.get $f) (i32.const 10)))
      (local.set $n (i32.sub (local.get $count) (local.get $from)))
      (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
      (local.set $mode (i32.load8_u (i32.add (local.get $modes) (local.get $f))))
      (local.set $width (i32.and (local.get $mode) (i32.const 63)))
      (local.set $reference (f64.load (i32.add (local.get $refs) (i32.shl (local.get $f) (i32.const 3)))))
      ;; the largest u the frame's width holds: 2^width - 1
      (local.set $top (f64.sub (f64.convert_i64_u (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $width))))
        (f64.const 1)))
      (block $decoded
        (if (i32.eq (local.get $kind) (i32.const 2)) (then
          (local.set $out (i32.add (global.get $OUT) (local.get $from)))
          (if (i32.eqz (local.get $width))
            (then (memory.fill (local.get $out) (i32.trunc_sat_f64_u (local.get $reference)) (local.get $n)))
            (else (call $bits (local.get $words) (local.get $n) (local.get $out))))
          (local.set $words (i32.add (local.get $words)
            (i32.shl (i32.shr_u (i32.add (i32.mul (local.get $n) (local.get $width)) (i32.const 31)) (i32.const 5))
              (i32.const 2))))
          (br $decoded)))
        (local.set $out (i32.add (global.get $OUT) (i32.shl (local.get $from) (i32.const 2))))
        (if (i32.eqz (i32.and (local.get $mode) (i32.const 128))) (then
          ;; a value frame: reference + u, within the column's bounds (checked with the headers)
          (local.set $words (call $frame32 (local.get $words) (local.get $width) (local.get $n) (local.get $out)
            (i32.trunc_sat_f64_u (local.get $reference)) (i32.const 0) (i32.const 0)))
          (br $decoded)))
        ;; a delta frame whose sums stay in [0, min($max, 2^32 - 1)] whatever its bits: unchecked into u32
        (if (i32.and (i32.and (i32.eqz (local.get $kind)) (i32.le_u (local.get $width) (i32.const 32)))
              (i32.and
                (f64.ge (f64.add (local.get $previous)
                  (f64.mul (f64.convert_i32_u (local.get $n)) (f64.min (local.get $reference) (f64.const 0))))
                  (f64.const 0))
                (f64.le (f64.add (local.get $previous)
                  (f64.mul (f64.convert_i32_u (local.get $n))
                    (f64.add (f64.max (local.get $reference) (f64.const 0)) (local.get $top))))
                  (f64.min (local.get $max) (f64.const 4294967295))))) (then
          (local.set $words (call $frame32 (local.get $words) (local.get $width) (local.get $n) (local.get $out)
            (i32.trunc_sat_f64_u (local.get $previous)) (i32.trunc_sat_f64_s (local.get $reference)) (i32.const 1)))
          (br $decoded)))
        ;; else its bits (low 32, then the high ones) unpacked first, each sum checked
        (local.set $wide (i32.gt_u (local.get $width) (i32.const 32)))
        (local.set $words (call $frame32 (local.get $words)
          (select (i32.const 32) (local.get $width) (local.get $wide)) (local.get $n) (global.get $LOW)
          (i32.const 0) (i32.const 0) (i32.const 0)))
        (if (local.get $wide) (then
          (local.set $words (call $frame32 (local.get $words) (i32.sub (local.get $width) (i32.const 32))
            (local.get $n) (global.get $HIGH) (i32.const 0) (i32.const 0) (i32.const 0)))))
        (local.set $value (local.get $previous))
        (local.set $i (i32.const 0))
        (loop $sum
          (local.set $value (f64.add (f64.add (local.get $value) (local.get $reference))
            (f64.convert_i32_u (i32.load (i32.add (global.get $LOW) (i32.shl (local.get $i) (i32.const 2)))))))
          (if (local.get $wide) (then
            (local.set $value (f64.add (local.get $value) (f64.mul (f64.const 4294967296)
              (f64.convert_i32_u (i32.load (i32.add (global.get $HIGH) (i32.shl (local.get $i) (i32.const 2))))))))))
          (if (i32.or (f64.lt (local.get $value) (f64.const 0)) (f64.gt (local.get $value) (local.get $max)))
            (then (return (i32.add (local.get $f) (i32.const 1)))))
          (if (local.get $kind)
            (then (f64.store (i32.add (global.get $OUT) (i32.shl (i32.add (local.get $from) (local.get $i)) (i32.const 3)))
              (local.get $value)))
            (else (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
              (i32.trunc_sat_f64_u (local.get $value)))))
          (br_if $sum (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
      ;; the value before the next frame's first
      (local.set $previous
        (if (result f64) (i32.eq (local.get $kind) (i32.const 1))
          (then (f64.load (i32.add (global.get $OUT)
            (i32.shl (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 1)) (i32.const 3)))))
          (else (f64.convert_i32_u (i32.load (i32.add (global.get $OUT)
            (i32.shl (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 1)) (i32.const 2))))))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $frame)))
    (i32.const 0))
)
