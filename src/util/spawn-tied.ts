import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `name` as found on PATH, or undefined. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * spawn, with the child killed (SIGKILL) when the thread that spawned it ends, the process's main thread ending with
 * the process, even by a SIGKILL that runs no clean-up: a QEMU of a killed campaign ran on for its whole boot and
 * migration timeouts, holding its port. setpriv (util-linux) sets prctl's PR_SET_PDEATHSIG and execs the command, so
 * the child is the command itself; node has no pre-exec hook. Without setpriv (not Linux, no util-linux) it is a
 * plain spawn, as the notebook kernels' DIE_WITH_RUNNER (src/report/execute-notebooks.py).
 */
export function spawnTiedToThisProcess(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;
  if (setpriv === undefined) return spawn(command, args, options);
  return spawn(setpriv, ['--pdeathsig', 'KILL', '--', command, ...args], options);
}
