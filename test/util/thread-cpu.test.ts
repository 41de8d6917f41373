import { test } from 'node:test';
import assert from 'node:assert/strict';
import { osThreadId, threadCpuSeconds } from '../../src/util/thread-cpu';

test(
  "a thread's CPU time grows as it works, read by its own path or by its thread id",
  {
    skip: process.platform !== 'linux',
  },
  () => {
    const tid = osThreadId();
    assert.ok(Number.isSafeInteger(tid) && tid! > 0, `thread id ${tid}`);
    const before = threadCpuSeconds()!;
    // work until the thread's own path shows 10 ms more; its id's path must show at least as much
    const deadline = Date.now() + 30_000;
    while (threadCpuSeconds()! - before < 0.01 && Date.now() < deadline);
    assert.ok(threadCpuSeconds(tid)! - before >= 0.01);
  },
);

test('an unknown thread id gives undefined, not a throw', () => {
  assert.equal(threadCpuSeconds(2 ** 31 - 1), undefined);
});
