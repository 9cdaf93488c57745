"""Run the tutorial notebooks (tutorials/NN-*.ipynb) top to bottom, without a notebook front end.

    python tutorials/run_tutorials.py                  # your answers; no notebook is written
    python tutorials/run_tutorials.py 02 04            # only the notebooks whose names start so
    python tutorials/run_tutorials.py --fast           # TUTORIALS_FAST=1: small sizes, quick
    python tutorials/run_tutorials.py --solutions      # the reference solutions, not the stubs
    python tutorials/run_tutorials.py --write-outputs  # maintainers: the committed outputs

Each notebook runs as saved, with your answers, in a fresh ``python3`` kernel whose working
directory is tutorials/, as when Jupyter opens it, so its ``import checks`` finds checks.py beside
it; minigrad and ugan come from the install (``pip install -e ".[tutorials]"``), not from
PYTHONPATH. The notebook files are left as they are. A notebook that runs to the end passes; for
one that does not, the report names the first cell that raised (an exercise not done yet raises
NotImplementedError in its check cell). Timings go to stdout, failures to stderr; the exit status
is 1 if any notebook stopped.

``--solutions`` (or its older name ``--check``) sets TUTORIALS_SOLUTIONS=1 in the kernel: the
``@exercise`` decorator then hands back the reference solution (tutorials/solutions.py) instead of
the stub, so every check runs.

``--write-outputs`` runs with the solutions and saves each notebook in place, with the outputs of
its exercise cells (``@exercise``) and check cells (``checks.check_...``) removed: the committed
notebooks show what every explanation prints and draws, and leave each exercise, and whether it
passes, to the reader. It overwrites the notebooks, answers included.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

TUTORIALS = Path(__file__).resolve().parent
PATTERN = "[0-9][0-9]-*.ipynb"


def notebooks(prefixes=()):
    """The numbered notebooks, in order; only those whose names start with one of ``prefixes``
    if any are given."""
    found = sorted(TUTORIALS.glob(PATTERN))
    if prefixes:
        found = [path for path in found if path.name.startswith(tuple(prefixes))]
    return found


def is_exercise_or_check(cell):
    """Whether ``cell`` holds an exercise's stub or calls a check: the cells whose outputs
    depend on the reader's answer, which the committed notebooks leave empty."""
    return cell.cell_type == "code" and ("@exercise" in cell.source
                                         or "checks.check_" in cell.source)


def kernel_environment(fast, solutions):
    """This process's environment, with the two switches the notebooks read set or removed
    (a run must not inherit them from the shell)."""
    env = dict(os.environ)
    for name, wanted in [("TUTORIALS_FAST", fast), ("TUTORIALS_SOLUTIONS", solutions)]:
        if wanted:
            env[name] = "1"
        else:
            env.pop(name, None)
    return env


def client_for(notebook, timeout=600):
    """An nbclient client that runs ``notebook`` (an nbformat node, filled in place) in a
    ``python3`` kernel started in tutorials/. ``client.execute(env=...)`` runs it all; to run
    cells one at a time, call ``client.execute_cell`` inside ``client.setup_kernel(env=...)``.
    A cell's consecutive prints are merged into one output (``coalesce_streams``), so that how
    the kernel happened to flush them does not show in the committed notebooks."""
    return NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                          resources={"metadata": {"path": str(TUTORIALS)}}, record_timing=False,
                          coalesce_streams=True)


def execute(notebook, fast=False, solutions=False, timeout=600):
    """Run every cell of ``notebook`` in order, filling in its outputs, and return it.

    Raises nbclient's CellExecutionError at the first cell that raises (the cells up to it keep
    their outputs), CellTimeoutError if one runs longer than ``timeout`` seconds."""
    client_for(notebook, timeout).execute(env=kernel_environment(fast, solutions))
    return notebook


def first_error(notebook):
    """(index, error output) of the first cell of ``notebook`` whose outputs hold an error, or
    None."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return index, output
    return None


def without_answers(notebook):
    """``notebook`` with the outputs and execution counts of its exercise and check cells
    removed."""
    for cell in notebook.cells:
        if is_exercise_or_check(cell):
            cell.outputs, cell.execution_count = [], None
    return notebook


def run(path, fast, solutions, write, timeout):
    """Run the notebook at ``path``; write it back (answers removed) if ``write``. Returns
    None if it ran to the end, else a line that says where and why it stopped."""
    notebook = nbformat.read(path, as_version=4)
    try:
        execute(notebook, fast, solutions, timeout)
    except CellTimeoutError as error:
        return f"a cell ran longer than {timeout:g} s: {error}"
    except CellExecutionError as error:
        found = first_error(notebook)
        if found is None:
            return str(error)
        index, output = found
        code = notebook.cells[index].source.strip().splitlines()
        return (f"cell {index + 1} of {len(notebook.cells)} ({code[0] if code else 'empty'}) "
                f"raised {output.ename}: {output.evalue}")
    if write:
        nbformat.write(without_answers(notebook), path)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only notebooks whose names start so")
    parser.add_argument("--fast", action="store_true",
                        help="set TUTORIALS_FAST=1 in the kernel (small sizes, few steps)")
    parser.add_argument("--solutions", "--check", dest="solutions", action="store_true",
                        help="put the reference solutions in place of the exercises' stubs "
                             "(--check: its older name)")
    parser.add_argument("--write-outputs", action="store_true",
                        help="maintainers: run with the solutions and save the notebooks in "
                             "place, without the outputs of exercise and check cells")
    parser.add_argument("--timeout", type=float, default=600,
                        help="time limit per cell, in seconds (default 600)")
    args = parser.parse_args(argv)

    paths = notebooks(args.names)
    if not paths:
        print(f"run_tutorials: no notebook in {TUTORIALS} matches {args.names or PATTERN}",
              file=sys.stderr)
        return 1
    solutions = args.solutions or args.write_outputs
    mode = ("fast" if args.fast else "full") + (", reference solutions" if solutions else "")
    stopped = []
    for path in paths:
        start = time.perf_counter()
        problem = run(path, args.fast, solutions, args.write_outputs, args.timeout)
        if problem:
            stopped.append(path.name)
            print(f"{path.name} stopped: {problem}", file=sys.stderr, flush=True)
        else:
            saved = ", saved" if args.write_outputs else ""
            print(f"{path.name}: ran to the end in {time.perf_counter() - start:.1f} s "
                  f"({mode}{saved})", flush=True)
    if stopped:
        print(f"run_tutorials: {len(stopped)} notebook(s) stopped: {', '.join(stopped)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
