import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new directory PREFIX-XXXXXX in the temporary directory, removed with all it holds when the test that made it
 * ends, passed or failed (made at a file's top level: when the file's tests end). npm test fails when a test leaves
 * anything there (scripts/test.mjs). Not in a before() hook: node:test runs an after() made there as that hook ends.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
