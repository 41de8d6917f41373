/**
 * The offline explorer in headless Chromium: it draws on load at its initial setting and redraws the
 * plot and the table when a dropdown changes, with nothing but the page itself (no kernel, no network).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explorerHtml, plotlyScriptTag } from '../../src/report';
import { launchChromium } from '../../src/report/export';

test('the explorer redraws when a dropdown changes', async () => {
  const cells = ['slow', 'fast'].map((link, i) => ({
    params: { link },
    rows: [
      { method: 'none', stallMs: 100 / (i + 1) },
      { method: 'ppm', stallMs: 40 / (i + 1) },
      { method: 'oracle', stallMs: 20 / (i + 1) },
    ],
  }));
  const html = explorerHtml(cells, {
    axes: [{ key: 'link', label: 'link' }],
    metrics: [{ key: 'stallMs', label: 'stall (ms)' }],
    series: 'method',
    initial: { link: 'fast' },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html><body>${plotlyScriptTag()}${html}</body></html>`);
    await page.waitForSelector('.pcl-explorer .main-svg');
    assert.equal(await page.locator('.pcl-explorer .bars .point').count(), 3);
    const firstRow = () => page.locator('.pcl-explorer-table tbody tr:first-child').innerText();
    assert.match(await firstRow(), /none\s+50/);
    await page.selectOption('.pcl-explorer select[data-key="link"]', 'slow');
    assert.match(await firstRow(), /none\s+100/);
  } finally {
    await browser.close();
  }
});
