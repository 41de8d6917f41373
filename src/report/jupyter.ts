/**
 * Headless notebook execution: checks (and on Debian as root installs) Jupyter and Chromium,
 * registers the tslab kernel inside the checkout, and runs notebooks through nbconvert.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { CHROMIUM_PATH } from './export';
import { PROJECT_ROOT } from './notebook';

/** Debian's interpreter, where the jupyter packages live (not a pyenv python first on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const DEBIAN_PACKAGES = [
  'jupyter-nbconvert',
  'python3-notebook',
  'jupyter-client',
  'python3-ipykernel',
  'chromium',
];
/** Project-local Jupyter data dir holding the tslab kernelspec; found through JUPYTER_PATH. */
export const JUPYTER_DATA_DIR = join(PROJECT_ROOT, '.jupyter-local', 'share', 'jupyter');

/** What is missing for headless notebooks and figure export (empty when all is there). */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import nbconvert, ipykernel, jupyter_client, notebook'], {
    stdio: 'ignore',
  });
  if (probe.status !== 0) missing.push('python3 jupyter modules (nbconvert, ipykernel, jupyter_client, notebook)');
  if (!existsSync('/usr/bin/jupyter')) missing.push('/usr/bin/jupyter');
  if (!existsSync(CHROMIUM_PATH)) missing.push(`chromium (${CHROMIUM_PATH})`);
  return missing;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) throw new UserError(`'${command} ${args.join(' ')}' failed with exit code ${result.status}`);
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
 * Registers the tslab kernel in a project-local kernelspec with an absolute path to the tslab
 * command, so it works whatever the caller's PATH. Returns the environment that finds it.
 */
export function registerKernel(): NodeJS.ProcessEnv {
  const tslab = join(PROJECT_ROOT, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) throw new UserError(`tslab not found at ${tslab}: run 'npm ci' first`);
  const spec = join(JUPYTER_DATA_DIR, 'kernels', 'tslab', 'kernel.json');
  const current = existsSync(spec) ? readFileSync(spec, 'utf8') : '';
  if (!current.includes(JSON.stringify(tslab))) {
    const result = spawnSync(
      tslab,
      ['install', `--python=${DEBIAN_PYTHON}`, `--prefix=${join(PROJECT_ROOT, '.jupyter-local')}`, `--binary=${tslab}`],
      { encoding: 'utf8' },
    );
    if (result.status !== 0)
      throw new UserError(
        `registering the tslab kernel failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}`,
      );
  }
  const jupyterPath = [JUPYTER_DATA_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(':');
  return { ...process.env, JUPYTER_PATH: jupyterPath };
}

export interface NotebookRun {
  notebook: string;
  html: string;
  seconds: number;
}

/** The failing cell's source as nbconvert prints it (between two dashed lines), or '' when absent. */
export function failingCellSource(stderr: string): string {
  const match = /An error occurred while executing the following cell:\s*-{3,}\n([\s\S]*?)\n-{3,}/.exec(
    stderr.replace(/\x1b\[[0-9;]*m/g, ''),
  );
  return match ? match[1].trim() : '';
}

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

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: { name?: string; text?: string | string[] }[];
}

const joined = (text: string | string[] | undefined) => (Array.isArray(text) ? text.join('') : (text ?? ''));

/**
 * Why a notebook failed, for a one-screen message: the failing cell (number and source) and its
 * exception. The exception text is only in the cell's outputs, so the notebook is run once more,
 * errors allowed, into `work` (only on this failure path).
 */
function describeFailure(notebook: string, stderr: string, work: string, env: NodeJS.ProcessEnv): string {
  const source = failingCellSource(stderr);
  spawnSync(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--allow-errors',
      '--ExecutePreprocessor.kernel_name=tslab',
      '--ExecutePreprocessor.timeout=1200',
      '--output-dir',
      work,
      '--output',
      'failed',
      notebook,
    ],
    { encoding: 'utf8', env, maxBuffer: 64 << 20 },
  );
  const executed = join(work, 'failed.ipynb');
  const cells: NotebookCell[] = existsSync(executed)
    ? (JSON.parse(readFileSync(executed, 'utf8')) as { cells: NotebookCell[] }).cells
    : [];
  const code = cells.filter((c) => c.cell_type === 'code');
  const index = code.findIndex((c) => joined(c.source).trim() === source);
  const errorText =
    index < 0
      ? ''
      : (code[index].outputs ?? [])
          .filter((o) => o.name === 'stderr')
          .map((o) => joined(o.text))
          .join('');
  const error = errorText ? exceptionLines(errorText) : [stderr.trim().split('\n').pop() ?? 'unknown error'];
  const where = index < 0 ? 'a cell' : `code cell ${index + 1}`;
  return `${where}:\n${source
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n${error.join('\n')}`;
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
 * Whether nbconvert failed because the kernel never came up: jupyter_client picks the kernel's ports
 * by binding and releasing them, so two kernels starting at once can race for a port
 * (jupyter/jupyter_client#154), and the loser never answers.
 */
export function isKernelStartFailure(stderr: string): boolean {
  return /Kernel didn't respond in \d+ seconds|Kernel died before replying to kernel_info|Address already in use/.test(
    stderr,
  );
}

/**
 * Executes a notebook headless with the tslab kernel and writes NAME.html into outDir (atomically).
 * Throws UserError naming the notebook and the failing cell's error.
 */
export function executeNotebook(
  notebook: string,
  outDir: string,
  env: NodeJS.ProcessEnv = registerKernel(),
): NotebookRun {
  const started = process.hrtime.bigint();
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(outDir, '.nbconvert-'));
  try {
    const convert = () =>
      spawnSync(
        'jupyter',
        [
          'nbconvert',
          '--to',
          'html',
          '--execute',
          '--ExecutePreprocessor.kernel_name=tslab',
          // tslab reports no execution counts: the prompts would all read "In [ ]"
          '--TemplateExporter.exclude_input_prompt=True',
          '--TemplateExporter.exclude_output_prompt=True',
          '--ExecutePreprocessor.timeout=1200',
          '--output-dir',
          work,
          notebook,
        ],
        { encoding: 'utf8', env, maxBuffer: 64 << 20 },
      );
    let result = convert();
    // a kernel that lost its ports to another starting at the same moment is started once more
    if (result.status !== 0 && isKernelStartFailure(result.stderr ?? '')) result = convert();
    if (result.status !== 0)
      throw new UserError(
        `notebook ${basename(notebook)} failed in ${describeFailure(notebook, result.stderr ?? '', work, env)}`,
      );
    const name = basename(notebook).replace(/\.ipynb$/, '.html');
    const html = join(outDir, name);
    writeFileAtomic(html, foldCode(makeSelfContained(readFileSync(join(work, name), 'utf8'))));
    return { notebook, html, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
