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


def test_05_toy_says_what_its_committed_run_printed():
    """05's text: on the GAN on a line, both K = 10 variants cover both modes on at least as many
    seeds as K = 0, the same seeds with term 1 alone as with both terms; term 2's push grows
    with the look-ahead's learning rate and is under 5% of term 1's at 1e-3."""
    text = _printed("05-what-each-term-does.ipynb", "t05-toy")
    counts = re.search(r"by the end: K = 0 (\d) of (\d), K = 10, term 1 only (\d) of \d, "
                       r"K = 10, both terms (\d) of \d", text)
    assert counts, text
    standard, seeds, alone, both = (int(value) for value in counts.groups())
    assert seeds == 8 and alone >= standard and both >= standard
    sizes = re.findall(r"([\d.]+)% at ([\d.e-]+)", _printed("05-what-each-term-does.ipynb",
                                                           "t05-pushes"))
    shares = [float(share) for share, _ in sizes]
    assert len(shares) == 3 and shares == sorted(shares) and shares[0] < 5, sizes


def test_05_lagging_discriminator_says_what_its_committed_run_printed():
    """05's text on the lagging discriminator: term 1 alone covered every seed from the smallest
    K tried, so the second term did not let a smaller K converge."""
    text = _printed("05-what-each-term-does.ipynb", "t05-lagging")
    verdict = re.search(r"from K = (\w+) with term 1 alone and from K = (\w+) with both terms: "
                        r"(fewer|not fewer) unrolling steps", text)
    assert verdict, text
    assert verdict.groups()[0] == "1" and verdict.groups()[2] == "not fewer"


def test_08_profile_says_what_its_committed_run_printed():
    """08's text: the matrix products lead a compiled iteration's time, and fusing elementwise
    chains could buy little (the bound it prints is a small share)."""
    text = _printed("08-from-a-tape-to-a-program.ipynb", "t08-profile")
    assert text.split()[0] in ("MatMul", "LinearOp"), text
    bound = re.search(r"fusing their chains could save at most ([\d.]+)%", text)
    assert bound, text
    assert float(bound.group(1)) < 10
