import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimInput } from '../../src/migration';
import { predictionMetrics } from '../../src/prefetch';
import { keptTrainedModels, reusingTrainedModels } from '../../src/prefetch/trained-models';
import { generateTrace } from '../../src/trace';

test('runs that reuse a trained PPM model give exactly the results of runs that train their own', () => {
  const traces = [
    generateTrace('zipf', { seed: 'reuse', accesses: 6000, pages: 400 }),
    generateTrace('phased', { seed: 'reuse', accesses: 6000, pages: 500 }),
  ];
  const inputs: SimInput[] = [];
  for (const predictor of ['ppm', 'ppm-delta', 'ppm-hybrid'] as const)
    for (const k of [2, 8])
      for (const push of ['off', 'restart'] as const)
        for (const order of [1, 3])
          inputs.push({
            predictor,
            k,
            push,
            switchover: 2000,
            predictorOptions: { order },
            network: { rttUs: 50 * k },
          });
  inputs.push({ predictor: 'ppm', switchover: 2000, predictorOptions: { training: 'online' } });
  const before = keptTrainedModels();
  for (const trace of traces) {
    const fresh = inputs.map((input) => simulate(trace, input));
    // twice: the first pass trains and keeps, the second starts every run from a kept model
    for (let pass = 0; pass < 2; pass++) {
      const reused = reusingTrainedModels(() => inputs.map((input) => simulate(trace, input)));
      assert.deepEqual(reused, fresh, `${trace.name} pass ${pass}`);
    }
  }
  // per trace: pages and deltas at orders 1 and 3 (online training has no history to train on)
  assert.equal(keptTrainedModels() - before, 8);
  // outside reusingTrainedModels nothing is kept
  simulate(generateTrace('random', { seed: 'alone', accesses: 3000, pages: 300 }), {
    predictor: 'ppm',
    switchover: 900,
  });
  assert.equal(keptTrainedModels() - before, 8);
});

test('a history that begins with a kept one is trained on from its model: results as if trained from the start', () => {
  const trace = generateTrace('phased', { seed: 'prefix', accesses: 8000, pages: 600 });
  const inputs: SimInput[] = [];
  for (const predictor of ['ppm', 'ppm-delta', 'ppm-hybrid'] as const)
    for (const predictorOptions of [{ order: 3 }, { order: 1, training: 'offline' as const }, { maxContexts: 300 }])
      for (const historyWindow of [undefined, 1500])
        // later switchovers extend earlier histories (a window of 1500 slides instead); the last one goes back
        for (const at of [1000, 2600, 2600, 5200, 2600])
          inputs.push({
            predictor,
            switchover: trace.time[at],
            k: 4,
            predictorOptions: { ...predictorOptions, historyWindow },
          });
  const fresh = inputs.map((input) => simulate(trace, input));
  const reused = reusingTrainedModels(() => inputs.map((input) => simulate(trace, input)));
  assert.deepEqual(reused, fresh);
  // the model itself: a random trace's deltas are new strings nearly every time, so its size counts every update
  const random = generateTrace('random', { seed: 'prefix', accesses: 20_000, pages: 3000 });
  const metrics = (at: number, order: number) =>
    predictionMetrics(random, 'ppm-delta', { switchover: random.time[at], order });
  const points = [4000, 9000, 15_000].flatMap((at) => [1, 3].map((order) => [at, order] as const));
  const freshMetrics = points.map(([at, order]) => metrics(at, order));
  // the two orders are two models (an option predictionMetrics did not take would leave one)
  assert.notEqual(freshMetrics[0].modelSize, freshMetrics[1].modelSize);
  assert.deepEqual(
    reusingTrainedModels(() => points.map(([at, order]) => metrics(at, order))),
    freshMetrics,
  );
});
