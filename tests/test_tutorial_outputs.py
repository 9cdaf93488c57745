"""The committed tutorial outputs come from one complete full-mode run with the reference solutions
(``python tutorials/run_tutorials.py --write-outputs``), which then removed the outputs of every
exercise cell and check cell: every other code cell was executed and none raised, and no output
shows a check passing or an answer, so that a reader sees what each explanation prints and draws
and runs each exercise and its check for themselves. (The claims of the prose are asserted in the
cells themselves, so a fast run checks them too; where the prose states a direction that a run
shows, a test below also reads it from the committed output.)"""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("[0-9][0-9]-*.ipynb"))


def _text(outputs):
    return "".join(output.get("text", "") for output in outputs)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_outputs_are_a_full_run_without_answers(notebook):
    cells = [cell for cell in nbformat.read(notebook, as_version=4).cells
             if cell.cell_type == "code"]
    answers = [cell for cell in cells
               if "@exercise" in cell.source or "checks.check_" in cell.source]
    others = [cell for cell in cells if cell not in answers]
    assert all(not cell.outputs and cell.execution_count is None for cell in answers), (
        "an exercise or check cell has outputs: they would show a pass or an answer under a stub")
    assert all(cell.execution_count is not None for cell in others), "a cell was not executed"
    outputs = [output for cell in others for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = _text(outputs)
    assert "fast mode" not in text
    assert not re.findall(r"passed|^Right", text, flags=re.MULTILINE), (
        "an output reports a check's result")
    if any("@exercise" in cell.source for cell in cells):
        assert sum("checks.check_" in cell.source for cell in cells) >= 2


def _printed(notebook_name, cell_id):
    notebook = nbformat.read(TUTORIALS / notebook_name, as_version=4)
    (cell,) = [cell for cell in notebook.cells if cell.get("id") == cell_id]
    return _text(cell.outputs)


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
