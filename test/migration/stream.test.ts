import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  firstFaultIndex,
  PUSH_POLICIES,
  simulate,
  simulateStream,
  simulateStreams,
  type SimInput,
} from '../../src/migration';
import { predictionMetrics, PredictionReplay, type Predictor, type PredictorName } from '../../src/prefetch';
import { UserError } from '../../src/errors';
import {
  generateTrace,
  saveTrace,
  streamTrace,
  summarizeTrace,
  summarizeTraceFile,
  switchoverAtFraction,
  switchoverIndex,
  firstTouchOrder,
  largestPage,
  type Trace,
  type TraceChunk,
} from '../../src/trace';
import { tempDir } from '../temp-dir';

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
  const path = join(tempDir('stream'), 't.pctrace');
  saveTrace(trace, path);
  const input: SimInput = { predictor: 'ppm', push: 'restart', switchover };
  const summary = await summarizeTraceFile(path);
  assert.deepEqual(summary, { ...summarizeTrace(trace), file: path });
  assert.deepEqual(await simulateStream(summary, streamTrace(path), input), simulate(trace, input));
  const shorter = { ...summary, accesses: summary.accesses - 1 };
  // named by the file the summary was read from, not by the trace's own name (here a generator's)
  await assert.rejects(simulateStream(shorter, streamTrace(path), input), {
    name: 'UserError',
    message:
      `${path} changed while it was read, or its summary trailer is wrong ` +
      '(its accesses differ from the summary read before them)',
  });
  await assert.rejects(simulateStream({ ...summary, accesses: 0 }, streamTrace(path), input), {
    message: `${path}: no access in the file (the trace is empty)`,
  });
  const smaller = { ...summary, largestPage: summary.largestPage - 1, accesses: summary.accesses };
  await assert.rejects(
    simulateStream(smaller, streamTrace(path), { ...input, vmPages: summary.largestPage + 1 }),
    /changed while it was read/,
  );
  // a file whose trailer understates its pages (a summary taken from it): refused naming the file and the field, not
  // the trace's inner name (b6c6b9a: 'trace "NAME" changed while it was read')
  const bytes = readFileSync(path);
  const at = bytes.length - 36;
  bytes.writeDoubleLE(summary.largestPage - 1, at + 12);
  bytes.writeUInt32LE(crc32(bytes.subarray(at + 12), crc32(bytes.subarray(at, at + 8))), at + 8);
  const lying = join(dirname(path), 'lying.pctrace');
  writeFileSync(lying, bytes);
  const lied = await summarizeTraceFile(lying);
  assert.equal(lied.largestPage, summary.largestPage - 1);
  await assert.rejects(
    simulateStreams(lied, streamTrace(lying), [input, { ...input, predictor: 'none' }]),
    new RegExp(
      `^UserError: \\S*lying\\.pctrace: summary trailer \\(byte ${at}\\): largest page \\d+ is not the blocks' `,
    ),
  );
});

/**
 * The oracle as first written, the reference: at a fault at i, scan the trace from i + 1 for the next k distinct
 * unsent pages. Notes the index of its first fault.
 */
function scanningOracle(future: Trace): Predictor & { firstFault?: number } {
  return {
    name: 'oracle',
    observeHistory() {},
    onFault(page, k, ctx) {
      this.firstFault ??= ctx.index;
      const out: number[] = [];
      for (let j = ctx.index + 1; j < future.page.length && out.length < k; j++) {
        const q = future.page[j];
        if (q !== page && q < ctx.vmPages && !ctx.isSent(q) && !out.includes(q)) out.push(q);
      }
      return out;
    },
    modelSize: () => 0,
  };
}

test('the oracle reading first touches proposes what a scan of the future proposes (every mode and push), streamed too', async () => {
  for (const mode of ['postcopy', 'hybrid'] as const) {
    for (const push of PUSH_POLICIES) {
      for (const k of [1, 4, 16]) {
        // hybrid: post-copy from mid-round, so that pages touched in the live round fault after the pause
        const hybrid = mode === 'hybrid' ? { postcopyAfterMs: 20, instructionsPerSecond: 1e5 } : {};
        const input: SimInput = { mode, push, k, switchover, predictor: 'oracle', ...hybrid };
        const where = `${mode}, push ${push}, k ${k}`;
        const scanning = scanningOracle(trace);
        const reference = simulate(trace, input, { predictor: scanning });
        assert.deepEqual(simulate(trace, input), reference, where);
        // streamed: post-copy replays every access from switchover on, so the order from there is the oracle's;
        // hybrid's starts at the first fault, which a pass up to it finds where the whole run had it
        let from = switchoverIndex(trace, switchover);
        if (mode === 'hybrid') {
          const firstFault = await firstFaultIndex(summarizeTrace(trace), chunksOf(trace, 4096), input);
          assert.equal(firstFault, scanning.firstFault, where);
          assert.ok(firstFault! > from, where);
          from = firstFault!;
        }
        const firstTouches = firstTouchOrder(trace.page.subarray(from), largestPage(trace.page));
        const streamed = { ...input, predictorOptions: { firstTouches } };
        for (const size of [1, 4096, 65536])
          assert.deepEqual(
            await simulateStream(summarizeTrace(trace), chunksOf(trace, size), streamed),
            reference,
            where,
          );
      }
    }
  }
});

test('several simulations fed from one pass give each their own numbers, in input order', async () => {
  const inputs: SimInput[] = (['none', 'ppm', 'next-k'] as const).map((predictor) => ({ predictor, switchover, k: 4 }));
  assert.deepEqual(
    await simulateStreams(summarizeTrace(trace), chunksOf(trace, 999), inputs),
    inputs.map((input) => simulate(trace, input)),
  );
});

test('prediction metrics replayed chunk by chunk equal the whole-trace replay, for every kind of predictor', () => {
  const start = switchoverIndex(trace, switchover);
  const firstTouches = firstTouchOrder(trace.page.subarray(start), largestPage(trace.page));
  for (const name of ['none', 'next-k', 'ppm', 'markov', 'oracle'] as PredictorName[]) {
    const options = { k: 4, lead: 2, switchover };
    const whole = predictionMetrics(trace, name, options);
    for (const size of [1, 999, 65536]) {
      const replay = new PredictionReplay(summarizeTrace(trace), name, firstTouches, options);
      for (const chunk of chunksOf(trace, size)) replay.feed(chunk);
      assert.deepEqual(replay.finish(), whole, `${name} in chunks of ${size}`);
    }
  }
});

test('a streamed prediction replay refuses a chunk that disagrees with the summary, as the simulator does', () => {
  const summary = summarizeTrace(trace);
  const firstTouches = firstTouchOrder(trace.page.subarray(switchoverIndex(trace, switchover)), summary.largestPage);
  const feedAll = (s: typeof summary) => {
    const replay = new PredictionReplay(s, 'ppm', firstTouches, { switchover, vmPages: summary.largestPage + 1 });
    for (const chunk of chunksOf(trace, 999)) replay.feed(chunk);
    return replay.finish();
  };
  assert.deepEqual(feedAll(summary), predictionMetrics(trace, 'ppm', { switchover }));
  // a file rewritten between passes with a page beyond the first pass's largest: never skipped silently
  const smaller = { ...summary, largestPage: summary.largestPage - 1 };
  assert.throws(
    () => feedAll(smaller),
    (err: unknown) => err instanceof UserError && /changed while it was read/.test(err.message),
  );
});
