/** A sweep worker thread (see parallel.ts): runs the chunks of jobs it is sent, replies, wakes the main thread. */
import { workerData, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors';
import type { Trace } from '../trace';
import { runJob } from './jobs';
import type { JobReply, JobsMessage } from './parallel';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const counter = new Int32Array(signal);
/** The traces of the current batch by id: each arrives once, with the first of its jobs sent here. */
const traces = new Map<number, Trace>();
let currentBatch = -1;

port.on('message', (message: JobsMessage) => {
  if (message.batch !== currentBatch) {
    traces.clear();
    currentBatch = message.batch;
  }
  for (const [id, trace] of message.traces) traces.set(id, trace);
  for (const job of message.jobs) port.postMessage(reply(message.batch, job));
  // one wake-up of the main thread per chunk: it sends the next chunk then
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});

function reply(batch: number, job: JobsMessage['jobs'][number]): JobReply {
  try {
    return { batch, index: job.index, result: runJob(job.kind, traces.get(job.traceId)!, job.options as never) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { batch, index: job.index, error, userError: err instanceof UserError };
  }
}
