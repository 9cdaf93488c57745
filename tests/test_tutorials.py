"""Every tutorial notebook runs top to bottom in fast mode (TUTORIALS_FAST=1), so none can rot.

Each notebook is copied to a temporary folder and executed there with nbclient, through the same
function that ``python tutorials/run_tutorials.py`` uses; the committed notebook is never
rewritten. A cell that raises (including a failed exercise check) fails the test with the cell's
source and traceback.
"""

import importlib.util
import shutil
from pathlib import Path

import pytest

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds; a fast-mode notebook takes well under a minute in total


def _load_runner():
    spec = importlib.util.spec_from_file_location("run_tutorials", TUTORIALS / "run_tutorials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


def test_there_are_tutorials():
    assert NOTEBOOKS, f"no notebooks found in {TUTORIALS}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_tutorial_runs_in_fast_mode(notebook, tmp_path):
    committed = notebook.read_bytes()
    copy = tmp_path / notebook.name
    shutil.copyfile(notebook, copy)
    executed = runner.execute(copy, fast=True, cwd=tmp_path, timeout=CELL_TIMEOUT)
    errors = [output for cell in executed.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors, f"{notebook.name}: {errors[0].ename}: {errors[0].evalue}"
    assert notebook.read_bytes() == committed, f"{notebook.name} was modified by the test"
