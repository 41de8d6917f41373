/** A sweep worker thread (see parallel.ts): runs each job it is sent, replies on its port, bumps the shared counter. */
import { workerData, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors';
import type { Trace } from '../trace';
import { runJob } from './jobs';
import type { JobMessage, JobReply } from './parallel';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const counter = new Int32Array(signal);
/** The traces of the current batch by id: each arrives once, with the first of its jobs sent here. */
const traces = new Map<number, Trace>();
let currentBatch = -1;

port.on('message', (job: JobMessage) => {
  if (job.batch !== currentBatch) {
    traces.clear();
    currentBatch = job.batch;
  }
  for (const [id, trace] of job.traces) traces.set(id, trace);
  let reply: JobReply;
  try {
    reply = {
      batch: job.batch,
      index: job.index,
      result: runJob(job.kind, traces.get(job.traceId)!, job.options as never),
    };
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
