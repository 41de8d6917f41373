/**
 * Hand-worked timing examples. Numbers are chosen so that every step is a round number of
 * microseconds: 1 Mbit/s link, 100-byte pages + 25 bytes of header = 125 bytes = 1000 bits =
 * 1000 us per page message; 225 bytes of state + 25 = 250 bytes = 2000 us; RTT 400 us (200 us
 * one way); 0.5 ms fixed switchover cost; 1e6 instructions/s (1 instruction = 1 us).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimInput } from '../../src/migration';
import { makeTrace } from '../../src/trace';

const SLOW_LINK: SimInput = {
  pageSize: 100,
  network: { bandwidthBps: 1e6, rttUs: 400, messageOverheadBytes: 25, urgentChannel: false },
  cpuStateBytes: 225,
  switchoverFixedMs: 0.5,
  instructionsPerSecond: 1e6,
  predictor: 'none',
  push: 'off',
};

test('post-copy, no prefetch, no push: three faults', () => {
  const trace = makeTrace({ time: [0, 100, 300, 1000], page: [0, 0, 1, 2] });
  const r = simulate(trace, SLOW_LINK);
  // Downtime: state 2000 (link busy 0..2000) + 200 one way + 500 fixed = 2700; the VM resumes at 2700, instruction 0.
  // Access p0 at 2700: fault, request at source 2900, p0 on the link 2900..3900, arrives 4100: stall 1400.
  // Access p0 at 2700 + 100 + 1400 = 4200: here.
  // Access p1 at 2700 + 300 + 1400 = 4400: fault, request 4600, link 4600..5600, arrives 5800: stall 2800.
  // Access p2 at 2700 + 1000 + 2800 = 6500: fault, request 6700, link 6700..7700, arrives 7900: stall 4200.
  // Every page has arrived: the migration ends at 7900.
  assert.equal(r.downtimeMs, 2.7);
  assert.equal(r.stallMs, 4.2);
  assert.equal(r.totalMigrationMs, 7.9);
  assert.equal(r.networkFaults, 3);
  assert.equal(r.pagesSent, 3);
  assert.equal(r.bytesSent, 3 * 125 + 250);
  // Waits 1400, 1400, 1400: every quantile is 1400. The last wait ends at 7900, 5200 after the resume.
  assert.deepEqual([r.waitP50Ms, r.waitP99Ms, r.maxWaitMs, r.degradedMs], [1.4, 1.4, 1.4, 5.2]);
});

test('post-copy, next-k with k = 1: a late prefetch and the untouched page flushed at the end', () => {
  const trace = makeTrace({ time: [0, 500, 600], page: [0, 1, 3] });
  const r = simulate(trace, { ...SLOW_LINK, predictor: 'next-k', k: 1, vmPages: 4 });
  // Resume at 2700. Access p0 at 2700: fault, request 2900; p0 on the link 2900..3900 (arrives 4100),
  // predicted p1 behind it 3900..4900 (arrives 5100). Stall 1400.
  // Access p1 at 2700 + 500 + 1400 = 4600: in flight, late prefetch, wait 500 -> stall 1900.
  // Access p3 at 2700 + 600 + 1900 = 5200: fault, request 5400, link free since 4900: 5400..6400,
  // arrives 6600 (p4 is outside the VM). Stall 3300.
  // The VM ends at 6600; push is off, so untouched p2 goes then: 6600..7600, arrives 7800.
  assert.equal(r.downtimeMs, 2.7);
  assert.equal(r.stallMs, 3.3);
  assert.equal(r.totalMigrationMs, 7.8);
  assert.deepEqual(
    [r.networkFaults, r.latePrefetches, r.prefetchIssued, r.prefetchUsed, r.pushPages, r.pagesSent],
    [2, 1, 1, 1, 1, 4],
  );
  // Waits 1400, 500 (late), 1400, sorted 500, 1400, 1400: median 1400; p99 at rank 1.98 = 1400.
  // The last wait ends when p3 arrives at 6600: 3900 after the resume (the flush of p2 afterwards does not count).
  assert.deepEqual([r.waitP50Ms, r.waitP99Ms, r.maxWaitMs, r.degradedMs], [1.4, 1.4, 1.4, 3.9]);
});

test('wait percentiles interpolate between two different waits; the wait observer sees each wait', () => {
  const trace = makeTrace({ time: [0, 500], page: [0, 1] });
  const waits: [number, number][] = [];
  const r = simulate(
    trace,
    { ...SLOW_LINK, predictor: 'next-k', k: 1, vmPages: 2 },
    { onWait: (at, us) => waits.push([at, us]) },
  );
  // Resume 2700: p0 faults, arrives 4100 (wait 1400 from 2700); p1 was predicted, on the link 3900..4900,
  // arrives 5100; the VM touches it at 2700 + 500 + 1400 = 4600 and waits 500.
  // Sorted waits 500, 1400: median 500 + 0.5 * 900 = 950; p99 500 + 0.99 * 900 = 1391. Last wait ends 5100.
  assert.deepEqual(waits, [
    [2700, 1400],
    [4600, 500],
  ]);
  assert.deepEqual([r.stallMs, r.waitP50Ms, r.waitP99Ms, r.maxWaitMs, r.degradedMs], [1.9, 0.95, 1.391, 1.4, 2.4]);
});

test('post-copy with restart push: the faulted page waits for the push page on the link, unless the urgent channel carries it', () => {
  const trace = makeTrace({ time: [0, 3000], page: [2, 0] });
  const shared = simulate(trace, { ...SLOW_LINK, push: 'restart', vmPages: 4 });
  // The state leaves by 2000, then the push starts at page 0: 2000..3000 (arrives 3200).
  // Access p2 at 2700: fault, request 2900; the link finishes p0 first, p2 goes 3000..4000,
  // arrives 4200: stall 1500. The push restarts after p2: p3 at 4000..5000 (arrives 5200).
  // Access p0 at 2700 + 3000 + 1500 = 7200: arrived at 3200, no wait.
  // Wrapping around, p1 goes 5000..6000 and arrives 6200: the end of the migration.
  assert.equal(shared.downtimeMs, 2.7);
  assert.equal(shared.stallMs, 1.5);
  assert.equal(shared.totalMigrationMs, 6.2);
  assert.deepEqual([shared.networkFaults, shared.pushPages], [1, 3]);

  const urgent = simulate(trace, {
    ...SLOW_LINK,
    push: 'restart',
    vmPages: 4,
    network: { ...SLOW_LINK.network, urgentChannel: true },
  });
  // p2 leaves on the urgent channel at once: 2900..3900, arrives 4100: stall 1400.
  // The link goes on undisturbed: p0 2000..3000, p3 3000..4000, p1 4000..5000 (arrives 5200).
  assert.equal(urgent.stallMs, 1.4);
  assert.equal(urgent.totalMigrationMs, 5.2);
});

test('pre-copy: a page written after its round sent it is resent; one written before is not', () => {
  const trace = makeTrace({ time: [500, 1500, 2500], page: [0, 1, 1], write: [1, 1, 1] });
  const r = simulate(trace, { ...SLOW_LINK, mode: 'precopy', precopyStopPages: 0, precopyMaxRounds: 5 });
  // Round 1 at time 0: p0 0..1000, p1 1000..2000. Writes before 2000: p0 at 500 (after its send
  // started at 0) and p1 at 1500 (after 1000): both dirty.
  // Round 2: p0 2000..3000, p1 3000..4000. The write of p1 at 2500 comes before its send at 3000:
  // the round carries it. Nothing dirty: stop-and-copy of the state alone at 4000:
  // downtime = 2000 + 200 + 500 = 2700, the migration ends at 6700.
  assert.equal(r.precopyRounds, 2);
  assert.equal(r.pagesSent, 4);
  assert.equal(r.downtimeMs, 2.7);
  assert.equal(r.totalMigrationMs, 6.7);
  assert.equal(r.stallMs, 0);
  assert.deepEqual([r.waitP50Ms, r.waitP99Ms, r.maxWaitMs, r.degradedMs], [0, 0, 0, 0]);
});

test('pre-copy stop-and-copy after the round limit sends the dirty pages during the downtime; hybrid faults them instead', () => {
  const trace = makeTrace({ time: [500, 1500, 2500], page: [0, 1, 1], write: [1, 1, 1] });
  const limits: SimInput = { ...SLOW_LINK, precopyStopPages: 0, precopyMaxRounds: 1 };
  const pre = simulate(trace, { ...limits, mode: 'precopy' });
  // One round (0..2000) leaves p0 and p1 dirty. Stop-and-copy: 2 x 125 + 250 bytes = 4000 us,
  // + 200 + 500: downtime 4700, end 2000 + 4700 = 6700.
  assert.deepEqual([pre.precopyRounds, pre.pagesSent, pre.downtimeMs, pre.totalMigrationMs], [1, 4, 4.7, 6.7]);

  const hybrid = simulate(trace, { ...limits, mode: 'hybrid' });
  // Pause at 2000 (instruction 2000): state 2000..4000, downtime 2700, resume at 4700.
  // Access p1 at instruction 2500: 4700 + 500 = 5200, fault, request 5400, link 5400..6400,
  // arrives 6600: stall 1400. The VM ends at 6600; p0, still dirty and untouched, 6600..7600, arrives 7800.
  assert.deepEqual([hybrid.precopyRounds, hybrid.networkFaults, hybrid.pagesSent], [1, 1, 4]);
  assert.equal(hybrid.downtimeMs, 2.7);
  assert.equal(hybrid.stallMs, 1.4);
  assert.equal(hybrid.totalMigrationMs, 7.8);
});

test('switchover: earlier accesses are history, the VM resumes at the switchover instruction', () => {
  const trace = makeTrace({ time: [0, 100, 1000, 1300], page: [0, 1, 0, 2] });
  const r = simulate(trace, { ...SLOW_LINK, switchover: 1000 });
  // Resume at 2700 with the VM at instruction 1000. Access p0 at 2700: fault, arrives 4100 (stall 1400).
  // Access p2 at 2700 + 300 + 1400 = 4400: fault, request 4600, 4600..5600, arrives 5800 (stall 2800).
  // Untouched p1 after the VM ends at 5800: 5800..6800, arrives 7000.
  assert.equal(r.accesses, 2);
  assert.equal(r.networkFaults, 2);
  assert.equal(r.stallMs, 2.8);
  assert.equal(r.totalMigrationMs, 7);
});

test('urgent channel: the faulted page skips the predicted pages queued on the link', () => {
  const trace = makeTrace({ time: [0, 100, 200, 300], page: [0, 3, 2, 5] });
  const input: SimInput = { ...SLOW_LINK, predictor: 'next-k', k: 2, vmPages: 6 };
  const urgent = simulate(trace, { ...input, network: { ...SLOW_LINK.network, urgentChannel: true } });
  // Resume 2700. p0 at 2700: fault, request 2900; p0 urgent 2900..3900 (arrives 4100); p1 on the
  // link 2900..3900 (4100), p2 3900..4900 (5100). Stall 1400.
  // p3 at 2700 + 100 + 1400 = 4200: fault, request 4400; p3 urgent 4400..5400 (5600): stall 2800;
  // p4 on the link after p2: 4900..5900 (6100), p5 5900..6900 (7100).
  // p2 at 2700 + 200 + 2800 = 5700: here since 5100.
  // p5 at 2700 + 300 + 2800 = 5800: late, waits until 7100: stall 4100. Last arrival 7100.
  assert.deepEqual(
    [urgent.networkFaults, urgent.latePrefetches, urgent.prefetchIssued, urgent.prefetchUsed],
    [2, 1, 4, 2],
  );
  assert.equal(urgent.stallMs, 4.1);
  assert.equal(urgent.totalMigrationMs, 7.1);

  const shared = simulate(trace, input);
  // p0 2900..3900 (4100), p1 3900..4900 (5100), p2 4900..5900 (6100). Stall 1400.
  // p3 at 4200: request 4400, but the link is busy until 5900: p3 5900..6900 (7100): stall 4300;
  // p4 6900..7900 (8100), p5 7900..8900 (9100).
  // p2 at 2700 + 200 + 4300 = 7200: here. p5 at 7300: late until 9100: stall 6100. Last arrival 9100.
  assert.equal(shared.stallMs, 6.1);
  assert.equal(shared.totalMigrationMs, 9.1);
});

test('fault cost: each network fault waits the host cost before the source handles the request', () => {
  const trace = makeTrace({ time: [0, 100, 300, 1000], page: [0, 0, 1, 2] });
  const r = simulate(trace, { ...SLOW_LINK, faultCostUs: 300 });
  // As in the first example, but the request reaches the source 200 + 300 us after the fault.
  // p0 at 2700: request 3200, link 3200..4200, arrives 4400: stall 1700. p0 again at 4500: here.
  // p1 at 2700 + 300 + 1700 = 4700: request 5200, 5200..6200, arrives 6400: stall 3400.
  // p2 at 2700 + 1000 + 3400 = 7100: request 7600, 7600..8600, arrives 8800: stall 5100.
  assert.equal(r.downtimeMs, 2.7);
  assert.equal(r.stallMs, 5.1);
  assert.equal(r.totalMigrationMs, 8.8);
  assert.equal(r.networkFaults, 3);
});

test('zero pages go as a header only, in a VM larger than the trace, with restart push', () => {
  const trace = makeTrace({ time: [0, 3000], page: [2, 0] });
  const r = simulate(trace, { ...SLOW_LINK, push: 'restart', vmPages: 6, zeroPages: [1, 3, 4, 5] });
  // A zero page message is the 25 header bytes: 200 us. The state leaves by 2000; push p0 (whole)
  // 2000..3000 (arrives 3200). p2 at 2700: fault, request 2900, behind p0: 3000..4000, arrives 4200,
  // stall 1500. The push restarts after p2: zero p3 4000..4200, p4 ..4400, p5 ..4600, wraps to
  // p1 4600..4800, arrives 5000. p0 at 2700 + 3000 + 1500: here.
  assert.equal(r.stallMs, 1.5);
  assert.equal(r.totalMigrationMs, 5);
  assert.deepEqual([r.networkFaults, r.pushPages, r.pagesSent, r.zeroPagesSent], [1, 5, 6, 4]);
  assert.equal(r.bytesSent, 2 * 125 + 4 * 25 + 250);
});

test('pre-copy: a zero page costs a header in round 1 and a whole page once written', () => {
  const trace = makeTrace({ time: [500, 1500, 2500], page: [0, 1, 1], write: [1, 1, 1] });
  const r = simulate(trace, {
    ...SLOW_LINK,
    mode: 'precopy',
    precopyStopPages: 0,
    precopyMaxRounds: 9,
    zeroPages: [0],
  });
  // Round 1: zero p0 0..200, p1 200..1200. p0 written at 500 after its send: dirty.
  // Round 2: p0 (whole now) 1200..2200; p1 written at 1500 while not in the round: dirty.
  // Round 3: p1 2200..3200, written at 2500 after its send started: dirty. Round 4: p1 3200..4200, clean.
  // Stop-and-copy of the state at 4200: downtime 2700, end 6900.
  assert.deepEqual([r.precopyRounds, r.pagesSent, r.zeroPagesSent], [4, 5, 1]);
  assert.equal(r.downtimeMs, 2.7);
  assert.equal(r.totalMigrationMs, 6.9);
  assert.equal(r.bytesSent, 4 * 125 + 25 + 250);
});

test('hybrid with a post-copy start time: the round is cut, pages not fully sent stay on the source', () => {
  const trace = makeTrace({ time: [500, 1500, 2500], page: [0, 1, 1], write: [1, 1, 1] });
  const r = simulate(trace, { ...SLOW_LINK, mode: 'hybrid', vmPages: 3, postcopyAfterMs: 1.5 });
  // Round 1: p0 0..1000; p1 would end at 2000 > 1500: cut there, p1 and p2 stay on the source.
  // p0 was written at 500, after its send started: dirty too. Pause at 1500 (instruction 1500):
  // state 1500..3500, resume 3500 + 200 + 500 = 4200. p1 at 4200: fault, request 4400, 4400..5400,
  // arrives 5600: stall 1400. p1 again at 4200 + 1000 + 1400: here. The VM ends at 6600; push off:
  // p0 6600..7600, p2 7600..8600, arriving 8800.
  assert.deepEqual([r.precopyRounds, r.pagesSent, r.networkFaults], [1, 4, 1]);
  assert.equal(r.downtimeMs, 2.7);
  assert.equal(r.stallMs, 1.4);
  assert.equal(r.totalMigrationMs, 8.8);
  assert.throws(() => simulate(trace, { ...SLOW_LINK, postcopyAfterMs: 1 }), /needs hybrid mode, not postcopy/);
});

test('fault cost with restart push: a page the push sends before the destination asks for it is no network fault', () => {
  const trace = makeTrace({ time: [0, 3000], page: [1, 3] });
  const input: SimInput = { ...SLOW_LINK, push: 'restart', vmPages: 4 };
  const slow = simulate(trace, { ...input, faultCostUs: 1500 });
  // The push starts at 2000: p0 2000..3000 (arrives 3200), p1 3000..4000 (4200), p2 4000..5000, p3 5000..6000 (6200).
  // p1 at 2700: the destination looks at 2700 + 1500 = 4200; p1 started at 3000, so no request:
  // the VM waits for its arrival at 4200 (stall 1500). p3 at 2700 + 3000 + 1500 = 7200: here since 6200.
  assert.deepEqual([slow.networkFaults, slow.latePrefetches], [0, 1]);
  assert.equal(slow.stallMs, 1.5);
  assert.equal(slow.totalMigrationMs, 6.2);
  const fast = simulate(trace, input);
  // Without the cost p1 is still on the source at 2700: a fault; request 2900, behind p0: 3000..4000, arrives 4200.
  assert.deepEqual([fast.networkFaults, fast.latePrefetches, fast.stallMs], [1, 0, 1.5]);
});

test('fault check time: the destination decides early whether to ask, the rest of the host cost delays the request', () => {
  const trace = makeTrace({ time: [0, 3000], page: [1, 3] });
  const input: SimInput = { ...SLOW_LINK, push: 'restart', vmPages: 4, faultCostUs: 1500 };
  const r = simulate(trace, { ...input, faultCheckUs: 200 });
  // The push starts at 2000: p0 2000..3000 (arrives 3200), p1 would start at 3000.
  // p1 at 2700: the destination looks at 2700 + 200 = 2900, p1 not started: a network fault. The request
  // reaches the source at 2700 + 200 (one way) + 1500 = 4400; the push sent p1 3000..4000 meanwhile
  // (arrives 4200), so the source sends nothing more: stall 4200 - 2700 = 1500. The push goes on
  // after p1 with p2 4000..5000 and p3 5000..6000 (arrives 6200). p3 at 2700 + 3000 + 1500 = 7200: here.
  assert.deepEqual([r.networkFaults, r.latePrefetches, r.pagesSent], [1, 0, 4]);
  assert.equal(r.stallMs, 1.5);
  assert.equal(r.totalMigrationMs, 6.2);
  // The check at the whole cost is the default: the same run as "fault cost with restart push".
  const whole = simulate(trace, input);
  assert.deepEqual([whole.networkFaults, whole.latePrefetches], [0, 1]);
  assert.deepEqual(simulate(trace, { ...input, faultCheckUs: 1500 }), whole);
  assert.throws(
    () => simulate(trace, { ...input, faultCheckUs: 1600 }),
    /fault check time must be at most the fault cost/,
  );
  assert.throws(() => simulate(trace, { ...input, faultCheckUs: -1 }), /fault check time must be a finite number >= 0/);
});

test("rate-limit windows: the push runs at the peak until the window's budget is spent, then waits for the next window", () => {
  const trace = makeTrace({ time: [0, 20000], page: [7, 0] });
  const network = { ...SLOW_LINK.network, rateLimitWindowUs: 5000, peakBandwidthBps: 2e6 };
  const r = simulate(trace, { ...SLOW_LINK, push: 'restart', vmPages: 8, network });
  // Budget: 1 Mbit/s x 5 ms = 625 bytes = 5 page messages per window; at the 2 Mbit/s peak a page takes 500 us.
  // The state leaves by 2000 (at the bandwidth). Push: p0 2000..2500, p1 2500..3000.
  // p7 at 2700: fault, request 2900, behind p1: 3000..3500 (counts against window 0), arrives 3700: stall 1000.
  // The push restarts after p7, wraps to p2: 3500..4000, p3 4000..4500: 5 messages, budget spent;
  // p4 waits for window 1: 5000..5500, p5 5500..6000, p6 6000..6500, arriving 6700. p0 at 23700: here.
  assert.deepEqual([r.networkFaults, r.pushPages], [1, 7]);
  assert.equal(r.stallMs, 1);
  assert.equal(r.totalMigrationMs, 6.7);
});

test('hybrid cut short: an unsent zero page stays a header in post-copy, a written one goes whole', () => {
  const trace = makeTrace({ time: [500, 1500, 2500], page: [0, 1, 1], write: [1, 1, 1] });
  const r = simulate(trace, { ...SLOW_LINK, mode: 'hybrid', vmPages: 3, postcopyAfterMs: 1.5, zeroPages: [2] });
  // As above: p0 0..1000, cut at 1500, p1 and zero p2 stay on the source, p0 written: dirty. Resume 4200,
  // p1 faults (stall 1400), the VM ends at 6600; then p0 whole 6600..7600 and p2, still zero (never
  // written), as its 25-byte header 7600..7800, arriving 8000.
  assert.deepEqual([r.pagesSent, r.zeroPagesSent, r.networkFaults], [4, 1, 1]);
  assert.equal(r.totalMigrationMs, 8);
  assert.equal(r.bytesSent, 3 * 125 + 25 + 250);
});

test('requests waiting for the window: a page asked for once the budget is spent goes at the next window', () => {
  const trace = makeTrace({ time: [2000, 20000], page: [7, 0] });
  const network = { ...SLOW_LINK.network, rateLimitWindowUs: 5000, peakBandwidthBps: 2e6 };
  const input: SimInput = { ...SLOW_LINK, push: 'restart', vmPages: 8, network };
  // Budget 5 page messages per 5 ms window, 500 us each at the peak. The push: p0 2000..2500 ... p4 4000..4500,
  // the budget of window 0 spent; p5 would wait for 5000. p7 at 2700 + 2000 = 4700: fault, request at 4900.
  const asap = simulate(trace, input);
  // At once (over the budget): 4900..5400, arrives 5600 (stall 900); p5 5400..5900, p6 5900..6400, arriving 6600.
  assert.deepEqual([asap.networkFaults, asap.stallMs, asap.totalMigrationMs], [1, 0.9, 6.6]);
  const waiting = simulate(trace, { ...input, network: { ...network, requestsWaitForWindow: true } });
  // Waiting: 5000..5500, arrives 5700 (stall 1000); p5 5500..6000, p6 6000..6500, arriving 6700.
  assert.deepEqual([waiting.networkFaults, waiting.stallMs, waiting.totalMigrationMs], [1, 1, 6.7]);
  assert.throws(
    () => simulate(trace, { ...input, network: { ...SLOW_LINK.network, requestsWaitForWindow: true } }),
    /requests waiting for the window need a rate limit window/,
  );
  // an urgent channel bypasses the link's windows, so the two settings together would silently drop the wait
  assert.throws(
    () => simulate(trace, { ...input, network: { ...network, requestsWaitForWindow: true, urgentChannel: true } }),
    /requests waiting for the window go on the link, not on an urgent channel/,
  );
});

test('a source that writes faster than the link: its queued pages are on their way, not faults', () => {
  const trace = makeTrace({ time: [0, 1000], page: [1, 3] });
  const input: SimInput = { ...SLOW_LINK, push: 'restart', vmPages: 4 };
  const same = simulate(trace, input);
  // One clock: p0 2000..3000; p1 at 2700 not started: fault, request 2900, behind p0 3000..4000, arrives 4200
  // (stall 1500); p2 4000..5000, p3 5000..6000 (6200). p3 at 2700 + 1500 + 1000 = 5200: on the link, waits 1000.
  assert.deepEqual([same.networkFaults, same.latePrefetches, same.stallMs, same.totalMigrationMs], [1, 1, 2.5, 6.2]);
  const fast = simulate(trace, { ...input, network: { ...SLOW_LINK.network, writeBandwidthBps: 5e6 } });
  // The source writes a 125-byte page message in 200 us: p0 at 2000, p1 2200, p2 2400, p3 2600, each sent from then
  // on; the link carries them 2000..3000, 3000..4000, 4000..5000, 5000..6000. p1 at 2700 is on its way (arrives
  // 4200): no fault, the same wait; p3 at 5200 waits for 6200 as before.
  assert.deepEqual([fast.networkFaults, fast.latePrefetches, fast.stallMs, fast.totalMigrationMs], [0, 2, 2.5, 6.2]);
  const slow = simulate(trace, { ...input, network: { ...SLOW_LINK.network, writeBandwidthBps: 0.5e6 } });
  // A source slower than the link (2000 us a page message) holds the link back: p0 written 2000..4000, carried by
  // 4000 (4200). p1 at 2700 unwritten: fault, request 2900, written 4000..6000 (6200, stall 3500); the push goes on
  // at p2, written 6000..8000. p3 at 6200 + 1000 = 7200 unwritten: fault, request 7400, written 8000..10000
  // (10200, stall 3000). p2 arrives at 8200, unused.
  assert.deepEqual([slow.networkFaults, slow.stallMs, slow.totalMigrationMs], [2, 6.5, 10.2]);
  assert.throws(
    () => simulate(trace, { ...input, network: { ...SLOW_LINK.network, writeBandwidthBps: 0 } }),
    /write bandwidth must be a finite number > 0/,
  );
});
