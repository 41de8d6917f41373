export * from './types';
export * from './switchover';
export { makeTrace, TraceBuilder, checkPageSize, type TraceColumns, type TraceMeta } from './make';
export { loadTrace, saveTrace, isBinaryPath } from './io';
export { readBinaryTraceStream, encodeBinaryTrace, decodeBinaryTrace, BINARY_VERSION } from './binary';
export { parseTextTrace, formatTextTrace } from './text';
export { LackeyConverter, DEFAULT_LRU_PAGES, type LackeyOptions } from './lackey';
export { GENERATOR_KINDS, GENERATOR_DEFAULTS, generateTrace, type GeneratorKind, type GeneratorOptions } from './generators';
export { traceStats, formatTraceStats, reuseDistances, pageHistogram, HISTOGRAM_BINS, type TraceStats, type ReuseDistanceSummary, type PageHistogramBin } from './stats';
