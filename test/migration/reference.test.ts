/**
 * Cross-check of the post-copy engine against a deliberately naive event-driven model of the
 * same rules: explicit queues, one event at a time, linear scans instead of union-find, no lazy
 * push. Ties at equal times: a request reaching the source and the VM's access come before the
 * link picking its next page (the engine commits only push pages that started strictly earlier).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PUSH_POLICIES, simulate, type SimInput } from '../../src/migration';
import { createPredictor, type PredictorName } from '../../src/prefetch';
import { generateTrace, type Trace } from '../../src/trace';

interface Outcome {
  networkFaults: number;
  latePrefetches: number;
  prefetchIssued: number;
  prefetchUsed: number;
  pushPages: number;
  stallUs: number;
  totalUs: number;
}

type Push = (typeof PUSH_POLICIES)[number];

const NETWORK = { bandwidthBps: 2e7, rttUs: 150, messageOverheadBytes: 16 };
const SETTINGS: SimInput = { cpuStateBytes: 1000, switchoverFixedMs: 0.25, instructionsPerSecond: 2e8 };

function reference(trace: Trace, predictorName: PredictorName, k: number, push: Push, urgentChannel: boolean): Outcome {
  const n = trace.page.length;
  const vmPages = Math.max(...trace.page) + 1;
  const pageUs = ((trace.pageSize + NETWORK.messageOverheadBytes) * 8 * 1e6) / NETWORK.bandwidthBps;
  const half = NETWORK.rttUs / 2;
  const stateSentUs = ((SETTINGS.cpuStateBytes! + NETWORK.messageOverheadBytes) * 8 * 1e6) / NETWORK.bandwidthBps;
  const resumeUs = stateSentUs + half + SETTINGS.switchoverFixedMs! * 1000;
  const usPerInstruction = 1e6 / SETTINGS.instructionsPerSecond!;
  const predictor = createPredictor(predictorName, { trace });
  const out: Outcome = {
    networkFaults: 0,
    latePrefetches: 0,
    prefetchIssued: 0,
    prefetchUsed: 0,
    pushPages: 0,
    stallUs: 0,
    totalUs: resumeUs,
  };

  const committed = new Uint8Array(vmPages);
  const arrival = new Array<number>(vmPages).fill(Infinity);
  const predicted = new Set<number>();
  const touched = new Set<number>();
  const linkQueue: number[] = [];
  const urgentQueue: number[] = [];
  let remaining = vmPages;
  let linkFree = stateSentUs;
  let urgentFree = stateSentUs;
  let cursor = 0;
  let flushing = false;
  let request: { page: number; index: number; at: number } | undefined;
  let blockedOn = -1;
  let blockedSince = 0;
  let i = 0;

  const pushing = () => (push !== 'off' || flushing) && remaining > 0;
  const linkBusy = () => linkQueue.length > 0 || pushing();
  const commit = (q: number) => {
    committed[q] = 1;
    remaining--;
  };
  const enqueue = (queue: number[], q: number, now: number) => {
    if (queue === urgentQueue && queue.length === 0) urgentFree = Math.max(urgentFree, now);
    if (queue === linkQueue && !linkBusy()) linkFree = Math.max(linkFree, now);
    commit(q);
    queue.push(q);
  };
  const transmit = (q: number, start: number) => {
    arrival[q] = start + pageUs + half;
    out.totalUs = Math.max(out.totalUs, arrival[q]);
    return start + pageUs;
  };
  const vmClock = () => resumeUs + trace.time[i] * usPerInstruction + out.stallUs;

  for (;;) {
    if (blockedOn >= 0 && arrival[blockedOn] !== Infinity) {
      out.stallUs += Math.max(0, arrival[blockedOn] - blockedSince);
      blockedOn = -1;
      i++;
    }
    if (blockedOn < 0 && i === n && !flushing) {
      // With push off the never-touched pages leave once the VM has finished, in address order.
      if (push === 'off' && !linkBusy())
        linkFree = Math.max(linkFree, resumeUs + trace.time[n - 1] * usPerInstruction + out.stallUs);
      if (push === 'off') cursor = 0;
      flushing = true;
    }
    const requestAt = request ? request.at : Infinity;
    const vmAt = blockedOn < 0 && i < n ? vmClock() : Infinity;
    const urgentAt = urgentQueue.length > 0 ? urgentFree : Infinity;
    const linkAt = linkBusy() ? linkFree : Infinity;
    const now = Math.min(requestAt, vmAt, urgentAt, linkAt);
    if (now === Infinity) return out;
    if (requestAt === now) {
      const { page, index } = request!;
      request = undefined;
      if (committed[page] === 0) enqueue(urgentChannel ? urgentQueue : linkQueue, page, now);
      const proposals = predictor.onFault(page, k, { index, vmPages, isSent: (q) => committed[q] === 1 });
      let accepted = 0;
      for (const q of proposals) {
        if (accepted === k) break;
        if (!Number.isInteger(q) || q < 0 || q >= vmPages || committed[q] === 1) continue;
        enqueue(linkQueue, q, now);
        predicted.add(q);
        accepted++;
      }
      out.prefetchIssued += accepted;
      if (push === 'restart') cursor = page + 1;
    } else if (vmAt === now) {
      const p = trace.page[i];
      if (touched.has(p)) {
        i++;
        continue;
      }
      touched.add(p);
      if (predicted.has(p)) out.prefetchUsed++;
      if (committed[p] === 0) {
        out.networkFaults++;
        request = { page: p, index: i, at: now + half };
      } else if (arrival[p] <= now) {
        i++;
        continue;
      } else {
        out.latePrefetches++;
      }
      blockedOn = p;
      blockedSince = now;
    } else if (urgentAt === now) {
      urgentFree = transmit(urgentQueue.shift()!, urgentFree);
    } else {
      let q = linkQueue.shift();
      if (q === undefined) {
        q = nextUncommitted(committed, cursor);
        cursor = q + 1;
        commit(q);
        out.pushPages++;
      }
      linkFree = transmit(q, linkFree);
    }
  }
}

/** First page at or after `from` not committed yet, wrapping around (a linear scan: this is the naive model). */
function nextUncommitted(committed: Uint8Array, from: number): number {
  for (let step = 0; step < committed.length; step++) {
    const q = (from + step) % committed.length;
    if (committed[q] === 0) return q;
  }
  throw new Error('nothing left to push');
}

test('the engine agrees with a naive event-driven model of the same rules', () => {
  const traces = [
    generateTrace('zipf', { seed: 'ref', accesses: 1500, pages: 60, instructionsPerAccess: 400 }),
    generateTrace('phased', { seed: 'ref', accesses: 1500, pages: 80, instructionsPerAccess: 300 }),
    generateTrace('strided', { seed: 'ref', accesses: 800, pages: 50, stride: 4, instructionsPerAccess: 900 }),
    generateTrace('random', { seed: 'ref', accesses: 600, pages: 70, instructionsPerAccess: 2000 }),
  ];
  for (const trace of traces) {
    for (const predictor of ['none', 'next-k', 'oracle'] as const) {
      for (const push of PUSH_POLICIES) {
        for (const [urgentChannel, k] of [
          [false, 1],
          [false, 5],
          [true, 3],
        ] as const) {
          const expected = reference(trace, predictor, k, push, urgentChannel);
          const r = simulate(trace, { ...SETTINGS, predictor, k, push, network: { ...NETWORK, urgentChannel } });
          const label = `${trace.name} ${predictor} k=${k} ${push} urgent=${urgentChannel}`;
          assert.deepEqual(
            [r.networkFaults, r.latePrefetches, r.prefetchIssued, r.prefetchUsed, r.pushPages],
            [
              expected.networkFaults,
              expected.latePrefetches,
              expected.prefetchIssued,
              expected.prefetchUsed,
              expected.pushPages,
            ],
            label,
          );
          assert.ok(
            Math.abs(r.stallMs - expected.stallUs / 1000) < 1e-5,
            `${label}: stall ${r.stallMs} vs ${expected.stallUs / 1000}`,
          );
          assert.ok(
            Math.abs(r.totalMigrationMs - expected.totalUs / 1000) < 1e-5,
            `${label}: total ${r.totalMigrationMs} vs ${expected.totalUs / 1000}`,
          );
        }
      }
    }
  }
});
