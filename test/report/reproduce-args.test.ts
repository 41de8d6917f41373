/** `npm run reproduce` arguments: a name no notebook matches or an option fails with exit 2 and one line, --help prints
 * the usage; all before anything is installed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('reproduce refuses a notebook name that matches nothing with exit 2 and one line', () => {
  const script = join(__dirname, '..', '..', 'scripts', 'reproduce.mjs');
  const run = spawnSync(process.execPath, [script, 'no-such-notebook'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.equal(run.stderr, 'reproduce: no notebook in notebooks/ matches no-such-notebook\n');
  assert.equal(run.stdout.trim(), ''); // nothing ran: only the blank line that ends a progress display
});

test('reproduce --help prints its usage and exits 0; another option is refused with one line', () => {
  const script = join(__dirname, '..', '..', 'scripts', 'reproduce.mjs');
  const help = spawnSync(process.execPath, [script, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: npm run reproduce \[NAME\.\.\.\]\n/);
  assert.equal(help.stderr, '');
  const option = spawnSync(process.execPath, [script, '05', '--fast'], { encoding: 'utf8' });
  assert.equal(option.status, 2);
  assert.equal(option.stderr, 'reproduce: unknown option --fast (--help lists the usage)\n');
});

test('reproduce refuses an empty NAME (it matched every notebook) with exit 2 and one line', () => {
  const script = join(__dirname, '..', '..', 'scripts', 'reproduce.mjs');
  for (const empty of ['', ' ']) {
    const run = spawnSync(process.execPath, [script, '05', empty], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      'reproduce: an empty NAME matches every notebook; give part of a notebook file name (none runs them all)\n',
    );
    assert.equal(run.stdout, '');
  }
});

test('reproduce refuses a bad POSTCOPY_LAB_WORKERS with exit 2 and one line, before any notebook starts', () => {
  const script = join(__dirname, '..', '..', 'scripts', 'reproduce.mjs');
  const env = { ...process.env, POSTCOPY_LAB_WORKERS: 'abc' };
  const run = spawnSync(process.execPath, [script, '05'], { encoding: 'utf8', env });
  assert.equal(run.status, 2);
  assert.equal(run.stderr, 'reproduce: POSTCOPY_LAB_WORKERS must be a whole number between 1 and 1024, got "abc"\n');
  assert.equal(run.stdout.trim(), '');
});
