import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { figureSpecDir, PROJECT_ROOT } from '../../src/report/notebook';

test('PCL_FIGURE_SPEC_DIR moves the figure specs; unset or empty, they go to reports/figure-specs', () => {
  const saved = process.env.PCL_FIGURE_SPEC_DIR;
  try {
    const standard = join(PROJECT_ROOT, 'reports', 'figure-specs');
    delete process.env.PCL_FIGURE_SPEC_DIR;
    assert.equal(figureSpecDir(), standard);
    // empty: the specs were written into the kernel's working directory (join('', NAME) is NAME)
    process.env.PCL_FIGURE_SPEC_DIR = '';
    assert.equal(figureSpecDir(), standard);
    process.env.PCL_FIGURE_SPEC_DIR = '/tmp/specs-here';
    assert.equal(figureSpecDir(), '/tmp/specs-here');
  } finally {
    if (saved === undefined) delete process.env.PCL_FIGURE_SPEC_DIR;
    else process.env.PCL_FIGURE_SPEC_DIR = saved;
  }
});
