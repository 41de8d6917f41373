"""Executes notebooks headless through their kernel and exports each as HTML, several at once, in ONE process.

What `jupyter nbconvert --execute --to html` does per notebook (nbclient runs the cells, nbconvert's HTMLExporter
writes the page), without a Python start-up and nbconvert import per notebook (about 1.3 CPU s each), and with one
tslab kernel per slot for all the notebooks that slot runs (a kernel per notebook cost about 0.6 CPU s more each:
node's start, TypeScript's load, the library's JIT). Before each notebook the kernel is brought back to what a new
kernel would give it (see fresh_state_cells).
Called by src/report/jupyter.ts. Reads a JSON job, one line on stdin: {"workDir", "slots", "notebooks": [{"path",
"env"}], "groups"} (env: the notebook's own environment variables; kernels start with this process's; groups: lists
of notebook indices, each run in turn in one kernel, taken by the slots in this order); writes one JSON
line per event to file descriptor 3: start, done (with the HTML's path) and failed (the failing cell and its
stderr). The first failure kills every kernel and exits 1; so does the end of stdin before the
work is done (the caller gave up or died), so that no kernel outlives the run; and each kernel gets SIGKILL when this
process ends in any other way (killed, a closed terminal: DIE_WITH_RUNNER).
"""
import asyncio
import datetime
import itertools
import json
import os
import shutil
import sys
import threading
import time
import traceback
from queue import Empty

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_path

EVENTS = os.fdopen(3, "w")
STARTUP_TIMEOUT = 60
CELL_TIMEOUT = 1200

# Run before each notebook: the kernel's state as it started (environment, Math.random, working directory), kept
# before its first notebook, is given back, with the notebook's own environment variables (VARIABLES) on top.
FRESH_STATE = """{
  const g = globalThis as unknown as { pclFreshKernel?: { env: NodeJS.ProcessEnv; random: () => number; cwd: string } };
  const fresh = (g.pclFreshKernel ??= { env: { ...process.env }, random: Math.random, cwd: process.cwd() });
  const env: NodeJS.ProcessEnv = { ...fresh.env, ...VARIABLES };
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
  Math.random = fresh.random;
  process.chdir(fresh.cwd);
}"""


# The kernel's command starts with this: SIGKILL when this process ends, however it ends. Kernels start in their own
# session (jupyter_client), so no Ctrl-C, kill of the process group or closed terminal reaches them, and a runner that
# died without stop() (SIGKILL, SIGHUP, a signal while no nbclient handler was set) left them running, one for 33
# minutes; a kernel so left also holds this process's stderr, so the caller waited for ever. setpriv (util-linux,
# essential on Debian) sets prctl's PR_SET_PDEATHSIG and execs the kernel, whose parent is then this process (its
# main thread, the event loop's, started it); not a Popen preexec_fn, unsafe in a process with threads (the stdin
# reader's, zmq's). A runner that died in the moment before setpriv's prctl is the one case left. Without setpriv (not
# Linux, a system without util-linux) kernels start as before: stop() and the end of stdin still end them.
DIE_WITH_RUNNER = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []


def emit(**event):
    EVENTS.write(json.dumps(event) + "\n")
    EVENTS.flush()


def exporter():
    """One for all notebooks: a new one loads its templates again (about 0.05 CPU s per notebook). Imported here, after
    the first kernels were launched (main), as are nbformat and nbclient (execute): about 0.2 CPU s that their
    start-up would otherwise wait for."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config(
        {
            # tslab reports no execution counts: the prompts would all read "In [ ]"
            "TemplateExporter": {"exclude_input_prompt": True, "exclude_output_prompt": True},
            # validate once after the preprocessors, not after each: nbformat compiles a schema validator each time
            # (about 0.15 CPU s per notebook); the page is the same
            "Exporter": {"optimistic_validation": True},
        }
    )
    return HTMLExporter(config=config)


def resources_of(path):
    """The resources nbconvert's Exporter.from_filename gives a notebook file."""
    modified = datetime.datetime.fromtimestamp(os.path.getmtime(path))
    name = os.path.splitext(os.path.basename(path))[0]
    return {"metadata": {"name": name, "path": os.path.dirname(path), "modified_date": modified.strftime("%B %-d, %Y")}}


def kernel_specs():
    """Finds kernel specs where JUPYTER_PATH and Jupyter's data directories say, as jupyter_client's default manager
    does, but not in IPython's profile directory too: that default imports IPython for the directory's path, about
    0.3 CPU s (0.4-1 s wall) before the first kernel could start."""
    return KernelSpecManager(kernel_dirs=jupyter_path("kernels"))


async def wait_until_ready(kc, timeout):
    """jupyter_client's wait_for_ready without its last step, which waits until IOPub has been quiet for 0.2 s (every
    slot's kernel start paid it): the kernel answered kernel_info on the shell channel and IOPub delivers, so outputs
    will arrive. Messages left on IOPub answer no request of a notebook's (nbclient takes only its requests' own).
    tslab speaks protocol 5, the client's, so there is no version to adapt to."""
    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
            if reply["msg_type"] == "kernel_info_reply":
                # the reply's status messages on IOPub: none within 0.2 s, IOPub is not connected yet; ask again
                await kc.iopub_channel.get_msg(timeout=0.2)
                return
        except Empty:
            pass
        if not await kc.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class NotebookFailed(Exception):
    pass


class KernelSetupFailed(Exception):
    pass


class Kernel:
    """A tslab kernel started in one directory, running notebooks of that directory in turn."""

    numbers = itertools.count(1)

    def __init__(self, cwd, work_dir):
        self.cwd = cwd
        # the connection file (ports and key) in the run's work directory, which goes with the run (after a kill, with
        # the next run), not in TMPDIR: a run whose Python side was killed (Ctrl-C) left it there
        connection_file = os.path.join(work_dir, f"kernel-{next(Kernel.numbers)}.json")
        self.km = AsyncKernelManager(
            kernel_name="tslab", kernel_spec_manager=kernel_specs(), connection_file=connection_file
        )
        self.kc = None

    async def launch(self):
        """Starts the kernel's process (once per Kernel); connect() waits until it answers."""
        # the manager loads the spec once (a missing kernel fails here, where launching is expected to fail)
        self.km.kernel_spec.argv = DIE_WITH_RUNNER + self.km.kernel_spec.argv
        await self.km.start_kernel(env=dict(os.environ), cwd=self.cwd)

    async def connect(self):
        if self.kc is None:
            self.kc = self.km.client()
            self.kc.start_channels()
            await wait_until_ready(self.kc, STARTUP_TIMEOUT)

    async def prepare(self, variables):
        """Runs before each notebook, silently and in no notebook: `/** @reset */` makes tslab forget the
        declarations and values of the cells before (patches/tslab+1.0.22.patch), FRESH_STATE gives back the
        kernel's first environment (with the notebook's variables), Math.random and working directory. Modules stay
        loaded: the library keeps no state a notebook's output depends on (setupNotebook restarts the ids)."""
        for code in ("/** @reset */", FRESH_STATE.replace("VARIABLES", json.dumps(variables))):
            reply = await self.kc.execute_interactive(
                code, silent=True, store_history=False, timeout=STARTUP_TIMEOUT, output_hook=lambda msg: None
            )
            if reply["content"]["status"] != "ok":
                raise KernelSetupFailed(f"preparing the kernel failed: {reply['content']}")

    async def shutdown(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)


async def execute(index, job, kernel, work_dir, running, html_exporter):
    """Runs one notebook in `kernel` (a new one if there is none or it runs elsewhere) and writes
    WORK_DIR/NAME.html; returns the kernel for the slot's next notebook. A failure before the notebook's first cell
    starts (the kernel did not come up: jupyter_client#154, two kernels starting at once can race for a port) is
    retried once in a new kernel."""
    import nbformat
    from nbclient import NotebookClient

    path = job["path"]
    started = time.monotonic()
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        current = {"cell": None}
        try:
            if kernel is None or kernel.cwd != os.path.dirname(path):
                if kernel is not None:
                    running.discard(kernel)
                    await kernel.shutdown()
                kernel = Kernel(os.path.dirname(path), work_dir)
                running.add(kernel)
                await kernel.launch()
            await kernel.connect()
            await kernel.prepare(job["env"])
            client = NotebookClient(
                nb, km=kernel.km, kernel_name="tslab", timeout=CELL_TIMEOUT, resources={"metadata": {"path": kernel.cwd}}
            )
            client.kc = kernel.kc
            # nbclient may call the hook for markdown cells too; a failure is named by its code cell
            client.on_cell_start = lambda cell, cell_index: cell.cell_type == "code" and current.update(cell=cell_index)
            await client.async_execute()
            break
        except Exception as err:
            if current["cell"] is None and attempt == 1:
                if kernel is not None:
                    running.discard(kernel)
                    await kernel.shutdown()
                kernel = None
                continue
            cell = None if current["cell"] is None else nb.cells[current["cell"]]
            code = [c for c in nb.cells if c.cell_type == "code"]
            emit(
                event="failed",
                index=index,
                cell=None if cell is None else next(i for i, c in enumerate(code) if c is cell) + 1,
                source=None if cell is None else cell.source,
                stderr="".join(o.get("text", "") for o in (cell or {}).get("outputs", []) if o.get("name") == "stderr"),
                error=f"{type(err).__name__}: {err}".strip().split("\n")[-1],
            )
            raise NotebookFailed() from err
    html, _ = html_exporter.from_notebook_node(nb, resources=resources_of(path))
    out = os.path.join(work_dir, os.path.basename(path).replace(".ipynb", ".html"))
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    emit(event="done", index=index, html=out, seconds=time.monotonic() - started)
    return kernel


async def main():
    job = json.loads(sys.stdin.readline())
    queue = [[(index, job["notebooks"][index]) for index in group] for group in job["groups"]]
    running = set()
    loop = asyncio.get_running_loop()

    async def stop():
        for kernel in list(running):
            if kernel.km.has_kernel:
                await kernel.km.shutdown_kernel(now=True)
        EVENTS.flush()
        os._exit(1)

    def stop_at_end_of_stdin():
        sys.stdin.read()
        asyncio.run_coroutine_threadsafe(stop(), loop)

    threading.Thread(target=stop_at_end_of_stdin, daemon=True).start()

    async def launched(cwd):
        """A kernel launched for a slot's first notebook; none if that failed (execute() tries again and reports)."""
        kernel = Kernel(cwd, job["workDir"])
        running.add(kernel)
        try:
            await kernel.launch()
        except Exception:
            running.discard(kernel)
            await kernel.shutdown()
            return None
        return kernel

    async def slot(kernel):
        while queue:
            for index, notebook in queue.pop(0):
                emit(event="start", index=index)
                kernel = await execute(index, notebook, kernel, job["workDir"], running, html_exporter)
        if kernel is not None:
            running.discard(kernel)
            await kernel.shutdown()

    try:
        # each slot's first kernel starts up (0.3 CPU s) while this process imports the notebook modules
        firsts = [job["notebooks"][group[0]]["path"] for group in job["groups"][: job["slots"]] if group]
        kernels = [await launched(os.path.dirname(path)) for path in firsts]
        html_exporter = exporter()
        await asyncio.gather(*(slot(kernel) for kernel in kernels))
    except NotebookFailed:
        await stop()
    except BaseException:
        # anything else (a report that cannot be written, ...) also ends every kernel: one left alive would hold
        # this process's stderr open, so the caller would wait for ever; the traceback's last line names the error
        traceback.print_exc()
        await stop()


asyncio.run(main())
