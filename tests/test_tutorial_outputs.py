"""The committed tutorial outputs come from one complete full-mode run: every code cell of
notebooks 01-06 was executed, none raised, and every exercise check printed that it passed.
(The claims of the prose are asserted in the cells themselves, so a fast run checks them too; where
the prose states a direction that a run shows, a test below also reads it from the committed
output.)"""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("0[1-6]-*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_outputs_are_a_full_run(notebook):
    cells = [cell for cell in nbformat.read(notebook, as_version=4).cells
             if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in cells), "a cell was not executed"
    outputs = [output for cell in cells for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs)
    assert "fast mode" not in text
    checks = sum("checks.check_" in cell.source for cell in cells)
    passed = re.findall(r"^(?:Exercise \d passed|Right)", text, flags=re.MULTILINE)
    assert checks >= 2 and len(passed) >= checks, "an exercise check did not report success"


def _printed(notebook_name, cell_id):
    notebook = nbformat.read(TUTORIALS / notebook_name, as_version=4)
    (cell,) = [cell for cell in notebook.cells if cell.get("id") == cell_id]
    return "".join(output.get("text", "") for output in cell.outputs)


def test_04_collapse_toy_says_what_its_committed_run_printed():
    """04's text: term 1 narrows sigma at almost every step and past the data's spread, term 2
    widens it at most steps and is much smaller than term 1."""
    text = _printed("04-missing-gradient-term.ipynb", "t04-36")
    shares = re.search(r"term 1 narrows σ at (\d+)% of the steps, term 2 widens it at (\d+)%; "
                       r"\|term 2\| is a median ([\d.]+)% of \|term 1\|", text)
    assert shares, text
    narrows, widens, relative = (float(value) for value in shares.groups())
    assert narrows > 90 and widens > 50 and relative < 50
    ends = re.search(r"σ after \d+ steps: ([\d.]+) with K = 0, ([\d.]+) with K = 5 \(from 1.0; "
                     r"each data mode has spread ([\d.]+)\)", text)
    assert ends, text
    standard, unrolled, spread = (float(value) for value in ends.groups())
    assert standard < spread and unrolled < spread


def test_07_profile_says_what_its_committed_run_printed():
    """07's text: the matrix products lead a compiled iteration's time, and fusing elementwise
    chains could buy little (the bound it prints is a small share)."""
    text = _printed("07-from-a-tape-to-a-program.ipynb", "t07-profile")
    assert text.split()[0] in ("MatMul", "Linear"), text
    bound = re.search(r"fusing their chains could save at most ([\d.]+)%", text)
    assert bound, text
    assert float(bound.group(1)) < 10
