import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { UserError } from '../../src/errors';
import {
  createPredictor,
  declaredOptions,
  definePredictor,
  optionProblem,
  PREDICTOR_NAMES,
  PREDICTORS,
  resolveOptions,
  unreadOptions,
  wholeNumber,
} from '../../src/prefetch';
import { simulate } from '../../src/migration';
import { generateTrace, switchoverAtFraction } from '../../src/trace';
import { flagOf, PREDICTOR_FLAGS, predictorFlagsUsage, predictorOptionsFromFlags } from '../../src/cli/predictor-flags';
import { withPredictorTable } from '../../scripts/predictors-readme';

test('the names come from the registry, one per definition, no duplicates', () => {
  assert.deepEqual(
    PREDICTOR_NAMES,
    PREDICTORS.map((d) => d.name),
  );
  assert.equal(new Set(PREDICTOR_NAMES).size, PREDICTOR_NAMES.length);
});

test('every declared option has a valid default, a flag and a usage line; a shared name has one spec', () => {
  const options = declaredOptions();
  assert.ok(options.length > 0);
  const usage = predictorFlagsUsage(20);
  const words = usage.replace(/\s+/g, ' ');
  for (const { name, spec, predictors } of options) {
    assert.equal(optionProblem(spec, spec.default), undefined, name);
    assert.ok(PREDICTOR_FLAGS[flagOf(name)], name);
    assert.ok(usage.includes(`  --${flagOf(name)} `), name);
    assert.ok(words.includes(`${predictors.join(', ')}: ${spec.help} (default ${spec.default}`), name);
  }
  for (const line of usage.split('\n')) assert.ok(line.length <= 120, line);
  assert.deepEqual(options.find((o) => o.name === 'training')?.predictors, [
    'markov',
    'ppm',
    'ppm-delta',
    'ppm-hybrid',
    'ppm-hybrid-dirty',
    'ppm-order0',
  ]);
  assert.equal(flagOf('maxContexts'), 'max-contexts');
});

test('README.md holds the predictor table generated from the registry (npx tsx scripts/predictors-readme.ts)', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.equal(readme, withPredictorTable(readme));
});

test('createPredictor checks each declared option against its bounds and ignores undeclared ones', () => {
  assert.throws(
    () => createPredictor('leap', { history: 0 }),
    /^UserError: leap option history must be a whole number between 1 and/,
  );
  assert.throws(
    () => createPredictor('ppm', { minProbability: 2 }),
    /ppm option minProbability must be a finite number between 0 and 1, got 2/,
  );
  assert.throws(
    () => createPredictor('ppm', { escape: 'B' as never }),
    /ppm option escape must be one of A, C, D, got "B"/,
  );
  // not-a-number values show as themselves (JSON would print null)
  assert.throws(() => createPredictor('ppm', { order: NaN }), /ppm option order must be .*, got NaN$/);
  assert.throws(() => createPredictor('ppm', { minProbability: Infinity }), /, got Infinity$/);
  assert.equal(createPredictor('next-k', { order: 0 }).name, 'next-k');
});

test('createPredictor refuses an option name that no predictor declares (it was ignored and the default ran)', () => {
  assert.throws(
    () => createPredictor('ppm', { ordre: 1 } as never),
    (err: unknown) =>
      err instanceof UserError &&
      /^unknown predictor option "ordre" \(known: direction, training, .*, trace, firstTouches\)$/.test(err.message),
  );
  // the trace and first touches any predictor may be given, and a name only another predictor declares, are taken
  const trace = generateTrace('zipf', { seed: 'r', accesses: 50, pages: 16 });
  assert.equal(createPredictor('oracle', { trace, firstTouches: new Uint32Array([1]), order: 2 }).name, 'oracle');
});

test('a definition gets its defaults filled and only its own options', () => {
  const seen: object[] = [];
  const probe = definePredictor({
    name: 'probe',
    proposes: 'nothing',
    options: { depth: wholeNumber(4, 1, 9, 'how deep') },
    create(options) {
      seen.push(options);
      return { name: 'probe', observeHistory() {}, onFault: () => [], modelSize: () => options.depth };
    },
  });
  assert.deepEqual(resolveOptions(probe, { other: 1 }), { depth: 4 });
  assert.deepEqual(resolveOptions(probe, { depth: 9 }), { depth: 9 });
  assert.throws(
    () => resolveOptions(probe, { depth: 10 }),
    /probe option depth must be a whole number between 1 and 9, got 10/,
  );
});

test('predictor flags parse with the option bounds and are refused for a predictor that does not declare them', () => {
  assert.deepEqual(predictorOptionsFromFlags({ order: '2', 'min-probability': '0.5', escape: 'D' }, ['ppm']), {
    order: 2,
    minProbability: 0.5,
    escape: 'D',
  });
  assert.deepEqual(predictorOptionsFromFlags({ training: 'online' }, ['none', 'markov']), { training: 'online' });
  assert.throws(() => predictorOptionsFromFlags({ order: '0' }, ['ppm']), /--order must be between 1 and 64, got 0/);
  assert.throws(
    () => predictorOptionsFromFlags({ order: '2' }, ['next-k']),
    /--order is an option of ppm, ppm-delta, ppm-hybrid, ppm-hybrid-dirty, not of next-k/,
  );
});

test('a predictor may give a shared option its own default; usage names it', () => {
  const minProbability = declaredOptions().find((o) => o.name === 'minProbability');
  assert.deepEqual(minProbability?.otherDefaults, [
    { predictor: 'ppm-hybrid', value: 0.5 },
    { predictor: 'ppm-hybrid-dirty', value: 0.5 },
  ]);
  assert.match(predictorFlagsUsage(27).replace(/\s+/g, ' '), /\(default 0, ppm-hybrid 0\.5, ppm-hybrid-dirty 0\.5\)/);
});

test('an option a predictor says it leaves unread changes none of its results; read, it changes them', () => {
  // ppm, ppm-delta and ppm-order0 read history only to train offline: --history-window with --training online was
  // taken and changed nothing (exit 0); ppm-hybrid and phase-bubbling read the window for their bubbling too
  const trace = generateTrace('zipf', { seed: 'unread', accesses: 20_000, pages: 2000 });
  const switchover = switchoverAtFraction(trace, 0.5);
  const results = (predictor: (typeof PREDICTOR_NAMES)[number], training: 'online' | 'both') =>
    [5, undefined].map((historyWindow) =>
      JSON.stringify(
        simulate(trace, { predictor, k: 8, push: 'off', switchover, predictorOptions: { training, historyWindow } }),
      ),
    );
  const unreadOnline = PREDICTOR_NAMES.filter((name) => 'historyWindow' in unreadOptions(name, { training: 'online' }));
  assert.deepEqual(unreadOnline, ['ppm', 'ppm-delta', 'ppm-order0']);
  for (const predictor of unreadOnline) {
    const [small, whole] = results(predictor, 'online');
    assert.equal(small, whole, predictor);
    assert.deepEqual(unreadOptions(predictor, { training: 'both' }), {}, predictor);
    const [smallBoth, wholeBoth] = results(predictor, 'both');
    assert.notEqual(smallBoth, wholeBoth, predictor);
  }
  for (const predictor of ['ppm-hybrid', 'phase-bubbling'] as const) {
    const [small, whole] = results(predictor, 'online');
    assert.notEqual(small, whole, predictor);
  }
});
