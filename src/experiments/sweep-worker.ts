/** A sweep worker thread (see parallel.ts): runs each job it is sent and replies on its port, then bumps the shared counter. */
import { workerData, parentPort, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors';
import type { Trace } from '../trace';
import { runJob } from './jobs';
import type { JobMessage, JobReply } from './parallel';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const counter = new Int32Array(signal);
/** The traces of the current batch by id: each arrives with its first job, later jobs reuse the same object. */
const traces = new Map<number, Trace>();
let currentBatch = -1;

parentPort!.on('message', (job: JobMessage) => {
  if (job.batch !== currentBatch) {
    traces.clear();
    currentBatch = job.batch;
  }
  let reply: JobReply;
  try {
    let trace = traces.get(job.traceId);
    if (!trace) traces.set(job.traceId, (trace = job.trace));
    reply = { batch: job.batch, index: job.index, result: runJob(job.kind, trace, job.options as never) };
  } catch (err) {
    reply = {
      batch: job.batch,
      index: job.index,
      error: err instanceof Error ? err.message : String(err),
      userError: err instanceof UserError,
    };
  }
  port.postMessage(reply);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
