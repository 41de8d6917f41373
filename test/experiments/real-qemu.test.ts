import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { simulate } from '../../src/migration';
import {
  checkTimeBoundUs,
  countedFigures,
  loadQemuRuns,
  measuredFaultCostUs,
  measuredCosts,
  QEMU_TIMED_DIR,
  QemuCounters,
  qemuRunRows,
  requestKinds,
  requestWaits,
  ratioError,
  realComparison,
  replayInput,
  requestsNotInTrace,
  timedRunRows,
  trailingRequests,
} from '../../src/experiments/real-qemu';
import { trimToReplay } from '../../src/qemu/capture';
import type { QemuRunRecord } from '../../src/qemu/records';
import { typeErrors } from '../type-errors';

const sqlite = loadQemuRuns(undefined, ['sqlite']);
const run = sqlite.find((r) => r.name === 'sqlite-plugin-1')!;

test("replayInput takes the real run's settings: pre-copy length, switchover instruction, guest rate, zero pages", () => {
  const { record, trace } = run;
  const input = replayInput(record, trace!, 30_000);
  const precopyMs = (record.wallNs.postcopy - record.wallNs.migrate) / 1e6;
  assert.equal(input.postcopyAfterMs, precopyMs);
  // The pre-copy phase ends at the real switchover instruction at the destination's rate.
  assert.equal(
    input.switchover,
    Math.round(record.guest!.switchoverInstruction - (precopyMs / 1000) * record.guest!.destinationIps),
  );
  assert.deepEqual(
    [input.mode, input.push, input.predictor, input.vmPages, input.faultCostUs],
    ['hybrid', 'restart', 'none', 65536, 30_000],
  );
  assert.equal(input.network?.bandwidthBps, 400e6);
  assert.ok(input.zeroPages.length > 40_000);
});

test("replayInput parses a record's zero pages once per text: inputs share them frozen, a changed text is parsed anew", () => {
  const record: QemuRunRecord = { ...run.record };
  const [first, second] = [replayInput(record, run.trace!), replayInput(record, run.trace!, 5)];
  assert.equal(first.zeroPages, second.zeroPages);
  assert.ok(Object.isFrozen(first.zeroPages));
  record.zeroPages = '1-3 7';
  assert.deepEqual(replayInput(record, run.trace!).zeroPages, [1, 2, 3, 7]);
});

test('the replay of a committed run: pinned counts (a change in the model shows up here)', () => {
  const r = simulate(run.trace!, replayInput(run.record, run.trace!, 30_000));
  assert.deepEqual(
    [r.networkFaults, r.latePrefetches, r.zeroPagesSent, r.pagesSent, r.bytesSent],
    [34, 6, 42784, 65536, 93978632],
  );
  assert.equal(r.totalMigrationMs, 1879.604825);
  assert.equal(requestsNotInTrace(run), 5);
});

test('measuredFaultCostUs: blocktime per request minus one page message and a round trip, median over runs', () => {
  const record = (blocktime: number, requests: number) =>
    ({
      settings: { bandwidthBps: 400e6 },
      source: {
        'total-time': 1,
        downtime: 1,
        ram: { 'postcopy-requests': requests, transferred: 1, duplicate: 1, normal: 1 },
      },
      destination: { 'postcopy-blocktime': blocktime },
    }) as unknown as QemuRunRecord;
  // 1000 ms / 10 requests = 100 ms; a page message of 4096 + 8 bytes at 400 Mbit/s takes 82.08 us, the round trip 50 us.
  assert.equal(measuredFaultCostUs([record(1000, 10)]), 100_000 - 82.08 - 50);
  assert.equal(measuredFaultCostUs([record(1000, 10), record(300, 10), record(600, 10)]), 60_000 - 82.08 - 50);
  assert.equal(measuredFaultCostUs([record(1000, 0)]), 0, 'runs without requests say nothing');
});

test('realComparison: one row per workload and metric, the real side straight from the records', () => {
  const rows = realComparison(sqlite, { faultCost: 'none' });
  assert.deepEqual(
    rows.map((r) => r.metric),
    ['requests', 'stall ms', 'total ms', 'MB sent', 'zero pages'],
  );
  const requests = sqlite
    .filter((r) => r.record.guest)
    .map((r) => (r.record.source.ram as Record<string, number>)['postcopy-requests'])
    .sort((a, b) => a - b);
  assert.deepEqual([rows[0].realMin, rows[0].realMedian, rows[0].realMax], [requests[0], requests[1], requests[2]]);
  assert.equal(rows[0].faultCostUs, 0);
  assert.throws(() => realComparison(sqlite.filter((r) => !r.trace)), /no QEMU run with a guest trace/);
});

test("QemuCounters: a request for each wait past the fault thread's check, blocktime from the check on", () => {
  const counters = new QemuCounters(1000);
  // A page that lands within the check (500 us) wakes the vCPU unasked; 1500 and 3000 us are asked for,
  // and QEMU's blocktime starts at the check: 500 + 2000 us.
  for (const waitUs of [500, 1500, 3000, 1000]) counters.onWait(0, waitUs);
  assert.deepEqual([counters.requests, counters.blocktimeUs], [2, 2500]);
});

test('checkTimeBoundUs: the time not blocked between the resume and completion, per request', () => {
  const record = {
    wallNs: { migrate: 0, postcopy: 500e6, completed: 2_502e6 },
    source: { 'total-time': 1, downtime: 2, ram: { 'postcopy-requests': 40, transferred: 1, duplicate: 1, normal: 1 } },
    destination: { 'postcopy-blocktime': 1_600 },
  } as unknown as QemuRunRecord;
  // Resume at 502 ms, completion at 2502 ms: 2000 ms, of which 1600 ms blocked; 400 ms / 40 requests = 10 ms.
  assert.equal(checkTimeBoundUs(record), 10_000);
  const none = {
    ...record,
    source: { ...record.source, ram: { ...(record.source.ram as object), 'postcopy-requests': 0 } },
  };
  assert.equal(checkTimeBoundUs(none as QemuRunRecord), undefined, 'no requests: no bound');
  const quiet = { ...run.record, source: none.source, destination: none.destination } as QemuRunRecord;
  assert.equal(qemuRunRows([{ name: 'quiet', record: quiet }])[0].checkTimeBoundMs, 'no requests');
});

test('realComparison replays runs of the same name from two records folders apart (the cache is keyed by run)', () => {
  // The same run under one name twice, once with half the bandwidth cap: the two replays must differ.
  const halved = { ...run, record: { ...run.record, settings: { ...run.record.settings, bandwidthBps: 200e6 } } };
  const [full, half] = [realComparison([run]), realComparison([run, halved])];
  const total = (rows: typeof full) => rows.find((r) => r.metric === 'total ms')!;
  assert.equal(total(half).simulatedMin, total(full).simulatedMedian);
  assert.ok((total(half).simulatedMax as number) > (total(full).simulatedMedian as number) * 1.5);
});

test('the split replay of a committed run: pinned counts, and the counters agree with the simulator where they must', () => {
  const counters = new QemuCounters(10_000);
  const input = replayInput(run.record, run.trace!, 40_000, 0, 10_000);
  assert.equal(input.faultCheckUs, 10_000);
  const r = simulate(run.trace!, input, { onWait: counters.onWait });
  // Every network fault waits past the check (its request alone takes 30 ms more), so it is a request;
  // a late prefetch is one only while its page is still on the way at the check.
  assert.ok(counters.requests >= r.networkFaults && counters.requests <= r.networkFaults + r.latePrefetches);
  assert.ok(counters.blocktimeUs / 1000 <= r.stallMs - 10 * counters.requests + 1e-6);
  assert.deepEqual([r.networkFaults, r.latePrefetches, counters.requests], [27, 4, 27]);
  const figures = countedFigures(r, counters);
  assert.deepEqual([figures.postcopyRequests, figures.blocktimeMs], [counters.requests, counters.blocktimeUs / 1000]);
  assert.equal(Math.round(counters.blocktimeUs), 809333);
});

test('realComparison with a fitted check time: each workload gets the fit on the other workloads, pinned', () => {
  const two = loadQemuRuns(undefined, ['sqlite', 'bzip2']);
  const rows = realComparison(two, { faultCost: 'cross-validated', faultCheck: 'fitted' });
  const requests = rows.filter((r) => r.metric === 'requests');
  assert.deepEqual(
    requests.map((r) => [r.workload, r.faultCostUs, r.faultCheckUs, r.simulatedMedian]),
    [
      ['sqlite', 26577.597419354835, 3000, 37],
      ['bzip2', 31439.34857142857, 3000, 30],
    ],
  );
  // Without a split the rows say so; the undivided comparison is unchanged by the option's existence.
  assert.equal(realComparison(sqlite, { faultCost: 'none' })[0].faultCheckUs, null);
});

test('ratioError: |log| of the ratio, 0 when both are 0, Infinity when only one is', () => {
  assert.equal(ratioError(20, 10), Math.log(2));
  assert.equal(ratioError(5, 10), Math.log(2));
  assert.equal(ratioError(0, 0), 0);
  assert.equal(ratioError(0, 7), Infinity);
  assert.equal(ratioError(7, 0), Infinity);
});

test('trailingRequests: a request 1 to 4 pages above the previous one', () => {
  // 10 -> 11 (+1), 11 -> 15 (+4), 15 -> 20 (+5: no), 20 -> 19 (-1: no), 19 -> 19 (0: no), 19 -> 22 (+3).
  assert.equal(trailingRequests([10, 11, 15, 20, 19, 19, 22]), 3);
  assert.equal(trailingRequests([10, 11, 15], 1), 1);
  assert.equal(trailingRequests([]), 0);
});

/** A version 2 record with four requests (times in us from the resume): see the hand computation below. */
function timedRecord(): QemuRunRecord {
  const requests = {
    page: [10, 11, 12, 13],
    faultUs: [1000, 4300, 6100, 7000],
    receivedAtFault: [0, 0, 1, 0],
    sentUs: [2000, 4000, 900, null],
    sourceUs: [1080, 4350, null, null],
    queuedUs: [2500, 4400, null, null],
    placedUs: [4000, 6000, 6050, 7500],
  };
  const timing = { events: { source: [], destination: [] }, resumeEpochUs: 0, requests, pushHoldUs: null };
  return { ...run.record, timing: { ...timing, sourcePageUs: 4, placePageUs: 8 } } as QemuRunRecord;
}

test('requestKinds: placed by the check, on its way (written before the fault), or still on the source', () => {
  // Page 10 written after its fault, 11 before it, 12 placed by the check, 13 never written (a zero page).
  assert.deepEqual(requestKinds(timedRecord().timing!), { placedByCheck: 1, onTheWay: 1, unsent: 2 });
  // told that the source skipped page 13 at its queue (sent already), the zero page was on its way
  const timing = timedRecord().timing!;
  const skipped = { ...timing, requests: { ...timing.requests, skippedAtQueue: [0, 0, 0, 1] } };
  assert.deepEqual(requestKinds(skipped), { placedByCheck: 1, onTheWay: 2, unsent: 1 });
  assert.deepEqual(requestWaits(skipped).onTheWayUs, [1700, 500]);
});

test('requestWaits: fault to placement per kind; an unsent request taken from the queue 1 ms or more late waited', () => {
  // Page 10 (unsent): placed 4000 - 1000 = 3000 after its fault, taken from the queue 2500 - 1080 = 1420 after it
  // reached the source: it waited for the window. Page 11 (on its way): 6000 - 4300. Page 13 (unsent, never
  // queued: no wait for the window seen): 7500 - 7000. Page 12 was placed by the check: no wait.
  assert.deepEqual(requestWaits(timedRecord().timing!), {
    onTheWayUs: [1700],
    unsentUs: [3000, 500],
    waitedForWindow: 1,
  });
});

test("measuredCosts: the check from the gaps after placements, the host cost to the source, both sides' speeds", () => {
  const costs = measuredCosts(timedRecord())!;
  // Gaps from a placement to the next request: 4300 - 4000, 6100 - 6000, 7000 - 6050 = 300, 100, 950; their lower
  // decile: 100 + 0.2 x (300 - 100) = 140. To the source: 1080 - 1000 and 4350 - 4300 (the request placed by the
  // check never went): median 65. A page message of 4104 bytes every 4 us written, every 8 us placed.
  assert.deepEqual(costs, { checkUs: 140, hostCostUs: 65, writeBandwidthBps: 8.208e9, peakBandwidthBps: 4.104e9 });
  assert.equal(measuredCosts(run.record), undefined, 'a version 1 record has no timing');
});

test('trimToReplay: the trace from the replay start on, and the replay of the cut trace is the same run', () => {
  const { trace, traceFrom } = trimToReplay(run.record, run.trace!);
  // The replay starts there (the switchover less the pre-copy phase at the destination's rate): nothing before is read.
  assert.equal(Math.round(traceFrom), replayInput(run.record, run.trace!).switchover);
  assert.ok(trace.time[0] >= traceFrom && trace.page.length < run.trace!.page.length);
  const cut = { ...run.record, guest: { ...run.record.guest!, traceFrom } };
  assert.deepEqual(
    simulate(trace, replayInput(cut, trace, 30_000)),
    simulate(run.trace!, replayInput(run.record, run.trace!, 30_000)),
  );
});

test('a committed timed run replayed with its own measured costs: pinned, real side straight from its logs', () => {
  const [row] = timedRunRows(loadQemuRuns(QEMU_TIMED_DIR, ['sqlite']).filter((r) => r.name === 'sqlite-plugin-1'));
  assert.deepEqual([row.realRequests, row.realOnTheWay, row.realUnsent, row.realPlacedByCheck], [31, 5, 26, 0]);
  assert.deepEqual(
    [row.simulatedRequests, row.simulatedOnTheWay, row.simulatedUnsent, row.simulatedPlacedByCheck],
    [39, 3, 36, 6],
  );
  assert.equal(Math.round(row.simulatedBlocktimeMs as number), 1071);
});

test("replayInput's zero pages are typed read-only: TypeScript refuses changes in place, copies need no cast", () => {
  assert.deepEqual(typeErrors(resolve('test/fixtures/replay-input-types.ts')), []);
});
