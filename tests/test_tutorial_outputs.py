"""The committed tutorial outputs come from one complete full-mode run: every code cell of
notebooks 01-06 was executed, none raised, and every exercise check printed that it passed.
(The claims of the prose are asserted in the cells themselves, so a fast run checks them too.)"""

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
