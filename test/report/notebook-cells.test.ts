/**
 * The type check `npm run reproduce` skips. Its kernels run with TSLAB_TRANSPILE_ONLY=1 (tslab patched by
 * patches/tslab+1.0.22.patch): cells are compiled without lib, @types or postcopy-lab's declarations, which saved
 * about 2 CPU s per notebook. Here every code cell of every notebook goes through tslab's converter as a kernel
 * runs it, once with types (a type error fails, naming notebook, cell and line) and once without (the kernel of
 * reproduce must run the same JavaScript).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConverter, type Converter, type ConvertResult } from 'tslab/dist/converter';

const NOTEBOOKS = join(__dirname, '..', '..', 'notebooks');
let typed: Converter;
let untyped: Converter;

before(() => {
  // tslab resolves 'postcopy-lab' and roots its program where the kernel runs: the notebook's directory
  const cwd = process.cwd();
  process.chdir(NOTEBOOKS);
  try {
    typed = createConverter();
    untyped = createConverter({ transpileOnly: true });
  } finally {
    process.chdir(cwd);
  }
});
// the converters watch files: closed, the test process can end
after(() => [typed, untyped].forEach((c) => c?.close()));

/** Converts cells in order as tslab's executor does, each seeing the declarations of the ones before. */
function convertAll(converter: Converter, cells: string[]): ConvertResult[] {
  let declarations = '';
  return cells.map((cell) => {
    const result = converter.convert(declarations, cell);
    declarations = result.declOutput ?? declarations;
    return result;
  });
}

const codeCells = (notebook: string): string[] =>
  JSON.parse(readFileSync(join(NOTEBOOKS, notebook), 'utf8'))
    .cells.filter((c: { cell_type: string }) => c.cell_type === 'code')
    .map((c: { source: string | string[] }) => [c.source].flat().join(''));

const notebooks = readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

test('there are notebooks to check', () => assert.ok(notebooks.length >= 10, notebooks.join(', ')));

// A checkout whose node_modules predate the patch (npm ci not run since) fails the tests below with bare diffs;
// this names the cause. Unpatched, tslab ignores transpileOnly and TSLAB_TRANSPILE_ONLY, and `/** @reset */` (which
// npm run reproduce sends between the notebooks a kernel runs) resets nothing.
test('tslab is patched (patches/tslab+1.0.22.patch, applied by npm ci)', () => {
  const converter = readFileSync(require.resolve('tslab/dist/converter.js'), 'utf8');
  const metadata = readFileSync(require.resolve('tslab/dist/metadata.js'), 'utf8');
  const stale = 'node_modules/tslab is not patched as patches/ says: run `npm ci` (or `npx patch-package`)';
  assert.ok(converter.includes('TSLAB_TRANSPILE_ONLY'), stale);
  assert.ok(metadata.includes('out.reset = true'), stale);
});

for (const notebook of notebooks) {
  test(`${notebook}: every cell type-checks and compiles to the same JavaScript without types`, () => {
    const cells = codeCells(notebook);
    const withTypes = convertAll(typed, cells);
    const errors = withTypes.flatMap((r, i) =>
      r.diagnostics.map((d) => `code cell ${i + 1}, ${d.start.line + 1}:${d.start.character + 1} - ${d.messageText}`),
    );
    assert.deepEqual(errors, [], `type errors in ${notebook}`);
    convertAll(untyped, cells).forEach((r, i) => {
      const typedRun = withTypes[i];
      assert.deepEqual(
        [r.output, r.lastExpressionVar, r.hasToplevelAwait, r.sideOutputs],
        [typedRun.output, typedRun.lastExpressionVar, typedRun.hasToplevelAwait, typedRun.sideOutputs],
        `code cell ${i + 1} of ${notebook}`,
      );
    });
  });
}

test('without types a top-level await, redeclarations and earlier cells compile as with types', () => {
  const cells = [
    'const n = await Promise.resolve(2);\nlet label: string = "x";',
    'const n = 3;\nfunction twice(k: number) { return 2 * k; }\nconst shadow = (label: number) => label + n;',
    'twice(n) + shadow(1) + label.length',
  ];
  const withTypes = convertAll(typed, cells);
  const without = convertAll(untyped, cells);
  assert.deepEqual(
    withTypes.map((r) => r.diagnostics),
    [[], [], []],
  );
  assert.equal(without[0].hasToplevelAwait, true);
  assert.equal(without[2].lastExpressionVar, 'tsLastExpr');
  assert.match(without[2].output!, /exports\.twice\(exports\.n\)/);
  assert.deepEqual(
    without.map((r) => [r.output, r.hasToplevelAwait, r.lastExpressionVar]),
    withTypes.map((r) => [r.output, r.hasToplevelAwait, r.lastExpressionVar]),
  );
});

test('without types a syntax error is still reported, a type error no longer', () => {
  assert.equal(untyped.convert('', 'const x = ;').diagnostics.length, 1);
  assert.match(typed.convert('', 'const y: number = "text";').diagnostics[0].messageText, /not assignable/);
  assert.deepEqual(untyped.convert('', 'const y: number = "text";').diagnostics, []);
});
