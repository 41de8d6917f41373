import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burstStepUs, parseTraceLog, requestTimeline, summariseDurations } from '../../src/qemu/trace-log';

test('parseTraceLog: thread, time in us since the epoch, event and text of timed lines only', () => {
  const log = [
    '7140@1795651888.336510:postcopy_ram_fault_thread_request Request for HVA=0x7f8fb290b000 rb=pc.ram offset=0x2b0b000 pid=7136',
    'postcopy_place_page host=0x7f8fb0e00000',
    '7133@1795651888.000007:loadvm_postcopy_handle_run_bh return',
    'qemu-system-x86_64: some message',
    '',
  ].join('\n');
  assert.deepEqual(parseTraceLog(log), [
    {
      thread: 7140,
      us: 1795651888336510,
      name: 'postcopy_ram_fault_thread_request',
      args: 'Request for HVA=0x7f8fb290b000 rb=pc.ram offset=0x2b0b000 pid=7136',
    },
    { thread: 7133, us: 1795651888000007, name: 'loadvm_postcopy_handle_run_bh', args: 'return' },
  ]);
});

// Guest RAM at host 0x7f0000000000 (from the first request: HVA 0x7f0000005010, offset 0x5000), 16 pages.
// Resume at 1000.000500 s = time 0. Page 5 is requested at 1000, reaches the source at 1500, is taken from the
// queue at 3400, written at 3500, placed at 4000. Page 6 was placed before the resume (-400) and is faulted on
// at 5500 with already_received 1. Pages 3 and 7 are pushed: written at 100 and 105, placed at 1500 and 6000
// (holds 1400 and 5895). Page 4 is a zero page (placed, not written: no hold). The ROM's request, its blocktime
// line, a ROM write and a placement outside guest RAM are left out.
const DESTINATION = [
  '100@1000.000000:loadvm_postcopy_handle_run_bh enter',
  '8@1000.000100:postcopy_place_page host=0x7f0000006000',
  '100@1000.000500:loadvm_postcopy_handle_run_bh return',
  '7@1000.001500:postcopy_ram_fault_thread_request Request for HVA=0x7f0000005010 rb=pc.ram offset=0x5000 pid=9',
  '7@1000.001510:mark_postcopy_blocktime_begin addr: 0x7f0000005010, dd: 0x1, time: 1, cpu: 0, already_received: 0',
  '8@1000.002000:postcopy_place_page host=0x7f0000003000',
  '8@1000.002010:postcopy_place_page_zero host=0x7f0000004000',
  '8@1000.004500:postcopy_place_page host=0x7f0000005000',
  '7@1000.005000:postcopy_ram_fault_thread_request Request for HVA=0x7fff00001000 rb=pc.bios offset=0x1000 pid=9',
  '7@1000.005005:mark_postcopy_blocktime_begin addr: 0x7fff00001000, dd: 0x1, time: 5, cpu: 0, already_received: 0',
  '7@1000.006000:postcopy_ram_fault_thread_request Request for HVA=0x7f0000006000 rb=pc.ram offset=0x6000 pid=9',
  '7@1000.006001:mark_postcopy_blocktime_begin addr: 0x7f0000006000, dd: 0x1, time: 6, cpu: 0, already_received: 1',
  '8@1000.006500:postcopy_place_page host=0x7f0000007000',
  '8@1000.006600:postcopy_place_page host=0x7f0000100000',
  '8@1000.006800:postcopy_place_page host=0x7f0000008000',
  '',
].join('\n');
const SOURCE = [
  '50@1000.000600:ram_save_page pc.ram: offset: 0x3000 host: 0x7e0000003000',
  '50@1000.000602:ram_save_page pc.rom: offset: 0x7000 host: 0x7e1000007000',
  '50@1000.000605:ram_save_page pc.ram: offset: 0x7000 host: 0x7e0000007000',
  '51@1000.002000:migrate_handle_rp_req_pages in pc.ram at 0x5000 len 0x1000',
  '51@1000.002100:migrate_handle_rp_req_pages in (null) at 0x9000 len 0x1000',
  '50@1000.003900:get_queued_page pc.ram/0x5000 page_abs=0x5',
  '50@1000.004000:ram_save_page pc.ram: offset: 0x5000 host: 0x7e0000005000',
  '50@1000.004001:get_queued_page_not_dirty pc.ram/0x9000 page_abs=0x9',
  '',
].join('\n');

test('requestTimeline: per request the fault, source, queue, write and placement times from the resume', () => {
  const t = requestTimeline(DESTINATION, SOURCE, 16);
  assert.equal(t.resumeEpochUs, 1000000500);
  assert.deepEqual(t.requests, {
    page: [5, 6],
    faultUs: [1000, 5500],
    receivedAtFault: [0, 1],
    sentUs: [3500, null],
    sourceUs: [1500, null],
    queuedUs: [3400, null],
    skippedAtQueue: [0, 0],
    placedUs: [4000, -400],
  });
  // Holds 1400 and 5895, interpolated quantiles: p10 = 1400 + 0.1 * 4495.
  assert.deepEqual(
    { ...t.pushHoldUs, p99: Math.round(t.pushHoldUs!.p99 * 100) / 100 },
    {
      count: 2,
      p10: 1849.5,
      p50: 3647.5,
      p90: 5445.5,
      p99: 5850.05,
      max: 5895,
    },
  );
  // Non-zero writes after the resume at 100, 105, 3500: steps 5 and 3395, the second a break. Non-zero placements
  // after the resume at 1500, 4000, 6000, 6300 (page 8): steps 2500, 2000 (breaks) and 300.
  assert.equal(t.sourcePageUs, 5);
  assert.equal(t.placePageUs, 300);
});

test('requestTimeline: a zero page the source skips at its queue is marked, having no ram_save_page line', () => {
  // Page 9 (a zero page) is requested at 1000, reaches the source at 1200, is found sent already at 1300.
  const destination = [
    '100@1000.000500:loadvm_postcopy_handle_run_bh return',
    '7@1000.001500:postcopy_ram_fault_thread_request Request for HVA=0x7f0000009000 rb=pc.ram offset=0x9000 pid=9',
    '7@1000.001510:mark_postcopy_blocktime_begin addr: 0x7f0000009000, dd: 0x1, time: 1, cpu: 0, already_received: 0',
    '8@1000.001900:postcopy_place_page_zero host=0x7f0000009000',
    '',
  ].join('\n');
  const source = [
    '51@1000.001700:migrate_handle_rp_req_pages in pc.ram at 0x9000 len 0x1000',
    '50@1000.001800:get_queued_page_not_dirty pc.ram/0x9000 page_abs=0x9',
    '',
  ].join('\n');
  const { requests } = requestTimeline(destination, source, 16);
  assert.deepEqual(
    { sentUs: requests.sentUs, queuedUs: requests.queuedUs, skippedAtQueue: requests.skippedAtQueue },
    { sentUs: [null], queuedUs: [1300], skippedAtQueue: [1] },
  );
});

test('requestTimeline: a destination log without the resume is refused; without requests no placement is timed', () => {
  assert.throws(() => requestTimeline('', SOURCE, 16), {
    name: 'UserError',
    message: /no loadvm_postcopy_handle_run_bh/,
  });
  const none = requestTimeline(
    '1@5.000000:loadvm_postcopy_handle_run_bh return\n1@5.000010:postcopy_place_page host=0x10\n',
    '',
    16,
  );
  assert.deepEqual([none.requests.page, none.pushHoldUs, none.sourcePageUs, none.placePageUs], [[], null, null, null]);
});

test('burstStepUs: the mean step shorter than a burst break; none is null', () => {
  assert.equal(burstStepUs([0, 2, 6, 5000, 5004]), 10 / 3);
  assert.equal(burstStepUs([0, 1000]), null, 'a step of BURST_BREAK_US is a break');
  assert.equal(burstStepUs([3]), null);
});

test('summariseDurations: quantiles of one value are that value; none is null', () => {
  assert.deepEqual(summariseDurations([7]), { count: 1, p10: 7, p50: 7, p90: 7, p99: 7, max: 7 });
  assert.equal(summariseDurations([]), null);
});

test('a log cut mid-line: its last line is left out, not read with a cut address', () => {
  // The source's write of page 5 (offset 0x5000) cut to "0x5", the log's last line: read, it would be page 0.
  const cut = SOURCE.slice(0, SOURCE.indexOf('0x5000 host: 0x7e0000005000') + 3);
  assert.ok(cut.endsWith('ram_save_page pc.ram: offset: 0x5'));
  const names = parseTraceLog(cut).map((e) => e.name);
  const whole = ['ram_save_page', 'ram_save_page', 'ram_save_page', 'migrate_handle_rp_req_pages'];
  assert.deepEqual(names, [...whole, 'migrate_handle_rp_req_pages', 'get_queued_page']);
  assert.deepEqual(parseTraceLog('1@5.000000:loadvm_postcopy_handle_run_bh return'), []);
});
