import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

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
