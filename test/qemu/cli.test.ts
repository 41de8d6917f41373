import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSettings } from '../../src/cli/qemu';
import { QEMU_DATASET_BANDWIDTH_BPS, QEMU_DATASET_DIR, QEMU_TIMED_DIR } from '../../src/experiments/real-qemu';
import type { QemuRunRecord } from '../../src/qemu/records';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('qemu migrate: bad input exits with code 2 and one line, before any QEMU starts', () => {
  const cases: [string[], RegExp][] = [
    [['qemu', 'teleport'], /unknown qemu command "teleport"/],
    [['qemu', 'migrate', '--workload', 'doom'], /unknown workload "doom"/],
    [['qemu', 'migrate', '--workload', 'random', '--bandwidth', '0'], /--bandwidth must be between/],
    [['qemu', 'migrate', '--workload', 'random', '--runs', '0'], /--runs must be between 1 and 100/],
    [['qemu', 'migrate', '--workload', 'random', '--share', '2'], /--share must be between/],
    [['qemu', 'migrate', '--workload', 'random', '--postcopy-after', 'soon'], /duration must be/],
    [['qemu', 'migrate', '--workload', 'random', '--cache', '/nonexistent'], /missing|not installed/],
    [['qemu', 'migrate', '--workload', 'random', '--trim-traces'], /--trim-traces needs --plugin/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  assert.match(cli('qemu', '--help').stdout, /usage: postcopy-lab qemu migrate/);
});

test("qemu validate re-makes datasets/qemu's runs: its cap defaults to theirs, migrate's stays 1000mbit", () => {
  for (const dir of [QEMU_DATASET_DIR, QEMU_TIMED_DIR])
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as QemuRunRecord;
      assert.equal(record.settings.bandwidthBps, QEMU_DATASET_BANDWIDTH_BPS, file);
    }
  assert.equal(runSettings('validate', {}).bandwidthBps, 400e6);
  assert.equal(runSettings('migrate', {}).bandwidthBps, 1e9);
  assert.equal(runSettings('validate', { bandwidth: '1gbit' }).bandwidthBps, 1e9);
});
