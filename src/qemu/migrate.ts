/**
 * One real post-copy migration between two QEMU processes on 127.0.0.1 (TCG), driven over QMP:
 * boot the source with a guest workload, start the destination with `-incoming`, set post-copy
 * (and blocktime on the destination), cap the bandwidth, `migrate`, `migrate-start-postcopy` after a
 * pre-copy phase, poll until completed; then read both sides' figures and both sides' trace logs (each
 * request's and each page's times).
 * With `plugin`, both QEMUs load the page-trace plugin (src/qemu/plugin) and the run keeps their traces.
 * Node only (child processes, sockets, files).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { formatPageSet } from '../migration';
import { spawnTiedToThisProcess } from '../util/spawn-tied';
import { QmpClient } from './qmp';
import { parseFaultLog } from './records';
import { DESTINATION_EVENTS, requestTimeline, SOURCE_EVENTS } from './trace-log';
import type { QemuRunRecord, QemuRunSettings } from './records';

/** Files `npm run qemu:setup` builds. */
export interface QemuAssets {
  kernel: string;
  initramfs: string;
  plugin: string;
}

export function qemuAssets(cacheDir: string): QemuAssets {
  return {
    kernel: join(cacheDir, 'vmlinuz'),
    initramfs: join(cacheDir, 'initramfs.cpio.gz'),
    plugin: join(cacheDir, 'libpagetrace.so'),
  };
}

/** What is missing for a real migration, or undefined when everything is there. */
export function missingQemu(assets: QemuAssets): string | undefined {
  const binary = ['/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'].some((p) => existsSync(p));
  if (!binary) return 'qemu-system-x86_64 is not installed (run `npm run qemu:setup` as root)';
  for (const [what, path] of Object.entries(assets)) {
    if (!existsSync(path)) return `the guest ${what} ${path} is missing (run \`npm run qemu:setup\` as root)`;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const monotonicNs = () => Number(process.hrtime.bigint());

/** Polls `file` until it contains `text`; fails after `timeoutMs`. */
async function waitForText(file: string, text: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(file) && readFileSync(file, 'utf8').includes(text))) {
    if (Date.now() > deadline)
      throw new Error(`${what}: no '${text}' on the guest console within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

interface Side {
  process: ChildProcess;
  qmp: QmpClient;
  stderr: string[];
}

/** Starts one QEMU; `extra` adds -incoming (destination) or nothing (source). */
async function startQemu(
  name: string,
  dir: string,
  settings: QemuRunSettings,
  assets: QemuAssets,
  extra: string[],
): Promise<Side> {
  const qmpPath = join(dir, `${name}.qmp`);
  const append = `console=ttyS0 panic=-1 quiet wl=${settings.workload} share=${settings.share}`;
  const args = [
    '-accel',
    'tcg',
    '-m',
    String(settings.ramMiB),
    '-smp',
    '1',
    '-display',
    'none',
    '-no-reboot',
    '-nodefaults',
    '-kernel',
    assets.kernel,
    '-initrd',
    assets.initramfs,
    '-append',
    append,
    '-serial',
    `file:${join(dir, `${name}.console`)}`,
    '-qmp',
    `unix:${qmpPath},server=on,wait=off`,
    ...extra,
  ];
  if (settings.plugin) {
    const start = name === 'source' ? `,start=${join(dir, 'trace-start')}` : '';
    args.push(
      '-plugin',
      `${assets.plugin},out=${join(dir, `${name}.pagetrace`)},ram=${settings.ramMiB},lru=${settings.lruPages}${start}`,
    );
  }
  // a campaign killed by SIGKILL (no finally runs) takes its QEMUs with it
  const child = spawnTiedToThisProcess('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`${name} QEMU exited (${code}): ${stderr.join('').trim().split('\n').pop()}`)),
    ),
  );
  exited.catch(() => undefined);
  const qmp = await Promise.race([QmpClient.open(qmpPath, name), exited]);
  return { process: child, qmp, stderr };
}

function stop(side: Side | undefined): void {
  if (!side) return;
  side.qmp.close();
  if (side.process.exitCode === null) side.process.kill('SIGTERM');
}

async function quit(side: Side): Promise<void> {
  const exited = new Promise((resolve) => side.process.once('exit', resolve));
  await side.qmp.execute('quit').catch(() => undefined);
  await Promise.race([exited, sleep(10_000)]);
  stop(side);
}

/**
 * `-trace` arguments enabling `events`, logged with their times (`-msg timestamp=on`: `TID@SEC.USEC:` before
 * each line, gettimeofday, so the two QEMUs' lines compare) into `file`. Debian builds QEMU with the log backend.
 */
function traceArgs(events: readonly string[], file: string): string[] {
  return [...events.flatMap((e) => ['-trace', `enable=${e}`]), '-msg', 'timestamp=on', '-D', file];
}

type MigrateInfo = Record<string, unknown> & { status?: string };

/** The guest's zero pages now: a pmemsave of its RAM, scanned page by page (the dump is deleted). */
async function zeroPagesOf(side: Side, dumpFile: string, ramMiB: number): Promise<string> {
  await side.qmp.execute('pmemsave', { val: 0, size: ramMiB * 2 ** 20, filename: dumpFile });
  const memory = readFileSync(dumpFile);
  rmSync(dumpFile);
  const words = new BigUint64Array(memory.buffer, memory.byteOffset, memory.length / 8);
  const zero: number[] = [];
  for (let page = 0, w = 0; w < words.length; page++) {
    const end = w + 512;
    while (w < end && words[w] === 0n) w++;
    if (w === end) zero.push(page);
    w = end;
  }
  return formatPageSet(zero);
}

/**
 * Runs one migration in `dir` (created; consoles, QMP sockets, fault log and traces go there) and
 * returns its record. `port` is the destination's TCP port on 127.0.0.1.
 */
export async function runQemuMigration(
  settings: QemuRunSettings,
  assets: QemuAssets,
  dir: string,
  port: number,
): Promise<QemuRunRecord> {
  mkdirSync(dir, { recursive: true });
  const destinationLog = join(dir, 'destination.log');
  const sourceLog = join(dir, 'source.log');
  const loadBefore = loadavg();
  let source: Side | undefined;
  let destination: Side | undefined;
  try {
    source = await startQemu('source', dir, settings, assets, traceArgs(SOURCE_EVENTS, sourceLog));
    await waitForText(join(dir, 'source.console'), settings.readyText, settings.bootTimeoutMs, 'source guest');
    await sleep(settings.warmupMs);
    const zeroPages = await zeroPagesOf(source, join(dir, 'memory.dump'), settings.ramMiB);
    destination = await startQemu('destination', dir, settings, assets, [
      '-incoming',
      `tcp:127.0.0.1:${port}`,
      ...traceArgs(DESTINATION_EVENTS, destinationLog),
    ]);
    const postcopy = { capabilities: [{ capability: 'postcopy-ram', state: true }] };
    await source.qmp.execute('migrate-set-capabilities', postcopy);
    await destination.qmp.execute('migrate-set-capabilities', {
      capabilities: [...postcopy.capabilities, { capability: 'postcopy-blocktime', state: true }],
    });
    const bytesPerSecond = Math.round(settings.bandwidthBps / 8);
    await source.qmp.execute('migrate-set-parameters', {
      'max-bandwidth': bytesPerSecond,
      'max-postcopy-bandwidth': bytesPerSecond,
    });
    if (settings.plugin) {
      writeFileSync(join(dir, 'trace-start'), '');
      await sleep(settings.traceLeadMs);
    }
    const migrateNs = monotonicNs();
    await source.qmp.execute('migrate', { uri: `tcp:127.0.0.1:${port}` });
    await sleep(settings.postcopyAfterMs);
    const atPostcopy = await source.qmp.execute<MigrateInfo>('query-migrate');
    const postcopyNs = monotonicNs();
    await source.qmp.execute('migrate-start-postcopy');
    const deadline = Date.now() + settings.migrationTimeoutMs;
    let info: MigrateInfo;
    for (;;) {
      info = await source.qmp.execute<MigrateInfo>('query-migrate');
      if (info.status === 'completed') break;
      if (info.status === 'failed' || info.status === 'cancelled' || Date.now() > deadline) {
        throw new Error(
          `migration ${info.status === 'failed' || info.status === 'cancelled' ? info.status : 'timed out'}: ` +
            JSON.stringify(info),
        );
      }
      await sleep(20);
    }
    const completedNs = monotonicNs();
    await sleep(settings.afterMs);
    const destinationInfo = await destination.qmp.execute<MigrateInfo>('query-migrate');
    await quit(source);
    await quit(destination);
    const destinationText = existsSync(destinationLog) ? readFileSync(destinationLog, 'utf8') : '';
    const sourceText = existsSync(sourceLog) ? readFileSync(sourceLog, 'utf8') : '';
    return {
      version: 2,
      settings,
      qemu: settings.qemuVersion ?? '',
      load: { cpus: cpus().length, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
      wallNs: { migrate: migrateNs, postcopy: postcopyNs, completed: completedNs },
      source: info,
      atPostcopy,
      destination: destinationInfo,
      faults: parseFaultLog(destinationText),
      zeroPages,
      timing: requestTimeline(destinationText, sourceText, (settings.ramMiB * 2 ** 20) / 4096),
    };
  } finally {
    stop(source);
    stop(destination);
  }
}
