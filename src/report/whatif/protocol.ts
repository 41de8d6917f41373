/** Messages between the what-if page and its worker (structured-cloned; trace bytes are transferred). */
import type { GeneratorKind, GeneratorOptions } from '../../trace/generators';
import type { MigrationResult } from '../../migration/types';
import type { CurvePoint } from './compute';
import type { WhatifSettings } from './settings';

/** Where a workload's trace comes from: bytes of a trace file (any format loadTrace reads) or a seeded generator. */
export type TraceSource =
  | { kind: 'file'; name: string; bytes: Uint8Array }
  | { kind: 'generated'; name: string; generator: GeneratorKind; options: GeneratorOptions };

export type ToWorker =
  /** Decode or generate a trace and keep it under `id`; answered by 'loaded' or 'error'. */
  | { type: 'load'; id: string; source: TraceSource }
  /**
   * Simulate at a setting on a loaded trace: the selected methods, or the curve. The page gives each part its
   * own worker, so the table never waits for a curve; a newer 'run' abandons the rest of an older curve.
   */
  | { type: 'run'; part: 'results' | 'curve'; seq: number; traceId: string; settings: WhatifSettings };

export type FromWorker =
  | { type: 'loaded'; id: string; accesses: number; ms: number }
  /** The methods simulated so far, after each one; `done` with the last (the opening table fills as they come). */
  | { type: 'results'; seq: number; results: MigrationResult[]; done: boolean; ms: number }
  | { type: 'curve'; seq: number; points: CurvePoint[]; done: boolean; ms: number }
  /** One line naming the problem; `id` for a failed load, `seq` for a failed run. */
  | { type: 'error'; id?: string; seq?: number; message: string };
