"""Executes notebooks headless through their kernel and exports each as HTML, several at once, in ONE process.

What `jupyter nbconvert --execute --to html` does per notebook (nbclient runs the cells, nbconvert's HTMLExporter
writes the page), without a Python start-up and nbconvert import per notebook (about 1.3 CPU s each).
Called by src/report/jupyter.ts. Reads a JSON job, one line on stdin: {"workDir", "slots", "notebooks": [{"path",
"env"}]}; writes one JSON line per event to file descriptor 3: start, done (with the HTML's path) and failed (the
failing cell and its stderr). The first failure kills every kernel and exits 1; so does the end of stdin before the
work is done (the caller gave up or died), so that no kernel outlives the run.
"""
import asyncio
import datetime
import json
import os
import sys
import threading
import time

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets.config import Config

EVENTS = os.fdopen(3, "w")


def emit(**event):
    EVENTS.write(json.dumps(event) + "\n")
    EVENTS.flush()


def exporter():
    """One for all notebooks: a new one loads its templates again (about 0.05 CPU s per notebook)."""
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


class NotebookFailed(Exception):
    pass


async def execute(index, job, work_dir, running, html_exporter):
    """Runs one notebook and writes WORK_DIR/NAME.html. A failure before its first cell starts (the kernel did
    not come up: jupyter_client#154, two kernels starting at once can race for a port) is retried once."""
    path = job["path"]
    started = time.monotonic()
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, kernel_name="tslab", timeout=1200, resources={"metadata": {"path": os.path.dirname(path)}}
        )
        current = {"cell": None}
        # nbclient may call the hook for markdown cells too; a failure is named by its code cell
        client.on_cell_start = lambda cell, cell_index: cell.cell_type == "code" and current.update(cell=cell_index)
        running.add(client)
        try:
            await client.async_execute(env=job["env"])
            break
        except Exception as err:
            if current["cell"] is None and attempt == 1:
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
        finally:
            running.discard(client)
    html, _ = html_exporter.from_notebook_node(nb, resources=resources_of(path))
    out = os.path.join(work_dir, os.path.basename(path).replace(".ipynb", ".html"))
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    emit(event="done", index=index, html=out, seconds=time.monotonic() - started)


async def main():
    job = json.loads(sys.stdin.readline())
    queue = list(enumerate(job["notebooks"]))
    running = set()
    html_exporter = exporter()
    loop = asyncio.get_running_loop()

    async def stop():
        for client in list(running):
            if client.km is not None and client.km.has_kernel:
                await client.km.shutdown_kernel(now=True)
        EVENTS.flush()
        os._exit(1)

    def stop_at_end_of_stdin():
        sys.stdin.read()
        asyncio.run_coroutine_threadsafe(stop(), loop)

    threading.Thread(target=stop_at_end_of_stdin, daemon=True).start()

    async def slot():
        while queue:
            index, notebook = queue.pop(0)
            emit(event="start", index=index)
            await execute(index, notebook, job["workDir"], running, html_exporter)

    try:
        await asyncio.gather(*(slot() for _ in range(job["slots"])))
    except NotebookFailed:
        await stop()


asyncio.run(main())
