import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors';
import {
  exceptionLines,
  executeNotebooks,
  failureMessage,
  foldCode,
  makeSelfContained,
} from '../../src/report/jupyter';
import { tempDir } from '../temp-dir';

test('exception lines: the "Name: message" lines of a node stack, or a tslab compile error', () => {
  const runtime =
    '/work/dist/trace/io.js:27\n        throw new UserError(...);\n        ^\n\nUserError: /missing: no such file\n    at loadTrace (/work/dist/trace/io.js:27:15)\n';
  assert.deepEqual(exceptionLines(runtime), ['UserError: /missing: no such file']);
  assert.deepEqual(exceptionLines("1:22 - Cannot find module 'x' or its corresponding type declarations.\n"), [
    "1:22 - Cannot find module 'x' or its corresponding type declarations.",
  ]);
  // nothing recognisable: the last lines that are not stack frames
  assert.deepEqual(exceptionLines('odd\nfailure\n    at f (x.js:1:1)\n'), ['odd', 'failure']);
});

test('reports drop scripts loaded from files outside the page', () => {
  const html =
    '<head><script src="file:///usr/share/javascript/requirejs/require.min.js"></script><script>inline()</script></head>';
  assert.equal(makeSelfContained(html), '<head><script>inline()</script></head>');
});

test('reports fold code cells behind a toggle, inserted once before the last </body>', () => {
  const page = '<html><body><div class="jp-Cell jp-CodeCell"></div><script>var s = "</body>";</script></body></html>';
  const folded = foldCode(page);
  assert.equal(folded.split('pcl-code-toggle{').length, 2);
  assert.match(
    folded,
    /var s = "<\/body>";<\/script><style>\.jp-CodeCell \.jp-Cell-inputWrapper,[^{]*\{display:none\}/,
  );
  assert.match(folded, /<\/script><\/body><\/html>$/);
});

test('a failure names the notebook, the failing cell with its source, and the exception from its stderr', () => {
  const failed = { event: 'failed', index: 0, error: 'CellExecutionError: <Error>:' } as const;
  const stderr =
    '/work/dist/trace/io.js:27\n  throw e;\n  ^\n\nUserError: /missing: no such file\n    at loadTrace (io.js:27:15)\n';
  assert.equal(
    failureMessage('/nb/broken.ipynb', {
      ...failed,
      cell: 2,
      source: "const x = 1;\npcl.loadTrace('/missing');",
      stderr,
    }),
    "notebook broken.ipynb failed in code cell 2:\n    const x = 1;\n    pcl.loadTrace('/missing');\nUserError: /missing: no such file",
  );
  // no stderr (a timeout, a dead kernel): the error itself; no cell: the kernel never came up
  assert.equal(
    failureMessage('/nb/a.ipynb', { ...failed, cell: null, source: null, stderr: '' }),
    'notebook a.ipynb failed in starting its kernel\nCellExecutionError: <Error>:',
  );
});

test('groups that do not list every job exactly once are refused before anything runs', () => {
  const jobs = [{ notebook: 'a.ipynb' }, { notebook: 'b.ipynb' }];
  const out = join(tmpdir(), `pcl-never-made-${process.pid}`);
  for (const groups of [[[0]], [[0, 1], [1]], [[0, 2]], [[0], [0]], [[0, 1, 1]]]) {
    assert.throws(
      () => executeNotebooks(jobs, out, { groups, env: process.env }),
      /must list each of the 2 jobs once/,
      JSON.stringify(groups),
    );
  }
  assert.equal(existsSync(out), false);
});

test('a Python side that dies before reading its job rejects with one line, no EPIPE crash, no temp dir left', async () => {
  const out = tempDir('pcl-jupyter');
  // a module shadowing jupyter_client makes execute-notebooks.py exit at import, before it reads stdin
  writeFileSync(join(out, 'jupyter_client.py'), 'import sys\nsys.exit(7)\n');
  // a job larger than a pipe's buffer: writing it to a process that is gone fails with EPIPE
  const env = { ...process.env, PYTHONPATH: out };
  const job = { notebook: join(out, 'none.ipynb'), env: { BIG: 'x'.repeat(1 << 18) } };
  await assert.rejects(
    executeNotebooks([job], out, { env }),
    (err: Error) => err instanceof UserError && err.message === 'executing notebooks failed: exit 7',
  );
  assert.deepEqual(readdirSync(out), ['jupyter_client.py']);
});

test('a broken Jupyter install (found, but an import fails) is one line saying so and how to mend it', async () => {
  const out = tempDir('pcl-jupyter');
  writeFileSync(join(out, 'nbformat.py'), 'raise ImportError("cannot import name Sentinel from traitlets")\n');
  await assert.rejects(
    executeNotebooks([{ notebook: join(out, 'none.ipynb') }], out, { env: { ...process.env, PYTHONPATH: out } }),
    (err: Error) =>
      err instanceof UserError &&
      err.message ===
        'the Jupyter modules of /usr/bin/python3 are installed but do not import (ImportError: cannot import name ' +
          'Sentinel from traitlets); reinstall: apt-get install --reinstall jupyter-nbconvert python3-notebook ' +
          'jupyter-client python3-ipykernel',
  );
});

test("a run killed mid-way leaves its work directory, which the next run removes; a live run's is kept", async () => {
  const out = tempDir('pcl-jupyter');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const orphan = join(out, `.nbconvert-${dead}-abc123`);
  const live = join(out, `.nbconvert-${process.ppid}-def456`);
  for (const dir of [orphan, live]) {
    mkdirSync(dir);
    writeFileSync(join(dir, '01-half.html'), '<html><body>half a pa');
  }
  // the Python side stops at once (exit 7 at import), as in the test above: only the clean-up is looked at
  writeFileSync(join(out, 'nbformat.py'), 'import sys\nsys.exit(7)\n');
  await assert.rejects(
    executeNotebooks([{ notebook: join(out, 'none.ipynb') }], out, { env: { ...process.env, PYTHONPATH: out } }),
  );
  assert.deepEqual(readdirSync(out).sort(), [`.nbconvert-${process.ppid}-def456`, 'nbformat.py']);
});
