import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/migration';
import {
  loadQemuRuns,
  measuredFaultCostUs,
  realComparison,
  replayInput,
  requestsNotInTrace,
} from '../../src/experiments/real-qemu';
import type { QemuRunRecord } from '../../src/qemu/records';

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
  assert.ok((input.zeroPages as number[]).length > 40_000);
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
