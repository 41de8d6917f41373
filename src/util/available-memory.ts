import { freemem } from 'node:os';
import { readFileSync } from 'node:fs';

/**
 * Bytes this process can still allocate without the kernel killing it: the machine's available memory (MemAvailable,
 * which counts reclaimable page cache), or under a cgroup memory limit what is left below it. libuv's
 * availableMemory subtracts the group's whole usage, page cache included: after reading a 300 MB file inside a
 * 400 MB group it said 70 MB was left, though the kernel reclaims that cache first; its inactive file pages are
 * added back, as container runtimes count a working set.
 */
export function availableMemoryBytes(): number {
  const machine = freemem();
  const available = process.availableMemory?.() ?? machine;
  const limit = process.constrainedMemory?.() ?? 0;
  if (!(limit > 0 && limit < Number.MAX_SAFE_INTEGER)) return available;
  return Math.min(machine, available + cgroupInactiveFileBytes());
}

/** The page cache the kernel would reclaim first in this process's memory cgroup (v2 or v1); 0 when unknown. */
function cgroupInactiveFileBytes(): number {
  try {
    const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('memory'));
    const v2 = lines.find((line) => line.startsWith('0::'));
    const stat = v1
      ? `/sys/fs/cgroup/memory${v1.split(':')[2]}/memory.stat`
      : `/sys/fs/cgroup${v2!.slice(3)}/memory.stat`;
    const field = readFileSync(stat, 'utf8').match(v1 ? /^total_inactive_file (\d+)$/m : /^inactive_file (\d+)$/m);
    return field ? Number(field[1]) : 0;
  } catch {
    return 0; // no cgroup files (not Linux, or hidden): count none as reclaimable
  }
}
