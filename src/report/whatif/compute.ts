/**
 * What the what-if worker computes for one setting: every metric of each selected method, and a curve
 * of faults and stall over k or bandwidth. Plain functions over the library (no DOM), so tests run them in node.
 */
import { simulate } from '../../migration/simulate';
import type { MigrationResult } from '../../migration/types';
import { predictorDefinition } from '../../prefetch/registry';
import type { PredictorName } from '../../prefetch/types';
import type { Trace } from '../../trace/types';
import { simInputOf, type CurveAxis, type WhatifSettings } from './settings';
import { deepFreeze } from '../../util/deep-freeze';

/** Points of the curve: k doubles from 0 to 64; bandwidth spans a slow WAN to a fast data-centre link. */
export const CURVE_POINTS: Readonly<Record<CurveAxis, readonly number[]>> = deepFreeze({
  k: [0, 1, 2, 4, 8, 16, 32, 64],
  bandwidth: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 100],
});

/**
 * The curve's x values at a setting: with a rate window and a peak bandwidth, the link's own speed bounds the
 * bandwidth limit, so the bandwidth curve ends at the peak itself (the simulator refuses a limit above it); a peak
 * below the slowest point still leaves that one point, never an empty curve.
 */
export function curveXs(settings: WhatifSettings): readonly number[] {
  const xs = CURVE_POINTS[settings.curve];
  const peak = settings.rateWindowMs > 0 && settings.peakBandwidthGbps > 0 ? settings.peakBandwidthGbps : Infinity;
  if (settings.curve !== 'bandwidth' || peak >= xs[xs.length - 1]) return xs;
  const below = xs.filter((x) => x < peak);
  return [...below, peak];
}

export interface CurvePoint {
  method: PredictorName;
  x: number;
  networkFaults: number;
  stallMs: number;
}

/**
 * One trace and the results of earlier runs on it by method and setting, so that a knob moved back costs
 * nothing and an option only some predictors declare (PPM's order) re-runs only those.
 */
export class TraceRuns {
  private readonly results = new Map<string, MigrationResult>();

  constructor(
    readonly trace: Trace,
    private readonly limit = 512,
  ) {}

  simulate(method: PredictorName, settings: WhatifSettings): MigrationResult {
    const declared = predictorDefinition(method).options;
    const options = Object.entries(settings.options).filter(([name]) => name in declared);
    const key = JSON.stringify([method, options, { ...settings, workload: '', methods: [], curve: '', options: {} }]);
    let result = this.results.get(key);
    if (!result) {
      result = simulate(this.trace, { ...simInputOf(settings, this.trace), predictor: method });
      if (this.results.size >= this.limit) this.results.delete(this.results.keys().next().value as string);
      this.results.set(key, result);
    }
    return result;
  }
}

/** The setting with the curve's knob at x. */
export function atCurvePoint(settings: WhatifSettings, x: number): WhatifSettings {
  return settings.curve === 'k' ? { ...settings, k: x } : { ...settings, bandwidthGbps: x };
}

/** One method's point of the curve at x. */
export function curvePoint(runs: TraceRuns, settings: WhatifSettings, x: number, method: PredictorName): CurvePoint {
  const r = runs.simulate(method, atCurvePoint(settings, x));
  return { method, x, networkFaults: r.networkFaults, stallMs: r.stallMs };
}
