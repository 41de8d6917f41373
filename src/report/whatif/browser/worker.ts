/**
 * The what-if page's Web Worker: keeps the decoded traces and runs the simulator, so the page never
 * freezes. The page starts two, one for the table and one for the curve. The newest 'run' wins: between
 * the curve's simulations the worker lets pending messages in and drops the rest of an outdated curve.
 */
import { isGzip } from '../../../trace/binary';
import { isBinaryPath, nameFromPath, TraceDecoder } from '../../../trace/decode';
import { generateTrace } from '../../../trace/generators';
import { TraceBuilder } from '../../../trace/make';
import { checkVmPages } from '../../../trace/limits';
import { emptyTraceFile } from '../../../trace/switchover';
import { largestPage, type Trace } from '../../../trace/types';
import { UserError } from '../../../errors';
import { TraceRuns, curvePoint, curveXs, type CurvePoint } from '../compute';
import { effectiveMethods, type WhatifSettings } from '../settings';
import type { MigrationResult } from '../../../migration/types';
import type { FromWorker, ToWorker, TraceSource } from '../protocol';

type RunRequest = Extract<ToWorker, { type: 'run' }>;

const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const traces = new Map<string, Promise<TraceRuns>>();
let latest: RunRequest | undefined;
let running = false;

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'load') load(message.id, message.source);
  else {
    latest = message;
    if (!running) void runNewest();
  }
};

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function load(id: string, source: TraceSource): void {
  const started = performance.now();
  const runs = readSource(source).then((trace) => new TraceRuns(trace));
  traces.set(id, runs);
  runs.then(
    (r) => scope.postMessage({ type: 'loaded', id, accesses: r.trace.page.length, ms: performance.now() - started }),
    (err: unknown) => {
      traces.delete(id);
      scope.postMessage({ type: 'error', id, message: oneLine(err) });
    },
  );
}

/**
 * A trace from its source. File bytes stream through the library's pure decoder (the one loadTrace uses),
 * gunzipped on the way by the browser's own DecompressionStream when they start with the gzip magic.
 */
async function readSource(source: TraceSource): Promise<Trace> {
  if (source.kind === 'generated') return generateTrace(source.generator, source.options);
  const builder = new TraceBuilder();
  const decoder = new TraceDecoder(
    source.name,
    nameFromPath(source.name),
    (chunk) => builder.append(chunk),
    undefined,
    undefined,
    isBinaryPath(source.name),
  );
  let stream = new Blob([source.bytes]).stream();
  if (isGzip(source.bytes)) stream = stream.pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  try {
    for (let part = await reader.read(); !part.done; part = await reader.read()) decoder.feed(part.value);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${source.name}: corrupt gzip data (${oneLine(err)})`);
  }
  const info = decoder.finish();
  const trace = builder.finish(info.pageSize, info.name);
  // refused here, not at its first run: it would join the workload list, every choice of it an error (and below)
  if (trace.page.length === 0) throw emptyTraceFile(source.name);
  try {
    checkVmPages(largestPage(trace.page) + 1);
  } catch (err) {
    // no VM size can hold it either: refused as the command line refuses it, naming the file
    throw err instanceof UserError ? new UserError(`${source.name}: ${err.message}`) : err;
  }
  return trace;
}

/**
 * A macrotask boundary, so that 'run' messages that arrived meanwhile are seen before the next simulation.
 * A message to itself rather than setTimeout, which browsers clamp to 4 ms once nested.
 */
const boundary = new MessageChannel();
const waiting: Array<() => void> = [];
boundary.port1.onmessage = () => waiting.shift()?.();
function letMessagesIn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    boundary.port2.postMessage(null);
  });
}

async function runNewest(): Promise<void> {
  running = true;
  while (latest) {
    const { part, seq, traceId, settings } = latest;
    latest = undefined;
    try {
      const runs = traces.get(traceId);
      if (!runs) throw new Error(`no trace loaded under '${traceId}'`);
      const trace = await runs;
      if (part === 'results') await results(seq, trace, settings);
      else await curve(seq, trace, settings);
    } catch (err) {
      scope.postMessage({ type: 'error', seq, message: oneLine(err) });
    }
  }
  running = false;
}

/**
 * The methods' results so far after each method, the last message `done`; dropped as soon as a newer 'run' is
 * waiting (a slider being dragged).
 */
async function results(seq: number, runs: TraceRuns, settings: WhatifSettings): Promise<void> {
  const started = performance.now();
  const methods = effectiveMethods(settings);
  const out: MigrationResult[] = [];
  for (const method of methods) {
    await letMessagesIn();
    if (latest) return;
    out.push(runs.simulate(method, settings));
    const done = out.length === methods.length;
    scope.postMessage({ type: 'results', seq, results: out, done, ms: performance.now() - started });
  }
}

/** The curve, one point (all methods at one x) per message; stops as soon as a newer 'run' is waiting. */
async function curve(seq: number, runs: TraceRuns, settings: WhatifSettings): Promise<void> {
  const started = performance.now();
  const xs = curveXs(settings);
  if (xs.length === 0) scope.postMessage({ type: 'curve', seq, points: [], done: true, ms: 0 });
  for (const [i, x] of xs.entries()) {
    const points: CurvePoint[] = [];
    for (const method of effectiveMethods(settings)) {
      await letMessagesIn();
      if (latest) return;
      points.push(curvePoint(runs, settings, x, method));
    }
    scope.postMessage({ type: 'curve', seq, points, done: i === xs.length - 1, ms: performance.now() - started });
  }
}
