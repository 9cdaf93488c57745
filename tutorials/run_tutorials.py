"""Execute the tutorial notebooks (tutorials/NN-*.ipynb) and save their outputs in place.

    python tutorials/run_tutorials.py                 # full mode: regenerates the committed outputs
    python tutorials/run_tutorials.py --fast          # TUTORIALS_FAST=1: small sizes, a quick run
    python tutorials/run_tutorials.py --fast --check  # ... and leave the notebooks untouched
    python tutorials/run_tutorials.py 02 04           # only the notebooks whose names start so

Each notebook runs top to bottom in a fresh ``python3`` kernel whose working directory is
tutorials/ (with --check: a temporary folder holding a copy of the notebook), with a time limit
per cell. The repository root is put on the kernel's PYTHONPATH, so minigrad, ugan and the
tutorials' helpers import without being installed, and TUTORIALS_SOLUTIONS=1 puts the
reference solutions (tutorials/solutions.py) in place of the exercises' stubs, so that every
check runs. Timings go to stdout, errors to stderr; the exit status is 1 if any
notebook failed.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

TUTORIALS = Path(__file__).resolve().parent
ROOT = TUTORIALS.parent
PATTERN = "[0-9][0-9]-*.ipynb"


def notebooks(prefixes=()):
    """The numbered notebooks, in order; only those whose names start with one of ``prefixes``
    if any are given."""
    found = sorted(TUTORIALS.glob(PATTERN))
    if prefixes:
        found = [path for path in found if path.name.startswith(tuple(prefixes))]
    return found


def kernel_environment(fast):
    env = dict(os.environ)
    if fast:
        env["TUTORIALS_FAST"] = "1"
    else:
        env.pop("TUTORIALS_FAST", None)  # a full run must not inherit the shell's fast flag
    env["TUTORIALS_SOLUTIONS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def execute(path, fast, cwd=None, timeout=600):
    """Run the notebook at ``path`` and return it with its outputs (the file is not written).

    Raises nbclient's CellExecutionError (with the failing cell and its traceback) if a cell
    raises, CellTimeoutError if one runs longer than ``timeout`` seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd or Path(path).parent)}},
                            record_timing=False)
    client.execute(env=kernel_environment(fast))
    return notebook


def run(path, fast, check, timeout):
    if check:
        with tempfile.TemporaryDirectory(prefix="tutorial-") as folder:
            copy = Path(folder) / path.name
            shutil.copyfile(path, copy)
            execute(copy, fast, cwd=folder, timeout=timeout)
    else:
        nbformat.write(execute(path, fast, timeout=timeout), path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only notebooks whose names start so")
    parser.add_argument("--fast", action="store_true",
                        help="set TUTORIALS_FAST=1 in the kernel (small sizes, few steps)")
    parser.add_argument("--check", action="store_true",
                        help="execute a temporary copy and do not write the notebooks")
    parser.add_argument("--timeout", type=float, default=600,
                        help="time limit per cell, in seconds (default 600)")
    args = parser.parse_args(argv)

    paths = notebooks(args.names)
    if not paths:
        print(f"run_tutorials: no notebook in {TUTORIALS} matches {args.names or PATTERN}",
              file=sys.stderr)
        return 1
    mode = "fast" if args.fast else "full"
    failed = []
    for path in paths:
        print(f"running {path.name} ({mode}{', check only' if args.check else ''}) ...",
              file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            run(path, args.fast, args.check, args.timeout)
        except (CellExecutionError, CellTimeoutError) as error:
            failed.append(path.name)
            print(f"{path.name} failed:\n{error}", file=sys.stderr)
            continue
        print(f"{path.name}: {time.perf_counter() - start:.1f} s ({mode})", flush=True)
    if failed:
        print(f"run_tutorials: {len(failed)} notebook(s) failed: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
