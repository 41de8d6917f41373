import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimInput } from '../../src/migration';
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
