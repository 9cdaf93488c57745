"""The published numbers: ``ugan.paper`` holds them as printed, each result with two sources; they
equal the tables of ``../shared/paper/README.md`` (where that copy is present); and every paper
number in README.md and docs/ is one of them, so that none drifts from what was published."""

import re
from pathlib import Path

import pytest

from ugan import paper

ROOT = Path(__file__).resolve().parents[1]
SHARED_README = ROOT.parent / "shared" / "paper" / "README.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text):
    """The numbers written in ``text``, as strings without thousands separators."""
    return {found.replace(",", "") for found in NUMBER.findall(text)}


def tables(markdown):
    """Each markdown table as (header, rows), every row a list of stripped cells."""
    found, lines = [], markdown.splitlines()
    for at, line in enumerate(lines[1:], start=1):
        if re.fullmatch(r"\|[\s:|-]+\|", line.strip()) and lines[at - 1].startswith("|"):
            header, rows = _cells(lines[at - 1]), []
            for row in lines[at + 1:]:
                if not row.startswith("|"):
                    break
                rows.append(_cells(row))
            found.append((header, rows))
    return found


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table_rows(markdown):
    """Every row of every table in ``markdown``, headers included."""
    return [row for header, rows in tables(markdown) for row in [header, *rows]]


def row_named(rows, first_cell):
    (row,) = [row for row in rows if row[0] == first_cell]
    return row[1:]


def test_every_published_result_has_two_sources():
    assert all(len(sources) >= 2 for _, sources in paper.results())


@pytest.mark.skipif(not SHARED_README.exists(), reason=f"{SHARED_README} is not in this checkout")
def test_the_numbers_are_the_shared_readmes():
    text = SHARED_README.read_text(encoding="utf-8")
    rows = table_rows(text)
    ks = (0, 1, 5, 10)
    assert row_named(rows, "average MSE") == [paper.TABLE_1_MSE[k] for k in ks]
    shares = row_named(rows, "percent best rank")
    assert [cell.split(" (")[0] for cell in shares] == [paper.TABLE_1_BEST_RANK[k] for k in ks]
    for size in ("1/4", "1/2"):
        assert row_named(rows, f"{size} of the generator") == [paper.TABLE_2[size, k] for k in ks]
    rerun = re.search(r"([\d.]+ ± [\d.]+) modes / KL ([\d.]+) at 1/4, ([\d.]+ ± [\d.]+) / KL "
                      r"([\d.]+) at 1/2", " ".join(text.split()))
    assert rerun, "PacGAN's re-run of the K=0 row is not where the test looks for it"
    assert paper.PACGAN_K0 == {"1/4": f"{rerun[1]} / {rerun[2]}",
                               "1/2": f"{rerun[3]} / {rerun[4]}"}
    unrolled = {key: row_named(rows, name)[1] for key, name in [
        ("ring", "2D ring, 8 modes: modes / high-quality %"),
        ("grid", "2D grid, 25 modes: modes / high-quality %"),
        ("stacked", "stacked MNIST: modes / KL"),
        ("cifar10_mse", "CIFAR-10 inference via optimization MSE")]}
    assert unrolled == paper.VEEGAN_UNROLLED


def paper_cells(markdown):
    """The table cells of ``markdown`` that quote a published number: those that start with a
    digit in a column whose header names the paper, and those of a row whose first cell names
    VEEGAN's or PacGAN's runs; then every "(the paper: N)" in the text."""
    quoted = []
    for header, rows in tables(markdown):
        for row in rows:
            for title, cell in zip(header, row):
                names_paper = "paper" in title.lower() and "ours" not in title.lower()
                if names_paper and cell[:1].isdigit():
                    quoted.append(cell)
            if re.match(r"(VEEGAN|PacGAN)'s", row[0]):
                quoted.extend(row[1:])
    quoted.extend(re.findall(r"\(the paper: ([\d,.]+)\)", " ".join(markdown.split())))
    return quoted


def test_every_paper_number_in_the_docs_is_a_published_one():
    published = set().union(*(numbers(text) for text, _ in paper.results()),
                            *(numbers(text) for text, _ in paper.SETTINGS.values()))
    seen = 0
    for path in DOCS:
        for cell in paper_cells(path.read_text(encoding="utf-8")):
            seen += 1
            unknown = numbers(cell) - published
            assert not unknown, (f"{path.name}: {cell!r} quotes {sorted(unknown)}, which "
                                 f"ugan/paper.py does not hold")
    assert seen >= 20, "the docs' paper numbers are no longer where this test looks for them"


def test_a_wrong_paper_number_is_caught():
    table = ("| K | paper: MSE | ours: MSE |\n| --- | --- | --- |\n"
             "| 0 | 0.0231 ± 0.0042 | 0.05 |\n")
    (cell,) = paper_cells(table)
    published = set().union(*(numbers(text) for text, _ in paper.results()))
    assert numbers(cell) - published == {"0.0042"}
