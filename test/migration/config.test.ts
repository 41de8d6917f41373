import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import {
  DEFAULT_SIM_CONFIG,
  parseBandwidth,
  parseDuration,
  resolveSimConfig,
  simulate,
  type SimInput,
} from '../../src/migration';
import {
  COMPARED_METHODS,
  CONTROL_METHODS,
  DEFAULT_ACCURACY_SWEEP,
  DEFAULT_CONFIDENCE_THRESHOLDS,
  DEFAULT_NETWORK_SWEEP,
  DEFAULT_PPM_MISS_SWEEP,
  DEFAULT_PUSH_METHODS,
  DEFAULT_WHAT_IF_AXES,
  DEFAULT_WRITE_SHARE_SWEEP,
  DISTINCT_KINDS,
  EXPERIMENT_DEFAULTS,
  FAULT_CHECK_GRID_US,
  MIGRATION_SETTINGS,
  ORACLE_GOAL_SETTING,
  PPM_VARIANT_METHODS,
  QEMU_KNOB_SETTINGS,
  QEMU_REPLAY,
  SPATIAL_BASELINES,
  SYNTHETIC_DEFAULTS,
  SYNTHETIC_SEEDS,
  WHAT_IF_GRID_METHODS,
  WHAT_IF_METHODS,
  WHAT_IF_PAGE_METHODS,
} from '../../src/experiments';
import { QEMU_RUN_DEFAULTS } from '../../src/qemu/campaign';
import { CURVE_POINTS } from '../../src/report/whatif/compute';
import { DEFAULT_WHATIF_SETTINGS, KNOB_BOUNDS } from '../../src/report/whatif/settings';
import { PPM_DEFAULTS, PREDICT_DEFAULTS } from '../../src/prefetch';
import { GENERATOR_DEFAULTS } from '../../src/trace';
import { UserError } from '../../src/errors';
import { makeTrace, summarizeTrace } from '../../src/trace';
import { typeErrors } from '../type-errors';

test('parseBandwidth reads bits and bytes per second with decimal prefixes', () => {
  assert.equal(parseBandwidth('1gbit'), 1e9);
  assert.equal(parseBandwidth('100mbit'), 1e8);
  assert.equal(parseBandwidth('10Gbit'), 1e10);
  assert.equal(parseBandwidth('10gbps'), 1e10);
  assert.equal(parseBandwidth('125MB/s'), 1e9);
  // b is bits, B bytes, whatever the prefix's case
  assert.equal(parseBandwidth('1Gb/s'), 1e9);
  assert.equal(parseBandwidth('1GB/s'), 8e9);
  assert.equal(parseBandwidth('1gbps'), 1e9);
  assert.equal(parseBandwidth('1GBps'), 8e9);
  assert.equal(parseBandwidth('10 Mbit/s'), 1e7);
  assert.equal(parseBandwidth('2kbyte/s'), 16e3);
  assert.equal(parseBandwidth('2.5e6'), 2.5e6);
  assert.equal(parseBandwidth(42), 42);
  assert.throws(() => parseBandwidth('fast'), UserError);
  assert.throws(() => parseBandwidth('1 zbit'), UserError);
});

test('parseDuration reads microseconds', () => {
  assert.equal(parseDuration('200us'), 200);
  assert.equal(parseDuration('1ms'), 1000);
  assert.equal(parseDuration('0.5s'), 500_000);
  assert.equal(parseDuration('500ns'), 0.5);
  assert.equal(parseDuration('75'), 75);
  assert.throws(() => parseDuration('soon'), UserError);
});

test('resolveSimConfig fills the VM size and page size from the trace', () => {
  const config = resolveSimConfig(summarizeTrace(makeTrace({ page: [3, 9, 4] }, { pageSize: 8192 })));
  assert.equal(config.vmPages, 10);
  assert.equal(config.pageSize, 8192);
  assert.equal(config.network.bandwidthBps, 1e9);
});

test('impossible parameters are UserErrors naming the parameter', () => {
  const trace = makeTrace({ time: [0, 10, 20], page: [0, 5, 2] });
  const cases: [SimInput, RegExp][] = [
    [{ network: { bandwidthBps: 0 } }, /bandwidth must be a finite number > 0/],
    [{ network: { bandwidthBps: -5 } }, /bandwidth/],
    [{ network: { rttUs: -1 } }, /rtt must be a finite number >= 0/],
    [{ network: { messageOverheadBytes: 1.5 } }, /message overhead/],
    [{ k: -1 }, /k must be a whole number >= 0/],
    [{ k: 2 ** 22 + 1 }, /k must be at most 4194304, got 4194305/],
    [{ vmPages: 5 }, /touches page 5, beyond the VM's 5 pages/],
    [{ switchover: 21 }, /no access left after switchover 21/],
    [{ instructionsPerSecond: 0 }, /instructions per second/],
    [{ precopyMaxRounds: 0 }, /pre-copy rounds/],
    [{ predictor: 'psychic' as never }, /unknown predictor "psychic"/],
    [{ vmPages: 2 ** 27 + 1 }, /too large to simulate/],
    [{ push: 'sometimes' as never }, /push must be one of/],
    [{ mode: 'teleport' as never }, /mode must be one of/],
    // a number given as a string (a notebook's '8'): 21ce104 said "got 8", as if 8 were refused, and ran '0.5'
    [{ k: '8' as never }, /^k must be a whole number >= 0, got "8"$/],
    [{ network: { rttUs: '200' as never } }, /^rtt must be a finite number >= 0, got "200"$/],
    [{ zeroPageShare: '0.5' as never }, /^zero page share must be a number between 0 and 1, got "0\.5"$/],
    // ran as if a number, by the one comparison that checked it
    [
      { network: { peakBandwidthBps: '2e9' as never, rateLimitWindowUs: 1000 } },
      /^peak bandwidth must be a finite number > 0, got "2e9"$/,
    ],
    [{ network: { peakBandwidthBps: Infinity, rateLimitWindowUs: 1000 } }, /^peak bandwidth must be a finite/],
    // the command line's --switchover 0.3 is 30 % of the accesses; simulate took 0.3 as an instruction (session 34)
    [
      { switchover: 0.3 },
      /^switchover is an instruction count, a whole number, got 0\.3: for a share .*\(trace, 0\.3\)$/,
    ],
    [{ switchover: '30%' as never }, /^switchover must be a finite number >= 0, got "30%"$/],
    // a misspelt name ran the default without a word (session 34): the command line's --prefetcher ran plain post-copy
    [{ prefetcher: 'ppm' } as never, /^unknown simulation setting "prefetcher" \(known: mode, predictor, k, /],
    [{ network: { bandwidth: 1e6 } } as never, /^unknown network setting "bandwidth" \(known: bandwidthBps, rttUs, /],
    [
      { predictor: 'ppm', predictorOptions: { ordre: 1 } } as never,
      /^unknown predictor option "ordre" \(known: direction, training, history, order, .*, trace, firstTouches\)$/,
    ],
  ];
  for (const [input, message] of cases)
    assert.throws(
      () => simulate(trace, input),
      (err: unknown) => err instanceof UserError && message.test(err.message),
      JSON.stringify(input),
    );
  assert.throws(() => simulate(makeTrace({ page: [] })), /is empty/);
  // a name another predictor reads is taken (one options object may configure several); so are the trace's views
  const shared = { predictorOptions: { order: 2, seed: 's', firstTouches: new Uint32Array([0, 5, 2]) } };
  assert.equal(simulate(trace, { ...shared, predictor: 'next-k' }).networkFaults, 1);
});

test('the defaults (DEFAULT_SIM_CONFIG, EXPERIMENT_DEFAULTS, ...) are frozen all the way down: no later run changes', () => {
  const objects = (value: unknown): object[] =>
    typeof value === 'object' && value !== null ? [value, ...Object.values(value).flatMap(objects)] : [];
  const everyDefault = [
    DEFAULT_SIM_CONFIG,
    EXPERIMENT_DEFAULTS,
    PPM_DEFAULTS,
    PREDICT_DEFAULTS,
    GENERATOR_DEFAULTS,
    SYNTHETIC_DEFAULTS,
    SYNTHETIC_SEEDS,
    DEFAULT_ACCURACY_SWEEP,
    DEFAULT_NETWORK_SWEEP,
    DEFAULT_PPM_MISS_SWEEP,
    DEFAULT_WRITE_SHARE_SWEEP,
    DEFAULT_WHAT_IF_AXES,
    DEFAULT_PUSH_METHODS,
    DEFAULT_CONFIDENCE_THRESHOLDS,
    COMPARED_METHODS,
    CONTROL_METHODS,
    ORACLE_GOAL_SETTING,
    MIGRATION_SETTINGS,
    QEMU_KNOB_SETTINGS,
    PPM_VARIANT_METHODS,
    SPATIAL_BASELINES,
    DISTINCT_KINDS,
    WHAT_IF_METHODS,
    WHAT_IF_GRID_METHODS,
    WHAT_IF_PAGE_METHODS,
    QEMU_REPLAY,
    FAULT_CHECK_GRID_US,
    QEMU_RUN_DEFAULTS,
    DEFAULT_WHATIF_SETTINGS,
    KNOB_BOUNDS,
    CURVE_POINTS,
  ];
  for (const defaults of everyDefault)
    for (const object of objects(defaults)) assert.ok(Object.isFrozen(object), JSON.stringify(object));
  const trace = makeTrace({ time: [0, 10, 20, 30, 40], page: [0, 1, 7, 3, 4] });
  const before = simulate(trace, { predictor: 'next-k' });
  // a notebook in plain JavaScript, or TypeScript cast to any: the writes do not take (TypeError in strict code)
  assert.equal(Reflect.set(DEFAULT_SIM_CONFIG, 'k', 0), false);
  assert.equal(Reflect.set(DEFAULT_SIM_CONFIG.network, 'rttUs', 1e6), false);
  assert.equal(Reflect.set(EXPERIMENT_DEFAULTS, 'k', 0), false);
  assert.equal(Reflect.set(MIGRATION_SETTINGS[1].overrides, 'push', 'off'), false);
  assert.equal(Reflect.set(QEMU_RUN_DEFAULTS, 'ramMiB', 4096), false);
  assert.equal(Reflect.set(ORACLE_GOAL_SETTING, 'k', 4), false);
  // a push into a frozen array throws, strict code or not
  assert.throws(() => (COMPARED_METHODS as unknown[]).push({ label: 'mine', predictor: 'none' }), TypeError);
  assert.throws(() => (DEFAULT_WHATIF_SETTINGS.methods as string[]).push('leap'), TypeError);
  assert.deepEqual(simulate(trace, { predictor: 'next-k' }), before);
  // a resolved configuration is the caller's own to change
  const resolved = resolveSimConfig(summarizeTrace(trace));
  resolved.predictorOptions.order = 9;
  resolved.network.rttUs = 1;
  assert.deepEqual([DEFAULT_SIM_CONFIG.predictorOptions, DEFAULT_SIM_CONFIG.network.rttUs], [{}, 200]);
});

test('TypeScript refuses writes into the defaults at any depth (as tslab would, before the cell runs)', () => {
  assert.deepEqual(typeErrors(resolve('test/fixtures/frozen-defaults-types.ts')), []);
});
