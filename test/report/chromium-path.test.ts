/** CHROMIUM_PATH (read when src/report/export.ts loads): a wrong one is one line, not playwright's launch log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir';

/** The message launchChromium fails with (or 'launched') in a process where CHROMIUM_PATH is `path`. */
function launchWith(path: string): string {
  const code =
    "require('./src/report/export').launchChromium()" +
    ".then((b) => b.close().then(() => console.log('launched')), (e) => console.log(e.constructor.name + ': ' + e.message))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, CHROMIUM_PATH: path },
  });
  return r.stdout.trim();
}

test('CHROMIUM_PATH naming a directory or a file without execute permission: one line saying so', () => {
  const dir = tempDir('chromium-path');
  const plain = join(dir, 'plain');
  writeFileSync(plain, 'x');
  chmodSync(plain, 0o644);
  // playwright's errors were 6 ("spawn EACCES" and a launch log) and more lines
  assert.equal(launchWith(dir), `UserError: Chromium at ${dir} is not a program this user may run (set CHROMIUM_PATH)`);
  assert.equal(
    launchWith(plain),
    `UserError: Chromium at ${plain} is not a program this user may run (set CHROMIUM_PATH)`,
  );
  assert.match(launchWith(join(dir, 'none')), /^UserError: Chromium not found at \S+none \(apt-get install/);
});
