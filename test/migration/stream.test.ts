import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, simulateStream, type SimInput } from '../../src/migration';
import { UserError } from '../../src/errors';
import {
  generateTrace,
  saveTrace,
  streamTrace,
  summarizeTrace,
  summarizeTraceFile,
  switchoverAtFraction,
  type Trace,
  type TraceChunk,
} from '../../src/trace';

/** The trace in chunks of `size` accesses (views of its arrays). */
function* chunksOf(trace: Trace, size: number): Generator<TraceChunk> {
  for (let start = 0; start < trace.page.length; start += size) {
    const end = start + size;
    yield {
      start,
      time: trace.time.subarray(start, end),
      page: trace.page.subarray(start, end),
      write: trace.write.subarray(start, end),
    };
  }
}

const trace = generateTrace('phased', {
  seed: 'stream',
  accesses: 20000,
  pages: 3000,
  phases: 5,
  hotFraction: 0.1,
  writeRatio: 0.3,
});
const switchover = switchoverAtFraction(trace, 0.4);

test('a chunked replay gives the numbers of the whole-trace replay: every mode, predictor, push, any chunking', async () => {
  const inputs: SimInput[] = [];
  for (const mode of ['postcopy', 'precopy', 'hybrid'] as const) {
    for (const predictor of ['none', 'next-k', 'ppm'] as const)
      inputs.push({ mode, predictor, push: 'restart', switchover, k: 4 });
  }
  inputs.push(
    { mode: 'postcopy', predictor: 'ppm', push: 'off', switchover: 0 },
    { mode: 'hybrid', predictor: 'markov', precopyMaxRounds: 2, switchover },
  );
  for (const input of inputs) {
    const whole = simulate(trace, input);
    for (const size of [1, 999, 4096, 65536]) {
      assert.deepEqual(
        await simulateStream(summarizeTrace(trace), chunksOf(trace, size), input),
        whole,
        `${JSON.stringify(input)} in chunks of ${size}`,
      );
    }
  }
});

test('a streamed file gives the in-memory numbers; a chunk that disagrees with the summary is refused', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'stream-')), 't.pctrace');
  saveTrace(trace, path);
  const input: SimInput = { predictor: 'ppm', push: 'restart', switchover };
  const summary = await summarizeTraceFile(path);
  assert.deepEqual(summary, summarizeTrace(trace));
  assert.deepEqual(await simulateStream(summary, streamTrace(path), input), simulate(trace, input));
  const shorter = { ...summary, accesses: summary.accesses - 1 };
  await assert.rejects(
    simulateStream(shorter, streamTrace(path), input),
    (err: unknown) => err instanceof UserError && /changed while it was read/.test(err.message),
  );
  const smaller = { ...summary, largestPage: summary.largestPage - 1, accesses: summary.accesses };
  await assert.rejects(
    simulateStream(smaller, streamTrace(path), { ...input, vmPages: summary.largestPage + 1 }),
    /changed while it was read/,
  );
});
