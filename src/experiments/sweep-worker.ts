/** A sweep worker thread (see parallel.ts): runs the chunks of jobs it is sent, replies, wakes the main thread. */
import { workerData, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors';
import type { SimMethod } from '../migration';
import type { Trace } from '../trace';
import { FirstTouchOrders, sharingFirstTouchOrders } from '../trace/first-touch';
import { exerciseMethods, runJob } from './jobs';
import { osThreadId, threadCpuSeconds, wallClock } from '../util/thread-cpu';
import type { JobReply, JobsMessage } from './parallel';
import { watchIndex } from './sweep-watch';

const { port, signal, watch, slot } = workerData as {
  port: MessagePort;
  signal: SharedArrayBuffer;
  watch: SharedArrayBuffer;
  slot: number;
};
const counter = new Int32Array(signal);
/** What the main thread watches (sweep-watch.ts): this thread's id, the job it runs, how many it began. */
const running = new Int32Array(watch);
Atomics.store(running, watchIndex(slot, 'thread'), osThreadId() ?? 0);
/**
 * The traces of the current batch by id: each arrives once, with the first of its jobs sent here. Cleared per
 * batch: an id names a slot of shared buffers (shared-traces.ts), which a later batch fills with another trace.
 */
const traces = new Map<number, Trace>();
let currentBatch = -1;
/** The first-touch orders of the current batch's traces, shared by its runs (trace/first-touch.ts). */
let orders = new FirstTouchOrders();

port.on('message', (message: JobsMessage) => {
  if (message.batch !== currentBatch) {
    traces.clear();
    orders = new FirstTouchOrders();
    currentBatch = message.batch;
  }
  for (const [id, trace] of message.traces) traces.set(id, trace);
  const cpu = threadCpuSeconds();
  const began = wallClock();
  message.jobs.forEach((job, n) => {
    Atomics.store(running, watchIndex(slot, 'job'), job.index);
    Atomics.add(running, watchIndex(slot, 'begun'), 1);
    // the sweep's methods are exercised as part of the first job (a death in them names that job)
    const answer = reply(message.batch, job, n === 0 ? message.methods : undefined);
    // with its last reply, the chunk's CPU seconds per job (read once per chunk, from /proc) and its time line
    if (n === message.jobs.length - 1) {
      if (cpu !== undefined) answer.jobCpu = (threadCpuSeconds()! - cpu) / message.jobs.length;
      answer.began = began;
      answer.ended = wallClock();
    }
    port.postMessage(answer);
  });
  // one wake-up of the main thread per chunk: it sends the next chunk then
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
// loaded: a death from now on is no failure to load the library (parallel.ts says which it was)
Atomics.store(running, watchIndex(slot, 'loaded'), 1);

function reply(batch: number, job: JobsMessage['jobs'][number], methods: SimMethod[] | undefined): JobReply {
  try {
    const trace = traces.get(job.traceId)!;
    if (methods) exerciseMethods(methods, trace);
    const result = sharingFirstTouchOrders(orders, () => runJob(job.kind, trace, job.options as never));
    return { batch, index: job.index, result };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { batch, index: job.index, error, userError: err instanceof UserError };
  }
}
