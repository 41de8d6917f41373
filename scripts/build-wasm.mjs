// The .pctrace column decoder as WebAssembly, built first by `npm run build` (and so by `npm ci`):
//   src/trace/wasm/columns.wat            hand-written: a column's frame loop, tails, checked sums, one-bit bytes
//   + generated here                      the unrolled unpackers of 32-value groups at each width 0..32 (SIMD to 25)
//   -> src/trace/wasm/columns.generated.ts   the module's bytes as base64 (git-ignored), for tsc and esbuild alike,
//                                            and a scalar module's (no SIMD) for engines that refuse SIMD
// assembled by wabt (a devDependency from the npm registry, WABT compiled to JavaScript: no native toolchain).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let initWabt;
try {
  ({ default: initWabt } = await import('wabt'));
} catch (err) {
  if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error('build-wasm: the wabt package is missing (a devDependency): run `npm install` or `npm ci` first');
  process.exit(2);
}

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const dir = join(root, 'src', 'trace', 'wasm');

/**
 * The unpacker of groups of 32 values at `width` bits (a group fills exactly `width` words, so every shift, mask and
 * memory offset is a constant): out[i] = base + u[i] for value frames, the running sum base += step + u[i] for delta
 * frames, all in wrapping 32-bit arithmetic. Indexed by the table as width (value) or 33 + width (delta).
 */
function unpacker(width, delta) {
  const mask = width === 32 ? -1 : 2 ** width - 1;
  const lines = [
    `(func $${delta ? 'delta' : 'value'}_${width} (type $unpack)`,
    '(param $in i32) (param $out i32) (param $groups i32) (param $base i32) (param $step i32)',
  ];
  for (let k = 0; k < width; k++) lines.push(`(local $w${k} i32)`);
  lines.push('(block $done (loop $group', '(br_if $done (i32.eqz (local.get $groups)))');
  for (let k = 0; k < width; k++) lines.push(`(local.set $w${k} (i32.load offset=${4 * k} (local.get $in)))`);
  for (let i = 0; i < 32; i++) {
    const bit = i * width;
    const word = bit >>> 5;
    const shift = bit & 31;
    let u = shift === 0 ? `(local.get $w${word})` : `(i32.shr_u (local.get $w${word}) (i32.const ${shift}))`;
    if (shift + width > 32) u = `(i32.or ${u} (i32.shl (local.get $w${word + 1}) (i32.const ${32 - shift})))`;
    if (shift + width !== 32 && width !== 32) u = `(i32.and ${u} (i32.const ${mask}))`;
    if (width === 0) u = '(i32.const 0)';
    const value = delta
      ? `(local.tee $base (i32.add (i32.add (local.get $base) (local.get $step)) ${u}))`
      : `(i32.add (local.get $base) ${u})`;
    lines.push(`(i32.store offset=${4 * i} (local.get $out) ${value})`);
  }
  lines.push(
    `(local.set $in (i32.add (local.get $in) (i32.const ${4 * width})))`,
    '(local.set $out (i32.add (local.get $out) (i32.const 128)))',
    '(local.set $groups (i32.sub (local.get $groups) (i32.const 1)))',
    '(br $group)))',
    ')',
  );
  return lines.join('\n');
}

/** The widest frames the SIMD unpackers take: a value and its bit offset in a byte (up to 7) fit one 32-bit lane. */
const SIMD_WIDEST = 25;

/**
 * The same unpacker with wasm SIMD, 4 values per step: a byte swizzle puts the 4 bytes holding each value in its lane
 * (bytes past the group as zeros), a multiply by 2^(32 - width - offset) shifts each lane left by its own amount
 * (SIMD has no per-lane shift) so that the value's top bit is the lane's, and one shift right by 32 - width leaves
 * the value alone. Delta frames add step + u and sum the 4 lanes (two lane shifts), then the last sum before.
 * Widths 0 (no words: base, or base + k * step) and 1..SIMD_WIDEST; the scalar unpacker above for the rest.
 */
function simdUnpacker(width, delta) {
  const lines = [
    `(func $${delta ? 'delta' : 'value'}_${width} (type $unpack)`,
    '(param $in i32) (param $out i32) (param $groups i32) (param $base i32) (param $step i32)',
    '(local $sum v128) (local $add v128) (local $u v128)',
  ];
  const groupBytes = 4 * width;
  // the 16 bytes from byte `at` of the group: exact loads for groups shorter than 16 bytes
  const window = (at) => {
    if (groupBytes >= 16) return `(v128.load offset=${at} align=1 (local.get $in))`;
    if (width === 1) return '(v128.load32_zero (local.get $in))';
    if (width === 2) return '(v128.load64_zero (local.get $in))';
    return '(v128.load32_lane offset=8 2 (local.get $in) (v128.load64_zero (local.get $in)))';
  };
  if (width === 0) {
    // value: base; delta: base + (i + 1) * step, four lanes further by 4 * step each time
    lines.push(
      delta
        ? '(local.set $sum (i32x4.add (i32x4.splat (local.get $base)) ' +
            '(i32x4.mul (i32x4.splat (local.get $step)) (v128.const i32x4 1 2 3 4))))'
        : '(local.set $sum (i32x4.splat (local.get $base)))',
      '(local.set $add (i32x4.splat (i32.shl (local.get $step) (i32.const 2))))',
    );
  } else {
    lines.push(
      delta ? '(local.set $sum (i32x4.splat (local.get $base)))' : '(local.set $add (i32x4.splat (local.get $base)))',
    );
    if (delta) lines.push('(local.set $add (i32x4.splat (local.get $step)))');
  }
  lines.push('(block $done (loop $group', '(br_if $done (i32.eqz (local.get $groups)))');
  for (let quad = 0; quad < 8; quad++) {
    const store = (value) => lines.push(`(v128.store offset=${16 * quad} align=4 (local.get $out) ${value})`);
    if (width === 0) {
      store('(local.get $sum)');
      if (delta) lines.push('(local.set $sum (i32x4.add (local.get $sum) (local.get $add)))');
      continue;
    }
    const bits = [0, 1, 2, 3].map((lane) => (4 * quad + lane) * width);
    const at = groupBytes >= 16 ? Math.min(bits[0] >>> 3, groupBytes - 16) : 0;
    const indices = bits.flatMap((bit) =>
      [0, 1, 2, 3].map((k) => {
        const byte = (bit >>> 3) + k;
        return byte < groupBytes && byte - at < 16 ? byte - at : 128;
      }),
    );
    const factors = bits.map((bit) => (2 ** (32 - width - (bit & 7))) | 0);
    let u = `(i8x16.swizzle ${window(at)} (v128.const i8x16 ${indices.join(' ')}))`;
    u = `(i32x4.shr_u (i32x4.mul ${u} (v128.const i32x4 ${factors.join(' ')})) (i32.const ${32 - width}))`;
    if (!delta) {
      store(`(i32x4.add (local.get $add) ${u})`);
      continue;
    }
    // step + u in each lane, summed along the lanes, plus the sum before the quad (in every lane of $sum)
    lines.push(`(local.set $u (i32x4.add (local.get $add) ${u}))`);
    const shifted = (lanes) =>
      `(i8x16.shuffle ${Array.from({ length: 16 }, (_, b) => (b < 4 * lanes ? 16 + b : b - 4 * lanes)).join(' ')} ` +
      '(local.get $u) (v128.const i32x4 0 0 0 0))';
    lines.push(`(local.set $u (i32x4.add (local.get $u) ${shifted(1)}))`);
    lines.push(`(local.set $u (i32x4.add (local.get $u) ${shifted(2)}))`);
    lines.push('(local.set $u (i32x4.add (local.get $u) (local.get $sum)))');
    store('(local.get $u)');
    lines.push(
      '(local.set $sum (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $u) (local.get $u)))',
    );
  }
  lines.push(
    `(local.set $in (i32.add (local.get $in) (i32.const ${groupBytes})))`,
    '(local.set $out (i32.add (local.get $out) (i32.const 128)))',
    '(local.set $groups (i32.sub (local.get $groups) (i32.const 1)))',
    '(br $group)))',
    ')',
  );
  return lines.join('\n');
}

/**
 * columns.wat for one module: the lines between `;; simd {` and `;; } scalar {` (or `;; }`) in the SIMD module, those
 * between `;; } scalar {` and `;; }` in the scalar one, for engines without SIMD (an x86 without SSE4.1).
 */
function variant(source, simd) {
  let keep = true;
  return source
    .split('\n')
    .filter((line) => {
      const marker = line.trim();
      if (marker === ';; simd {') keep = simd;
      else if (marker === ';; } scalar {') keep = !simd;
      else if (marker === ';; }') keep = true;
      else return keep;
      return false;
    })
    .join('\n');
}

const widths = Array.from({ length: 33 }, (_, width) => width);
const source = readFileSync(join(dir, 'columns.wat'), 'utf8');
const wabt = await initWabt();

/** The module's bytes: columns.wat's variant with the unrolled unpackers appended, assembled by wabt. */
function assemble(simd) {
  const make = (width, delta) => (simd && width <= SIMD_WIDEST ? simdUnpacker(width, delta) : unpacker(width, delta));
  const generated = [
    ...widths.map((width) => make(width, false)),
    ...widths.map((width) => make(width, true)),
    `(table ${2 * widths.length} funcref)`,
    `(elem (i32.const 0) func ${['value', 'delta'].flatMap((kind) => widths.map((w) => `$${kind}_${w}`)).join(' ')})`,
  ].join('\n');
  const text = variant(source, simd);
  const close = text.lastIndexOf(')');
  const module = wabt.parseWat('columns.wat', `${text.slice(0, close)}\n${generated}\n)\n`, { simd });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  return Buffer.from(buffer).toString('base64');
}

writeFileSync(
  join(dir, 'columns.generated.ts'),
  '// Generated by scripts/build-wasm.mjs from columns.wat (npm run build): do not edit, not committed.\n' +
    `export const COLUMNS_WASM = '${assemble(true)}';\n` +
    '// the same decoder without SIMD, for engines that refuse the module above\n' +
    `export const COLUMNS_WASM_SCALAR = '${assemble(false)}';\n`,
);
