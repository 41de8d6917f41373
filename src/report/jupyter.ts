/**
 * Headless notebook execution: checks (and on Debian as root installs) Jupyter and Chromium,
 * registers the tslab kernel inside the checkout, and runs notebooks through nbclient and nbconvert.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../errors';
import { workDirIn, writeFileAtomic } from '../util/atomic-write';
import { cleanUpOnEndingSignal } from '../util/ending-signals';
import { HEAP_NODE_FLAGS } from '../util/young-generation';
import { CHROMIUM_PATH } from './export';
import { PROJECT_ROOT } from './notebook';

/** Debian's interpreter, where the jupyter packages live (not a pyenv python first on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const DEBIAN_PACKAGES = [
  'jupyter-nbconvert',
  'python3-notebook',
  'jupyter-client',
  'python3-ipykernel',
  'chromium-headless-shell',
];
/** Project-local Jupyter data dir holding the tslab kernelspec; found through JUPYTER_PATH. */
export const JUPYTER_DATA_DIR = join(PROJECT_ROOT, '.jupyter-local', 'share', 'jupyter');

/** What is missing for headless notebooks and figure export (empty when all is there). */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  // found, not imported: importing them took about 0.35 CPU s and 0.6 s before anything else could start
  const modules = JSON.stringify(['nbclient', 'nbconvert', 'ipykernel', 'jupyter_client', 'notebook']);
  const probe = spawnSync(
    DEBIAN_PYTHON,
    ['-c', `import sys, importlib.util as u; sys.exit(not all(u.find_spec(m) for m in ${modules}))`],
    { stdio: 'ignore' },
  );
  if (probe.status !== 0)
    missing.push('python3 jupyter modules (nbclient, nbconvert, ipykernel, jupyter_client, notebook)');
  if (!existsSync(CHROMIUM_PATH)) missing.push(`chromium-headless-shell (${CHROMIUM_PATH})`);
  return missing;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) throw new UserError(`'${command} ${args.join(' ')}' failed with exit code ${result.status}`);
}

/**
 * The one line for a Python side that stopped on its own: its last stderr line. An import that fails is a broken
 * install (missingPrerequisites finds the modules, it does not import them), which reinstalling the packages mends.
 */
function pythonFailure(stderr: string, code: number | null): string {
  const last = stderr.trim().split('\n').pop() || `exit ${code}`;
  if (!/^(ImportError|ModuleNotFoundError)\b/.test(last)) return `executing notebooks failed: ${last}`;
  const reinstall = `apt-get install --reinstall ${DEBIAN_PACKAGES.filter((p) => !p.startsWith('chromium')).join(' ')}`;
  return `the Jupyter modules of ${DEBIAN_PYTHON} are installed but do not import (${last}); reinstall: ${reinstall}`;
}

/**
 * Makes sure Jupyter and Chromium are installed: installs the Debian packages when running as root on
 * Debian, otherwise fails with the exact commands to run.
 */
export function ensurePrerequisites(log: (line: string) => void = console.log): void {
  const missing = missingPrerequisites();
  if (missing.length === 0) return;
  const install = `apt-get update && apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/etc/debian_version')) {
    throw new UserError(`missing ${missing.join(', ')}; install them with: sudo sh -c '${install}'`);
  }
  log(`Installing ${DEBIAN_PACKAGES.join(', ')} with apt-get (missing: ${missing.join(', ')}) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], env);
  run('apt-get', ['install', '-y', '-q', ...DEBIAN_PACKAGES], env);
}

/**
 * V8 flags of the registered kernel's node. Its sweeps of one worker run on its main thread, allocating many
 * short-lived objects: the sweep workers' heap sizing (src/util/young-generation.ts), and
 * garbage collected on the main thread alone, since every core already runs a kernel and V8's helper threads only
 * took CPU from the other one. Full reproduce runs side by side with and without (DEVELOPERS.md, "The tslab kernel"):
 * 3.6 and 3.2-4.0 CPU s less each, results identical. --single-threaded-gc is not allowed in NODE_OPTIONS.
 */
export const KERNEL_NODE_FLAGS = [...HEAP_NODE_FLAGS, '--single-threaded-gc'];

/**
 * Registers the tslab kernel in a project-local kernelspec with an absolute path to the tslab
 * command, so it works whatever the caller's PATH. Returns the environment that finds it.
 */
export function registerKernel(): NodeJS.ProcessEnv {
  const tslab = join(PROJECT_ROOT, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) throw new UserError(`tslab not found at ${tslab}: run 'npm ci' first`);
  // the kernel.json `tslab install --prefix=.jupyter-local --binary=TSLAB` writes (tslab's python/install.py), written
  // here: that command, node loading tslab and python importing jupyter_client and IPython, took about 1 CPU s and
  // 1-6 s wall at the start of a fresh clone's first reproduce. Here TSLAB runs under this node with KERNEL_NODE_FLAGS.
  const spec = {
    argv: [process.execPath, ...KERNEL_NODE_FLAGS, tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript',
    language: 'typescript',
  };
  const file = join(JUPYTER_DATA_DIR, 'kernels', 'tslab', 'kernel.json');
  let current: unknown;
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    current = undefined;
  }
  // writeFileAtomic makes the missing directories
  if (!isDeepStrictEqual(current, spec)) writeFileAtomic(file, `${JSON.stringify(spec, null, 1)}\n`);
  const jupyterPath = [JUPYTER_DATA_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(':');
  return { ...process.env, JUPYTER_PATH: jupyterPath };
}

export interface NotebookRun {
  notebook: string;
  html: string;
  seconds: number;
}

/**
 * A notebook to execute and its own environment variables, set in its kernel (on top of the environment the kernel
 * started with) before its first cell.
 */
export interface NotebookJob {
  notebook: string;
  env?: Record<string, string>;
}

/** What execute-notebooks.py reports, one JSON line each on its file descriptor 3. */
export type NotebookEvent =
  | { event: 'start'; index: number }
  | { event: 'done'; index: number; html: string; seconds: number }
  | { event: 'failed'; index: number; cell: number | null; source: string | null; stderr: string; error: string };

/** Executes notebooks (nbclient) and exports them as HTML (nbconvert), many in one Python process. */
const EXECUTE_SCRIPT = join(PROJECT_ROOT, 'src', 'report', 'execute-notebooks.py');

/**
 * The exception out of a cell's stderr text. tslab does not put it into the error reply that
 * nbconvert prints (that holds only "<Error>:"); it writes the exception to the cell's stderr as
 * node prints it: code excerpt, caret, "Name: message", stack. Keeps the "Name: message" lines.
 */
export function exceptionLines(stderr: string): string[] {
  const lines = stderr.split('\n').map((l) => l.trimEnd());
  const errors = lines.filter((l) => /^[A-Za-z_$][\w$]*(Error|Exception)\b.*:/.test(l) || /^\d+:\d+ - /.test(l));
  return errors.length > 0 ? errors.slice(0, 10) : lines.filter((l) => l !== '' && !/^\s+at /.test(l)).slice(-5);
}

/**
 * Why a notebook failed, for a one-screen message: the failing cell (number and source) and its exception
 * (tslab writes it to the cell's stderr; the error reply holds only "<Error>:").
 */
export function failureMessage(notebook: string, failed: Extract<NotebookEvent, { event: 'failed' }>): string {
  const error = failed.stderr ? exceptionLines(failed.stderr) : [failed.error];
  const where =
    failed.cell === null
      ? 'starting its kernel'
      : `code cell ${failed.cell}:\n${(failed.source ?? '')
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}`;
  return `notebook ${basename(notebook)} failed in ${where}\n${error.join('\n')}`;
}

/** Strips the page's references to files outside it (require.js, MathJax): the report stands alone. */
export function makeSelfContained(html: string): string {
  return html.replace(/<script[^>]*\ssrc="file:[^"]*"[^>]*>\s*<\/script>/g, '');
}

/**
 * Folds the code away in a report so that it reads question, finding, evidence: every code cell's
 * input and printed text (progress lines) are hidden behind a small "code" toggle (the notebook itself
 * keeps them in view). CSS hides, a few lines of script add the toggles, so without script the report
 * still reads as prose.
 */
export function foldCode(html: string): string {
  const hidden = '.jp-CodeCell .jp-Cell-inputWrapper,.jp-CodeCell .jp-RenderedText[data-mime-type="text/plain"]';
  const shown =
    '.jp-CodeCell.pcl-open .jp-Cell-inputWrapper,.jp-CodeCell.pcl-open .jp-RenderedText[data-mime-type="text/plain"]';
  const style =
    `<style>${hidden}{display:none}${shown}{display:block}` +
    '.pcl-code-toggle{font:12px sans-serif;color:#666;background:none;border:1px solid #ccc;border-radius:3px;margin:2px 0;cursor:pointer}</style>';
  const script =
    '<script>document.querySelectorAll(".jp-CodeCell").forEach(function(cell){var b=document.createElement("button");' +
    'b.className="pcl-code-toggle";b.textContent="code";b.onclick=function(){cell.classList.toggle("pcl-open");};cell.insertBefore(b,cell.firstChild);});</script>';
  return html.replace(/<\/body>(?![\s\S]*<\/body>)/, `${style}${script}</body>`);
}

/**
 * Executes notebooks headless with the tslab kernel, `slots` at a time, and writes each as NAME.html into outDir
 * (atomically). `groups` are lists of job indices, each run in turn in one kernel, taken by the slots in their order
 * (by default each job alone, in the order given). One Python process runs them all: a `jupyter nbconvert`
 * per notebook cost about 1.3 CPU s more each (start-up and imports). Each slot runs its notebooks in one kernel,
 * brought back to a new kernel's state before each (execute-notebooks.py). `env` is the environment of the Python
 * process and of the kernels (it must find the kernel), each job's `env` its notebook's own variables on top. Calls
 * `onStart`/`onDone` as notebooks start and end; the first failure stops the others and rejects with a UserError
 * naming the notebook, the failing cell and its exception.
 */
export function executeNotebooks(
  jobs: readonly NotebookJob[],
  outDir: string,
  {
    slots = 1,
    groups = jobs.map((_, index) => [index]),
    env = registerKernel(),
    onStart = () => {},
    onDone = () => {},
  }: {
    slots?: number;
    groups?: readonly (readonly number[])[];
    env?: NodeJS.ProcessEnv;
    onStart?: (index: number) => void;
    onDone?: (index: number, run: NotebookRun) => void;
  } = {},
): Promise<NotebookRun[]> {
  const listed = groups.flat().sort((a, b) => a - b);
  if (listed.length !== jobs.length || listed.some((index, i) => index !== i))
    throw new Error(
      `executeNotebooks: groups ${JSON.stringify(groups)} must list each of the ${jobs.length} jobs once`,
    );
  mkdirSync(outDir, { recursive: true });
  // the Python side's pages before they are copied out; a run killed before its cleanup leaves its own, removed here
  const work = workDirIn(outDir, '.nbconvert');
  // Ctrl-C, a kill or a closed terminal: the half pages go with the run (the Python side, seeing its stdin end or
  // getting the signal too, kills the kernels; they also die with it: execute-notebooks.py DIE_WITH_RUNNER)
  const workRemoved = cleanUpOnEndingSignal(() => rmSync(work, { recursive: true, force: true }));
  const child = spawn(DEBIAN_PYTHON, [EXECUTE_SCRIPT], { env, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  // a Python process that died before reading its job breaks the pipe (EPIPE): its exit code tells why
  child.stdin!.on('error', () => {});
  // stdin stays open: its end tells the Python process to kill its kernels and stop
  const notebooks = jobs.map((j) => ({ path: j.notebook, env: j.env ?? {} }));
  child.stdin!.write(`${JSON.stringify({ workDir: work, slots, groups, notebooks })}\n`);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1 << 16)));
  const runs: NotebookRun[] = [];
  let failure: Error | undefined;
  const onEvent = (e: NotebookEvent) => {
    const notebook = jobs[e.index].notebook;
    if (e.event === 'start') return onStart(e.index);
    if (e.event === 'failed') throw new UserError(failureMessage(notebook, e));
    const html = join(outDir, basename(e.html));
    writeFileAtomic(html, foldCode(makeSelfContained(readFileSync(e.html, 'utf8'))));
    runs[e.index] = { notebook, html, seconds: e.seconds };
    onDone(e.index, runs[e.index]);
  };
  createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
    if (failure) return;
    try {
      onEvent(JSON.parse(line) as NotebookEvent);
    } catch (err) {
      failure = err as Error;
      child.stdin!.end();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', (err) => (failure ??= err));
    child.on('close', (code, signal) => {
      child.stdin!.destroy();
      rmSync(work, { recursive: true, force: true });
      workRemoved();
      if (!failure && signal)
        failure = new UserError(`executing notebooks failed: the Python side was killed (${signal})`);
      if (!failure && code !== 0) failure = new UserError(pythonFailure(stderr, code));
      if (failure) reject(failure);
      else resolve(runs);
    });
  });
}
