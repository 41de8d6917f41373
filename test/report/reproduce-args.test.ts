/** `npm run reproduce NAME` with a name no notebook matches: exit 2 and one line, before anything is installed. */
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
