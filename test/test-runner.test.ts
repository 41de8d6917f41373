import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './temp-dir';

test('npm test with a filter that matches no test file says so and fails (exit 2), running nothing', () => {
  const r = spawnSync(process.execPath, ['scripts/test.mjs', 'no-such-test-file-xyz'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'test: no test file under test/ matches "no-such-test-file-xyz"\n');
  assert.equal(r.stdout, '');
});

test('a test that leaves a file in TMPDIR fails the run with one line naming it, and the file goes', () => {
  // the runner in a tree of its own: two tests, one clean and one that leaves a file, and no Jupyter check
  const tree = tempDir('test-runner');
  for (const dir of ['scripts', 'test', 'dist/report']) mkdirSync(join(tree, dir), { recursive: true });
  copyFileSync('scripts/test.mjs', join(tree, 'scripts', 'test.mjs'));
  symlinkSync(resolve('node_modules'), join(tree, 'node_modules'));
  writeFileSync(join(tree, 'dist', 'report', 'jupyter.js'), 'exports.ensurePrerequisites = () => {};\n');
  const testFile = (body: string) => `import { test } from 'node:test';\ntest('t', () => {${body}});\n`;
  writeFileSync(join(tree, 'test', 'clean.test.ts'), testFile(''));
  const leftBehind =
    "require('node:fs').writeFileSync(require('node:path').join(require('node:os').tmpdir(), 'x'), '')";
  writeFileSync(join(tree, 'test', 'leaky.test.ts'), testFile(leftBehind));
  const outer = tempDir('test-runner-tmp');
  const run = (filter: string) =>
    spawnSync(process.execPath, ['scripts/test.mjs', filter], {
      cwd: tree,
      encoding: 'utf8',
      // without the variable by which node:test tells a test file's process it runs under a runner
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, TMPDIR: outer },
    });
  const clean = run('clean');
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(clean.stderr, '');
  const leaky = run('leaky');
  assert.equal(leaky.status, 1, leaky.stderr);
  assert.equal(
    leaky.stderr,
    'test: the tests left 1 entry (0 KiB) in their temporary directory (removed now): x; make them with tempDir ' +
      '(test/temp-dir.ts)\n',
  );
  assert.deepEqual(readdirSync(outer), []);
});

test('a signal while prettier checks the formatting stops prettier too (it ran on, orphaned, when the run ended)', async () => {
  // the runner in a tree of its own, whose "prettier" writes its pid and waits
  const tree = tempDir('test-runner-signal');
  for (const dir of ['scripts', 'test', 'dist/report', 'node_modules/prettier/bin']) {
    mkdirSync(join(tree, dir), { recursive: true });
  }
  copyFileSync('scripts/test.mjs', join(tree, 'scripts', 'test.mjs'));
  writeFileSync(join(tree, 'dist', 'report', 'jupyter.js'), 'exports.ensurePrerequisites = () => {};\n');
  const pidFile = join(tree, 'prettier.pid');
  writeFileSync(
    join(tree, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetTimeout(() => {}, 60_000);\n`,
  );
  const runner = spawn(process.execPath, ['scripts/test.mjs'], { cwd: tree, stdio: 'ignore' });
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 20));
  runner.kill('SIGTERM');
  const [status] = await once(runner, 'exit');
  assert.equal(status, 143);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let tries = 0; alive() && tries < 250; tries++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(), false, 'prettier outlived the run');
});
