"""The tutorial notebooks run as a student runs them, and with the reference solutions, in fast
mode (TUTORIALS_FAST=1: smaller sizes, the same code).

A student installs with ``pip install -e ".[tutorials]"`` and opens the notebooks in Jupyter,
which starts each kernel in tutorials/, with no PYTHONPATH and no reference solutions. Run so,
every notebook must reach its first exercise, whose check raises the stub's NotImplementedError,
with no error before it (a notebook without exercises runs to the end). With the solutions
(TUTORIALS_SOLUTIONS=1), every notebook runs to the end, and each check cell, run again after the
last cell, still passes: a reader who goes back to an exercise must not find it broken by a
later cell. The notebooks run in memory through ``tutorials/run_tutorials.py``'s functions; the
committed files are never written.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from nbclient.exceptions import CellExecutionError  # noqa: E402

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("[0-9][0-9]-*.ipynb"))
CELL_TIMEOUT = 300  # seconds; a fast-mode notebook takes well under a minute in total


def _load_runner():
    spec = importlib.util.spec_from_file_location("run_tutorials", TUTORIALS / "run_tutorials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


def _imports_as_a_kernel_would(module):
    """Whether ``module`` imports in a fresh interpreter started in tutorials/ without
    PYTHONPATH, as the notebooks' kernel is."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", f"import {module}"], cwd=TUTORIALS, env=env,
                          capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not _imports_as_a_kernel_would("minigrad"),
    reason="minigrad is not installed (pip install -e .): the notebooks import it from the "
           "install, as a student's kernel does")


def _exercise_indices(notebook):
    return [index for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and "@exercise" in cell.source]


def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.fixture
def student_environment(monkeypatch):
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("TUTORIALS_SOLUTIONS", raising=False)


def test_there_are_tutorials():
    assert NOTEBOOKS, f"no notebooks found in {TUTORIALS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_student_reaches_the_first_exercise(path, student_environment):
    committed = path.read_bytes()
    notebook = _read(path)
    try:
        runner.execute(notebook, fast=True, solutions=False, timeout=CELL_TIMEOUT)
    except CellExecutionError:
        pass
    found = runner.first_error(notebook)
    exercises = _exercise_indices(notebook)
    if not exercises:
        assert found is None, f"{path.name}: cell {found[0]} raised {found[1].ename}: " \
                              f"{found[1].evalue}"
    else:
        assert found is not None, f"{path.name} ran to the end with its stubs"
        index, error = found  # the first error: every cell before it ran cleanly
        assert index >= exercises[0] and error.ename == "NotImplementedError", (
            f"{path.name}: cell {index} raised {error.ename}: {error.evalue}; expected the stub "
            f"of the first exercise (cell {exercises[0]}) to raise NotImplementedError first")
        assert error.evalue.startswith("Exercise 1"), error.evalue
    assert path.read_bytes() == committed, f"{path.name} was modified by the test"


@pytest.mark.parametrize("path", [path for path in NOTEBOOKS if _exercise_indices(_read(path))],
                         ids=lambda path: path.stem)
def test_with_the_solutions_a_notebook_runs_to_the_end_and_its_checks_rerun(path,
                                                                            student_environment):
    committed = path.read_bytes()
    notebook = _read(path)
    client = runner.client_for(notebook, timeout=CELL_TIMEOUT)
    with client.setup_kernel(env=runner.kernel_environment(fast=True, solutions=True)):
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError, with the traceback
        checks = [(index, cell) for index, cell in enumerate(notebook.cells)
                  if cell.cell_type == "code" and "checks.check_" in cell.source]
        assert checks
        for index, cell in checks:  # out of order: after the last cell
            client.execute_cell(cell, index)
    assert path.read_bytes() == committed, f"{path.name} was modified by the test"


def test_the_runner_never_writes_by_default_and_reports_the_stub(student_environment, capsys):
    committed = NOTEBOOKS[0].read_bytes()
    assert runner.main([NOTEBOOKS[0].name[:2], "--fast"]) == 1
    assert NOTEBOOKS[0].read_bytes() == committed
    report = capsys.readouterr().err
    assert "NotImplementedError: Exercise 1" in report, report
