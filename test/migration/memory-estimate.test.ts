/**
 * simulationPageBytes, compare's memory estimate (src/cli/simulate.ts passesInMemory), holds every predictor's run
 * in every faulting mode: the array memory a run holds at the end of its trace, before it gives its arrays back, is
 * at most the estimate. A per-page array added to a run without the estimate would fail here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { resolveSimConfig, Simulation, simulationPageBytes, type SimInput } from '../../src/migration';
import { PREDICTOR_NAMES } from '../../src/prefetch';
import { generateTrace, summarizeTrace, wholeTraceChunk } from '../../src/trace';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// over the 8 MiB up to which runs hand their arrays on (page-arrays.ts), so each run makes its own
const VM_PAGES = 2 ** 23 + 1;
const trace = generateTrace('zipf', { seed: 3, accesses: 20_000, pages: 4096, writeRatio: 0.3 });
const summary = summarizeTrace(trace);
/** The arrays not of the VM's size (a predictor's first tables, a skip list's sentinel). */
const SMALL = 2 ** 20;

/** Full collections, each followed by a wait: V8 frees array buffers' memory on another thread after a gc. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((done) => setTimeout(done, 5));
  }
}

/** The bytes of typed arrays a run of `input` holds once it has read the whole trace. */
async function heldBytes(input: SimInput): Promise<number> {
  await settle();
  const before = process.memoryUsage().arrayBuffers;
  const run = new Simulation(summary, input, {}, trace);
  run.feed(wholeTraceChunk(trace));
  await settle();
  const held = process.memoryUsage().arrayBuffers - before;
  run.finish();
  return held;
}

for (const mode of ['postcopy', 'hybrid'] as const) {
  test(`${mode}: every predictor's run holds at most the estimated bytes per VM page`, async () => {
    for (const predictor of PREDICTOR_NAMES) {
      const input: SimInput = {
        mode,
        predictor,
        k: 8,
        switchover: trace.time[8000],
        vmPages: VM_PAGES,
        push: 'sequential',
        zeroPageShare: 0.2,
        // a link fast enough that the hybrid's rounds end within the trace and its post-copy arrays are made
        network: { bandwidthBps: 1e14 },
        instructionsPerSecond: 1e7,
        precopyMaxRounds: 1,
      };
      const estimate = VM_PAGES * simulationPageBytes(resolveSimConfig(summary, input));
      const held = await heldBytes(input);
      assert.ok(held <= estimate + SMALL, `${predictor}: ${held} held, ${estimate} estimated`);
      // the run's own arrays are all of it without a predictor: an estimate far above would refuse runs that fit
      if (predictor === 'none') assert.ok(held >= 0.9 * estimate, `${held} held, ${estimate} estimated`);
    }
  });
}

test('pre-copy holds its rounds and the zero flags', async () => {
  const input: SimInput = { mode: 'precopy', switchover: trace.time[8000], vmPages: VM_PAGES, zeroPageShare: 0.2 };
  const estimate = VM_PAGES * simulationPageBytes(resolveSimConfig(summary, input));
  const held = await heldBytes(input);
  assert.ok(held <= estimate + SMALL && held >= 0.9 * estimate, `${held} held, ${estimate} estimated`);
});
