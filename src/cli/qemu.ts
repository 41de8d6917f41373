/**
 * `postcopy-lab qemu migrate`: real QEMU post-copy migrations of a guest workload on this machine
 * (needs `npm run qemu:setup`); one JSON record per run, a summary table at the end.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  loadQemuRuns,
  measuredPeakBps,
  QEMU_DATASET_BANDWIDTH_BPS,
  QEMU_DATASET_DIR,
  QEMU_UNCAPPED_DIR,
  timedRunRows,
  realComparison,
} from '../experiments/real-qemu';
import { tableText } from '../report/table';
import { quoted, UserError } from '../errors';
import { parseBandwidth, parseDuration } from '../migration';
import { missingQemu, qemuAssets } from '../qemu/migrate';
import { QEMU_RUN_DEFAULTS, runCampaign } from '../qemu/campaign';
import { QEMU_WORKLOADS } from '../qemu/records';
import { summariseRecords } from '../qemu/summary';
import {
  directoryFlag,
  intFlag,
  listFlag,
  numberFlag,
  parseFlags,
  refuseDecoratedNumber,
  type ParsedFlags,
} from './args';

const d = QEMU_RUN_DEFAULTS;
const datasetCapMbit = QEMU_DATASET_BANDWIDTH_BPS / 1e6;
const USAGE = `usage: postcopy-lab qemu migrate [--workload W[,W...]|all] [options]
       postcopy-lab qemu compare [--records DIR]     real runs against their replays (tables of notebook 08)
       postcopy-lab qemu validate [options]          migrate every workload with and without the plugin into
                                                     --out (default a new directory), then compare
  options of migrate (and validate):
  --workload LIST        ${QEMU_WORKLOADS.join(', ')} or all (default all)
  --runs N               migrations per workload (default 3)
  --bandwidth B          cap (max-bandwidth and max-postcopy-bandwidth), e.g. 400mbit (default
                         ${d.bandwidthBps / 1e6}mbit; validate's: ${datasetCapMbit}mbit, the cap datasets/qemu's runs
                         were made with, so that its table compares the same campaign)
  --plugin               record the guest's page trace on both sides (slows the guest)
  --ram MIB              guest memory (default ${d.ramMiB})
  --share F              walkers: share of the guest's memory they walk (default ${d.share})
  --warmup T             workload time before migrate (default ${d.warmupMs}ms)
  --postcopy-after T     pre-copy time before migrate-start-postcopy (default ${d.postcopyAfterMs}ms)
  --port N               destination TCP port on 127.0.0.1 (default 47213)
  --out DIR              where records (and traces) go (default datasets/qemu)
  --cache DIR            what npm run qemu:setup built (default .cache/qemu)
  --trim-traces          with --plugin: keep only the accesses a replay reads (from the switchover less the
                         pre-copy phase at the destination's rate; most of a walker's trace comes before)
  --keep-logs DIR        keep each run's QEMU trace logs and guest consoles in DIR/RUN (default: not kept)`;

const FLAGS = {
  workload: { type: 'string' },
  runs: { type: 'string' },
  bandwidth: { type: 'string' },
  plugin: { type: 'boolean' },
  ram: { type: 'string' },
  share: { type: 'string' },
  warmup: { type: 'string' },
  'postcopy-after': { type: 'string' },
  port: { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
  'keep-logs': { type: 'string' },
  'trim-traces': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function durationMs(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  refuseDecoratedNumber(value, flag);
  const ms = parseDuration(value) / 1000;
  if (!(ms >= 0 && ms <= 600_000)) throw new UserError(`--${flag} must be between 0 and 600s, got ${quoted(value)}`);
  return ms;
}

/** The settings of each run `qemu migrate` or `qemu validate` makes, from its flags. */
export function runSettings(sub: string, v: ParsedFlags<typeof FLAGS>['values']) {
  const defaultBandwidthBps = sub === 'validate' ? QEMU_DATASET_BANDWIDTH_BPS : d.bandwidthBps;
  if (v.bandwidth !== undefined) refuseDecoratedNumber(v.bandwidth, 'bandwidth');
  const bandwidthBps = v.bandwidth === undefined ? defaultBandwidthBps : parseBandwidth(v.bandwidth);
  if (!(bandwidthBps >= 1e6 && bandwidthBps <= 1e11))
    throw new UserError(`--bandwidth must be between 1mbit and 100gbit, got ${quoted(String(v.bandwidth))}`);
  return {
    bandwidthBps,
    plugin: v.plugin ?? false,
    ramMiB: intFlag(v.ram, 'ram', d.ramMiB, 64, 4096),
    share: numberFlag(v.share, 'share', d.share, 0.01, 0.9),
    warmupMs: durationMs(v.warmup, 'warmup', d.warmupMs),
    postcopyAfterMs: durationMs(v['postcopy-after'], 'postcopy-after', d.postcopyAfterMs),
  };
}

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UserError('missing the qemu command (known: migrate, compare, validate)');
  if (sub === '--help' || sub === '-h') {
    console.log(USAGE);
    return;
  }
  if (!['migrate', 'compare', 'validate'].includes(sub))
    throw new UserError(`unknown qemu command ${quoted(sub)} (known: migrate, compare, validate)`);
  if (sub === 'compare') {
    // compare's one flag: a flag of migrate here would change nothing
    const { values } = parseFlags(rest, { records: { type: 'string' }, help: FLAGS.help });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    // an empty --records would resolve to the current directory and read its JSON files as run records
    console.log(comparisonTable(resolve(directoryFlag(values.records, 'records') ?? QEMU_DATASET_DIR)));
    return;
  }
  const { values: v } = parseFlags(rest, FLAGS);
  if (v.help) {
    console.log(USAGE);
    return;
  }
  const list = v.workload === undefined || v.workload === 'all' ? QEMU_WORKLOADS : listFlag(v.workload, 'workload');
  for (const w of list)
    if (!QEMU_WORKLOADS.includes(w))
      throw new UserError(`unknown workload ${quoted(w)} (known: ${QEMU_WORKLOADS.join(', ')})`);
  const settings = runSettings(sub, v);
  if (v['trim-traces'] && !settings.plugin && sub === 'migrate')
    throw new UserError('--trim-traces needs --plugin (only plugin runs have guest traces)');
  const runs = intFlag(v.runs, 'runs', 3, 1, 100);
  const port = intFlag(v.port, 'port', 47213, 1024, 65535);
  const keepLogs = directoryFlag(v['keep-logs'], 'keep-logs');
  const out = directoryFlag(v.out, 'out');
  const assets = qemuAssets(resolve(directoryFlag(v.cache, 'cache') ?? '.cache/qemu'));
  const missing = missingQemu(assets);
  if (missing) throw new UserError(missing);
  const outDir = resolve(
    out ?? (sub === 'validate' ? mkdtempSync(join(tmpdir(), 'postcopy-lab-validate-')) : join('datasets', 'qemu')),
  );
  const campaign = {
    workloads: list,
    runs,
    settings,
    outDir,
    assets,
    port,
    onProgress: (m: string) => console.error(m),
    keepLogsDir: keepLogs === undefined ? undefined : resolve(keepLogs),
    trimTraces: v['trim-traces'] ?? false,
  };
  const records = await runCampaign(campaign);
  if (sub === 'validate')
    records.push(...(await runCampaign({ ...campaign, settings: { ...settings, plugin: !settings.plugin } })));
  console.log(summariseRecords(records));
  if (sub === 'validate') {
    console.log(`\nrecords and traces in ${outDir}\n`);
    console.log(comparisonTable(outDir));
  }
}

/**
 * The real runs in `dir` against their replays: with the host cost per fault measured on the other workloads,
 * then with it split as QEMU's threads split it (check time fitted on the other workloads too).
 */
function comparisonTable(dir: string): string {
  const uncapped = existsSync(QEMU_UNCAPPED_DIR) ? loadQemuRuns(QEMU_UNCAPPED_DIR).map((r) => r.record) : [];
  const runs = loadQemuRuns(dir);
  const options = { faultCost: 'cross-validated', peakBandwidthBps: measuredPeakBps(uncapped) } as const;
  const columns = [
    'workload',
    'metric',
    'runs',
    'realMedian',
    'realMin',
    'realMax',
    'simulatedMedian',
    'errorPercent',
    'agrees',
    'faultCostUs',
    'pluginFreeMedian',
  ];
  const tables = [
    'host cost per fault measured on the other workloads:',
    tableText(realComparison(runs, options), columns),
    '',
    'host cost split: check time and the rest, fitted on the other workloads (notebook 08 says why to distrust it):',
    tableText(realComparison(runs, { ...options, faultCheck: 'fitted' }), [...columns.slice(0, 10), 'faultCheckUs']),
  ];
  const timed = timedRunRows(runs);
  if (timed.length > 0)
    tables.push(
      '',
      'each run with the per-page costs its own trace logs measured, nothing fitted (records with timing):',
      tableText(realComparison(runs, { costs: 'measured' }), [...columns.slice(0, 10), 'faultCheckUs']),
      '',
      'requests by kind per run, real (trace logs) and simulated (the measured replay):',
      tableText(timed, [
        'run',
        'realOnTheWay',
        'simulatedOnTheWay',
        'realUnsent',
        'simulatedUnsent',
        'unsentWaitedForWindow',
      ]),
    );
  return tables.join('\n');
}
