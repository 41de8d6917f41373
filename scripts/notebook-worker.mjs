// One notebook slot of `npm run reproduce`: executes the notebooks the main thread sends, one at a time
// (executeNotebook blocks on nbconvert, so each slot is its own thread).
import { parentPort } from 'node:worker_threads';

const { executeNotebook } = await import('../dist/report/jupyter.js');
const { UserError } = await import('../dist/errors.js');

parentPort.on('message', ({ index, notebook, outDir, env }) => {
  try {
    parentPort.postMessage({ index, run: executeNotebook(notebook, outDir, env) });
  } catch (err) {
    parentPort.postMessage({
      index,
      error: err instanceof Error ? err.message : String(err),
      userError: err instanceof UserError,
    });
  }
});
