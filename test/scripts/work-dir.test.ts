/**
 * scripts/work-dir.sh, the shell's workDirIn (qemu-setup.sh's temporary directories): a directory named by the
 * script's PID, removed when the script ends however it can be ended (error, Ctrl-C, kill, closed terminal), and a
 * SIGKILLed script's removed by the next one; a live script's is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../temp-dir';

const HELPER = resolve('scripts/work-dir.sh');

/** A bash script that sources the helper, makes a directory in `parent`, prints it, then runs `then`. */
function script(parent: string, then: string): string {
  return `set -euo pipefail; source ${HELPER}; work_dir_in ${parent} pcl-test dir; echo "$dir"; ${then}`;
}

test("work_dir_in: removes a dead script's directory, keeps a live one's, and its own goes when it ends", () => {
  const parent = tempDir('work-dir-sh');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  mkdirSync(join(parent, `pcl-test-${dead}-abc123`));
  mkdirSync(join(parent, `pcl-test-${process.pid}-def456`));
  mkdirSync(join(parent, 'pcl-other-1-x'));
  const run = spawnSync('bash', ['-c', script(parent, 'ls "$dir" >/dev/null; exit 3')], { encoding: 'utf8' });
  assert.equal(run.status, 3, run.stderr);
  assert.match(run.stdout, new RegExp(`^${parent}/pcl-test-${run.pid}-\\w{6}\\n$`));
  assert.deepEqual(readdirSync(parent).sort(), ['pcl-other-1-x', `pcl-test-${process.pid}-def456`]);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const) {
  const outcome = signal === 'SIGKILL' ? 'leaves its directory to the next' : 'removes its directory';
  test(`work_dir_in: a script stopped by ${signal} ${outcome}`, async (t) => {
    const parent = tempDir('work-dir-sh');
    // the directory, then the pid of the sleep the script waits on (killed below: its parent's end does not end it)
    const run = spawn('bash', ['-c', script(parent, 'sleep 60 & echo $!; wait $!')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printed = '';
    for await (const chunk of run.stdout!) if ((printed += chunk).split('\n').length > 2) break;
    const [dir, sleeper] = printed.split('\n');
    t.after(() => {
      try {
        process.kill(Number(sleeper));
      } catch {
        // already gone
      }
    });
    assert.ok(existsSync(dir));
    run.kill(signal);
    await once(run, 'exit');
    if (signal !== 'SIGKILL') assert.deepEqual(readdirSync(parent), []);
    else {
      assert.ok(existsSync(dir), 'nothing runs on SIGKILL');
      spawnSync('bash', ['-c', script(parent, 'true')]);
      assert.deepEqual(readdirSync(parent), []);
    }
  });
}
