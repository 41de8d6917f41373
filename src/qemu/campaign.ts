/**
 * A series of real migrations: each workload `runs` times, one JSON record per run in `outDir`
 * (`WORKLOAD[-plugin]-N.json`) and, with the plugin, the guest's page trace beside it
 * (`WORKLOAD-N.pctrace.gz`). Node only.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { saveTrace } from '../trace';
import { workDirIn, writeFileAtomic } from '../util/atomic-write';
import { deepFreeze } from '../util/deep-freeze';
import { combineCaptures, instructionAt, instructionRate, trimToReplay, type PluginClock } from './capture';
import { runQemuMigration, type QemuAssets } from './migrate';
import { qemuFigures, WALKERS, type GuestTraceInfo, type QemuRunRecord, type QemuRunSettings } from './records';

/**
 * Defaults: a 256 MiB guest whose walkers cover 30 % of its memory, 1 Gbit/s cap, 1 s of workload
 * before `migrate`, 0.5 s of pre-copy before `migrate-start-postcopy` (QEMU's usual hybrid), LRU
 * window of 64 pages as the valgrind traces.
 */
export const QEMU_RUN_DEFAULTS: Readonly<Omit<QemuRunSettings, 'workload' | 'readyText'>> = deepFreeze({
  share: 0.3,
  ramMiB: 256,
  bandwidthBps: 1e9,
  bootTimeoutMs: 180_000,
  warmupMs: 1000,
  postcopyAfterMs: 500,
  afterMs: 300,
  migrationTimeoutMs: 120_000,
  plugin: false,
  lruPages: 64,
  traceLeadMs: 300,
});

/** What the guest prints once its workload runs (walkers: after filling their memory). */
export function readyTextOf(workload: string): string {
  return (WALKERS as readonly string[]).includes(workload) ? 'walk: ready' : 'workload: start';
}

export function qemuVersion(): string {
  return execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0];
}

/**
 * Converts the run's two plugin outputs into one trace in `outDir` (with `trim`, only what a replay reads:
 * trimToReplay) and returns where it is and its instruction counts.
 */
function saveGuestTrace(
  record: QemuRunRecord,
  runDir: string,
  outDir: string,
  name: string,
  trim: boolean,
): GuestTraceInfo {
  const capture = combineCaptures(
    readFileSync(join(runDir, 'source.pagetrace'), 'utf8'),
    readFileSync(join(runDir, 'destination.pagetrace'), 'utf8'),
    name,
  );
  const { source, destination } = capture;
  const { wallNs } = record;
  const figures = qemuFigures(record);
  // The destination's count stays 0 from QEMU's start until the resume, which follows the switchover's downtime.
  const resumeNs = wallNs.postcopy + figures.downtimeMs * 1e6;
  const destinationClocks = [{ ns: resumeNs, instruction: 0 }, ...destination.clocks.filter((c) => c.instruction > 0)];
  const window = (c: PluginClock) => c.ns >= wallNs.migrate - 1e9 && c.ns <= wallNs.completed + 1e9;
  const info: GuestTraceInfo = {
    traceFile: `${name}.pctrace.gz`,
    accesses: capture.trace.page.length,
    migrateInstruction: instructionAt(source.clocks, wallNs.migrate),
    postcopyInstruction: instructionAt(source.clocks, wallNs.postcopy),
    switchoverInstruction: capture.switchoverInstruction,
    sourceIps: instructionRate(source.clocks, wallNs.migrate, wallNs.postcopy),
    destinationIps: instructionRate(destinationClocks, resumeNs, wallNs.completed, figures.blocktimeMs ?? 0),
    codePages: source.codePages && destination.codePages,
    clocks: { source: source.clocks.filter(window), destination: destinationClocks.filter(window) },
  };
  let trace = capture.trace;
  if (trim) {
    const trimmed = trimToReplay({ ...record, guest: info }, trace);
    trace = trimmed.trace;
    Object.assign(info, { accesses: trace.page.length, traceFrom: trimmed.traceFrom });
  }
  saveTrace(trace, join(outDir, info.traceFile));
  return info;
}

export interface CampaignOptions {
  workloads: readonly string[];
  runs: number;
  settings: Partial<QemuRunSettings>;
  outDir: string;
  assets: QemuAssets;
  /** Destination TCP port on 127.0.0.1. */
  port: number;
  onProgress?: (message: string) => void;
  /** Keep only the accesses of each guest trace a replay reads (trimToReplay). */
  trimTraces?: boolean;
  /** Where each run's QEMU trace logs and consoles are kept (in a folder named as the run); absent: not kept. */
  keepLogsDir?: string;
}

/** Copies the run's QEMU logs and guest consoles (not its sockets or plugin outputs) to `dir`. */
function keepLogs(runDir: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(runDir))
    if (/\.(log|console)$/.test(file)) copyFileSync(join(runDir, file), join(dir, file));
}

/** Runs every workload `runs` times, one after another, writing each record as soon as it is complete. */
export async function runCampaign(options: CampaignOptions): Promise<QemuRunRecord[]> {
  const records: QemuRunRecord[] = [];
  const version = qemuVersion();
  const total = options.workloads.length * options.runs;
  for (const workload of options.workloads) {
    for (let run = 1; run <= options.runs; run++) {
      const settings: QemuRunSettings = {
        ...QEMU_RUN_DEFAULTS,
        readyText: readyTextOf(workload),
        ...options.settings,
        workload,
        qemuVersion: version,
      };
      const name = `${workload}${settings.plugin ? '-plugin' : ''}-${run}`;
      options.onProgress?.(`run ${records.length + 1}/${total}: ${name} ...`);
      // a campaign killed mid-run (SIGKILL: no finally) leaves it; the next campaign removes it (named by the PID)
      const runDir = workDirIn(tmpdir(), 'postcopy-lab-qemu');
      try {
        const record = await runQemuMigration(settings, options.assets, runDir, options.port);
        if (settings.plugin)
          record.guest = saveGuestTrace(record, runDir, options.outDir, name, options.trimTraces === true);
        writeFileAtomic(join(options.outDir, `${name}.json`), JSON.stringify(record, null, 1) + '\n');
        const f = qemuFigures(record);
        options.onProgress?.(
          `run ${records.length + 1}/${total}: ${name}: total ${f.totalTimeMs} ms, ` +
            `${f.postcopyRequests} requests, blocktime ${f.blocktimeMs ?? '?'} ms, ` +
            `push hold median ${record.timing?.pushHoldUs ? (record.timing.pushHoldUs.p50 / 1000).toFixed(1) : '?'} ms, ` +
            `load ${record.load.loadavgBefore[0].toFixed(1)}`,
        );
        records.push(record);
      } finally {
        if (options.keepLogsDir) keepLogs(runDir, join(options.keepLogsDir, name));
        rmSync(runDir, { recursive: true, force: true });
      }
    }
  }
  return records;
}
