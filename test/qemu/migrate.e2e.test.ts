/**
 * One short real post-copy migration (QEMU under TCG, 128 MiB guest, random walker, with the plugin), when
 * `npm run qemu:setup` has been run (npm test runs it as root on Debian, so CI does); otherwise skipped, saying what
 * is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { QEMU_RUN_DEFAULTS, readyTextOf, runCampaign } from '../../src/qemu/campaign';
import { missingQemu, qemuAssets } from '../../src/qemu/migrate';
import { qemuFigures } from '../../src/qemu/records';
import { loadQemuRuns, realComparison } from '../../src/experiments/real-qemu';
import { tempDir } from '../temp-dir';

const assets = qemuAssets(join(__dirname, '..', '..', '.cache', 'qemu'));
const missing = missingQemu(assets);

test(
  'a real post-copy migration completes, its record and trace replay in the simulator',
  { skip: missing && `skipped: ${missing}` },
  async () => {
    const outDir = tempDir('postcopy-lab-e2e');
    const settings = {
      ...QEMU_RUN_DEFAULTS,
      ramMiB: 128,
      share: 0.2,
      warmupMs: 300,
      postcopyAfterMs: 200,
      plugin: true,
      readyText: readyTextOf('random'),
    };
    const [record] = await runCampaign({
      workloads: ['random'],
      runs: 1,
      settings,
      outDir,
      assets,
      port: 47300 + (process.pid % 500),
    });
    assert.equal(record.source.status, 'completed');
    const f = qemuFigures(record);
    assert.ok(f.transferredBytes > 0 && f.duplicatePages > 0 && f.normalPages > 0);
    assert.ok(record.faults.length <= f.postcopyRequests + 16, 'the fault log lists the requests (pc.ram only)');
    assert.ok(
      record.guest && record.guest.accesses > 0 && record.guest.switchoverInstruction > record.guest.migrateInstruction,
    );
    // Both QEMUs' trace events are in the record: each request's times, the push's times from write to placement.
    assert.equal(record.version, 2);
    const timing = record.timing!;
    assert.equal(timing.requests.page.length, record.faults.length);
    assert.ok(timing.requests.faultUs.every((us) => us >= 0));
    assert.ok(timing.sourcePageUs! > 0, 'the source wrote pages after the resume');
    // Placements are read through a request's host address: a run without requests times none.
    if (timing.requests.page.length > 0) assert.ok(timing.placePageUs! > 0 && timing.pushHoldUs!.count > 0);
    const rows = realComparison(loadQemuRuns(outDir));
    assert.ok(rows.some((r) => r.metric === 'requests' && Number.isFinite(r.simulatedMedian as number)));
  },
);
