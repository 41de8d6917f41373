import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  exceptionLines,
  failingCellSource,
  foldCode,
  isKernelStartFailure,
  makeSelfContained,
} from '../../src/report/jupyter';

const NBCONVERT_STDERR = `Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 915, in _check_raise_for_error
nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:
------------------
const x = 1;
pcl.loadTrace('/missing');
------------------


<Error>: 
`;

test('the failing cell source comes from between the dashed lines', () => {
  assert.equal(failingCellSource(NBCONVERT_STDERR), "const x = 1;\npcl.loadTrace('/missing');");
  assert.equal(failingCellSource('some other failure'), '');
});

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

test('a kernel that never came up is told apart from a failing cell (only the former is retried)', () => {
  assert.equal(
    isKernelStartFailure(
      '    raise RuntimeError("Kernel didn\'t respond in %d seconds" % timeout)\nRuntimeError: Kernel didn\'t respond in 60 seconds\n',
    ),
    true,
  );
  assert.equal(isKernelStartFailure('RuntimeError: Kernel died before replying to kernel_info\n'), true);
  assert.equal(isKernelStartFailure('zmq.error.ZMQError: Address already in use (addr=tcp://127.0.0.1:52131)\n'), true);
  assert.equal(isKernelStartFailure(NBCONVERT_STDERR), false);
});
