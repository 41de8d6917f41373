// largestPage's memory (rememberLargestPage, forgetLargestPages) is readers' and sweeps' plumbing, not the library's
export {
  compactTimes,
  DEFAULT_PAGE_SIZE,
  largestIn,
  largestPage,
  MAX_PAGE,
  needsWideTimes,
  summarizeTrace,
  SummaryBuilder,
  traceLength,
  wholeTraceChunk,
  type TimeColumn,
  type Trace,
  type TraceChunk,
  type TraceSummary,
  type TraceSummaryHead,
} from './types';
export * from './switchover';
export * from './limits';
// a sweep's FirstTouchOrders and sharingFirstTouchOrders are imported from first-touch.ts itself
export { FirstTouchOrder, firstTouchOrder, firstTouchOrderFrom } from './first-touch';
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
