// npm's postinstall: applies patches/ with patch-package in a checkout of postcopy-lab (`npm ci`), where patches/ and
// the devDependencies are. Installed into another project (from a tarball or a git URL) the package has no patches/
// (package.json "files") and no patch-package, a devDependency, and needs neither: tslab's patch only speeds up
// `npm run reproduce` (DEVELOPERS.md "The tslab kernel"). `patch-package` as the postinstall failed that install.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'patches'))) {
  const patchPackage = createRequire(join(root, 'package.json')).resolve('patch-package/index.js');
  const run = spawnSync(process.execPath, [patchPackage], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
