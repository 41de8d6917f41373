import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineCaptures, instructionAt, instructionRate, parsePluginMeta } from '../../src/qemu/capture';
import { parseFaultLog, qemuFigures, recordProblem, type QemuRunRecord } from '../../src/qemu/records';

test('parseFaultLog: pc.ram offsets as 4 KiB pages, in order; other RAM blocks left out', () => {
  const log = [
    'postcopy_ram_fault_thread_request Request for HVA=0x7f8e4a78d000 rb=pc.ram offset=0x698d000 pid=6745',
    '6745@1700000000.000001:postcopy_ram_fault_thread_request Request for HVA=0x7f00 rb=pc.bios offset=0x1000 pid=6745',
    'postcopy_ram_fault_thread_request Request for HVA=0x7f8e53965000 rb=pc.ram offset=0x1fff pid=6745',
    'some other line',
  ].join('\n');
  assert.deepEqual(parseFaultLog(log), [0x698d, 1]);
  assert.deepEqual(parseFaultLog(''), []);
});

const SOURCE = [
  '# page-size: 4096',
  '# lru 64',
  '# clock 1000 0',
  '# start 500',
  '# ram-found',
  '600 7',
  '700 8 W',
  '# clock 2000 800',
  '900 9',
  '# clock 3000 1000',
  '# end 1000',
  '',
].join('\n');
const DESTINATION = [
  '# page-size: 4096',
  '# lru 64',
  '# clock 5000 0',
  '# ram-found',
  '10 9 W',
  '20 3',
  '# clock 6000 40',
  '# end 40',
  '',
].join('\n');

test('parsePluginMeta reads clocks, start, end and whether code pages were recorded', () => {
  const meta = parsePluginMeta(SOURCE, 'source');
  assert.deepEqual(meta.clocks, [
    { ns: 1000, instruction: 0 },
    { ns: 2000, instruction: 800 },
    { ns: 3000, instruction: 1000 },
  ]);
  assert.deepEqual([meta.start, meta.end, meta.codePages], [500, 1000, true]);
  assert.throws(() => parsePluginMeta('# clock 1 0\n5 5\n', 'cut'), /cut: no '# end' line/);
});

test('instructionAt interpolates between clock lines and clamps outside; instructionRate leaves blocked time out', () => {
  const clocks = [
    { ns: 0, instruction: 0 },
    { ns: 1e9, instruction: 100 },
    { ns: 2e9, instruction: 300 },
  ];
  assert.equal(instructionAt(clocks, 0.5e9), 50);
  assert.equal(instructionAt(clocks, 1.5e9), 200);
  assert.equal(instructionAt(clocks, -5), 0);
  assert.equal(instructionAt(clocks, 9e9), 300);
  assert.equal(instructionRate(clocks, 0, 2e9), 150);
  assert.equal(instructionRate(clocks, 0, 2e9, 500), 200, '300 instructions in 1.5 s of running');
});

test("combineCaptures: the source, then the destination shifted by the switchover (the source's last count)", () => {
  const c = combineCaptures(SOURCE, DESTINATION, 'walk');
  assert.equal(c.switchoverInstruction, 1000);
  assert.deepEqual([...c.trace.time], [600, 700, 900, 1010, 1020]);
  assert.deepEqual([...c.trace.page], [7, 8, 9, 9, 3]);
  assert.deepEqual([...c.trace.write], [0, 1, 0, 1, 0]);
  assert.equal(c.trace.name, 'walk');
});

test('qemuFigures reads query-migrate and the destination blocktime; a missing figure is an error', () => {
  const record = {
    source: {
      'total-time': 2708,
      downtime: 1,
      ram: { 'postcopy-requests': 77, transferred: 137884603, duplicate: 32162, normal: 33527 },
    },
    destination: { 'postcopy-blocktime': 1671 },
  } as unknown as QemuRunRecord;
  assert.deepEqual(qemuFigures(record), {
    totalTimeMs: 2708,
    downtimeMs: 1,
    postcopyRequests: 77,
    transferredBytes: 137884603,
    duplicatePages: 32162,
    normalPages: 33527,
    blocktimeMs: 1671,
  });
  assert.throws(() => qemuFigures({ ...record, source: {} }), /no total-time/);
});

test('recordProblem: a record of another version, without a figure or with uneven timing columns is named', () => {
  const v1 = {
    version: 1,
    settings: { workload: 'sqlite', ramMiB: 256, bandwidthBps: 4e8 },
    source: { 'total-time': 9, downtime: 1, ram: { 'postcopy-requests': 2, transferred: 9, duplicate: 1, normal: 1 } },
    destination: {},
    wallNs: { migrate: 0, postcopy: 1, completed: 2 },
    faults: [5, 6],
    zeroPages: '',
  };
  const requests = {
    page: [5, 6],
    faultUs: [10, 20],
    receivedAtFault: [0, 0],
    sentUs: [null, 15],
    sourceUs: [12, null],
    queuedUs: [13, null],
    placedUs: [14, 25],
  };
  assert.equal(recordProblem(v1), undefined);
  const v2 = { ...v1, version: 2, timing: { requests, sourcePageUs: 4, placePageUs: null } };
  assert.equal(recordProblem(v2), undefined);
  assert.match(recordProblem([v1])!, /not a QEMU run record/);
  assert.match(recordProblem({ ...v1, version: 3 })!, /record version 3: this postcopy-lab reads 1, 2/);
  assert.match(recordProblem({ ...v1, version: undefined })!, /record version undefined/);
  assert.match(recordProblem({ ...v1, settings: { workload: 'sqlite', ramMiB: 256 } })!, /no settings\.bandwidthBps/);
  assert.match(recordProblem({ ...v1, source: { downtime: 1 } })!, /no total-time/);
  assert.match(recordProblem({ ...v1, wallNs: { migrate: 0 } })!, /no wallNs times/);
  assert.match(recordProblem({ ...v1, guest: {} })!, /guest entry without its traceFile/);
  assert.match(recordProblem({ ...v1, version: 2 })!, /version 2 has no timing\.requests/);
  assert.match(recordProblem({ ...v2, timing: { requests } })!, /no sourcePageUs or placePageUs/);
  const odd = { ...requests, sentUs: [null, '15'] };
  assert.match(recordProblem({ ...v2, timing: { ...v2.timing, requests: odd } })!, /sentUs holds an entry that is not/);
  const marked = { ...requests, skippedAtQueue: [1, 0] };
  assert.equal(recordProblem({ ...v2, timing: { ...v2.timing, requests: marked } }), undefined);
  const badMark = { ...requests, skippedAtQueue: [1] };
  assert.match(
    recordProblem({ ...v2, timing: { ...v2.timing, requests: badMark } })!,
    /skippedAtQueue is not a 0 or 1/,
  );
  const unlogged = { ...requests, faultUs: [10, null] };
  assert.match(recordProblem({ ...v2, timing: { ...v2.timing, requests: unlogged } })!, /faultUs holds an entry/);
  const cut = { ...requests, placedUs: [14] };
  assert.match(
    recordProblem({ ...v2, timing: { ...v2.timing, requests: cut } })!,
    /timing\.requests\.placedUs does not have one entry per request \(2 faults\)/,
  );
});
