import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('npm test with a filter that matches no test file says so and fails (exit 2), running nothing', () => {
  const r = spawnSync(process.execPath, ['scripts/test.mjs', 'no-such-test-file-xyz'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'test: no test file under test/ matches "no-such-test-file-xyz"\n');
  assert.equal(r.stdout, '');
});
