export * from './types';
export * from './switchover';
export * from './limits';
export {
  FirstTouchOrder,
  firstTouchOrder,
  firstTouchOrderFrom,
  FirstTouchOrders,
  sharingFirstTouchOrders,
} from './first-touch';
export { makeTrace, TraceBuilder, checkPageSize, MAX_PAGE_SIZE, type TraceColumns, type TraceMeta } from './make';
export {
  loadTrace,
  readTrace,
  streamTrace,
  type StreamOptions,
  summarizeTraceFile,
  firstTouchesOfFile,
  timeAtIndex,
  saveTrace,
  writeTraceStream,
} from './io';
export {
  encodeBinaryTrace,
  decodeBinaryTrace,
  encodeBinaryHeader,
  encodeBinaryBlocks,
  encodeBinaryTrailer,
  BinaryTraceDecoder,
  BINARY_VERSION,
} from './binary';
export { TraceDecoder, ChunkSink, CHUNK_ACCESSES, isBinaryPath, type TraceFileInfo } from './decode';
export { parseTextTrace, formatTextTrace, TextTraceParser } from './text';
export { LackeyConverter, DEFAULT_LRU_PAGES, type LackeyOptions } from './lackey';
export {
  GENERATOR_KINDS,
  GENERATOR_DEFAULTS,
  generateTrace,
  generateTraceChunks,
  generateTracesByWriteRatio,
  PHASE_PATTERNS,
  type GeneratorKind,
  type GeneratorOptions,
} from './generators';
export {
  traceStats,
  traceFootprint,
  TraceStatsBuilder,
  ReuseDistanceCounter,
  formatTraceStats,
  reuseDistances,
  pageHistogram,
  HISTOGRAM_BINS,
  type TraceStats,
  type ReuseDistanceSummary,
  type PageHistogramBin,
} from './stats';
