"""Every ``python -m ugan ...`` command quoted in README.md, docs/ and the tutorials' cells
(markdown and code) runs, in a tiny form.

Commands are taken in the order they appear in each file (so a documented ``--resume`` continues
the run that the lines before it made), with their run folder moved under a temporary folder and
the run shrunk: 1 iteration per 1,000 documented (at least 2; a variant's steps=N too), batch 16, an evaluation every
iteration, a study's first seed only; a shell redirection after a command (``> runs.txt``) is
not part of it. Every command runs on this machine's CPU (no ``--device cuda``); those of the
paper's networks (``--preset paper`` or ``fashion``) at a tiny width, with 64 samples per
evaluation, 4 conv reconstructions and in this process (no ``--jobs``), on the small
Fashion-MNIST folder of ``tests/fashion_files.py`` (so on every machine, with or without
Debian's package). A command that a change to the CLI breaks, or a documented sequence that no
longer works (say a resume with other options than the run it continues), fails here."""

import json
import re
import shlex
from pathlib import Path

import pytest

from ugan.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ([ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
             + sorted((ROOT / "tutorials").glob("*.ipynb")))
COMMAND = re.compile(r"python -m ugan(?:[ \t]+[^`#\n>]*)?")


def text_of(path):
    """A document's text: a notebook's is its cells' sources, one after another."""
    if path.suffix == ".ipynb":
        return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])
    return path.read_text()


def documented_commands(path):
    """The argument lists of the commands in ``path``, skipping synopsis lines ("[--x]")."""
    commands = []
    for match in COMMAND.finditer(text_of(path)):
        text = match.group(0).strip()
        if "[" not in text and "<" not in text:
            commands.append(shlex.split(text)[3:])
    return commands


def _drop(args, option, values=1):
    if option in args:
        at = args.index(option)
        del args[at:at + 1 + values]


def _one_seed(args):
    """A study over several seeds runs its first only (the others would run the same code)."""
    if "--seeds" in args:
        at = args.index("--seeds") + 2
        while at < len(args) and not args[at].startswith("--"):
            del args[at]


def _paper_networks(args):
    """Shrink a command of the paper's networks: tiny width, this process."""
    _drop(args, "--jobs")
    args += ["--width", "0.0625", "--eval-samples", "64"]
    if "conv" in args:
        args += ["--inference-images", "4"]


def shrunk(args, tmp_path):
    args = list(args)
    _drop(args, "--device")  # this machine's CPU
    image_experiment = {"lstm", "conv", "stacked", "colour"} & set(args)
    if image_experiment and "--preset" in args \
            and args[args.index("--preset") + 1] in ("paper", "fashion"):
        _paper_networks(args)
    _one_seed(args)
    # A variant's own length (steps=5000) shrinks as --steps does.
    args = [f"steps={max(2, int(arg[6:]) // 1000)}" if re.fullmatch(r"steps=\d+", arg) else arg
            for arg in args]
    steps = 2
    if "--steps" in args:
        at = args.index("--steps")
        steps = max(2, int(args[at + 1]) // 1000)
        del args[at:at + 2]
    if "--out" in args:
        at = args.index("--out")
        args[at + 1] = str(tmp_path / args[at + 1].replace("/", "_"))
    else:
        args += ["--out", str(tmp_path / ("_".join(args) or "demo"))]
    return args + ["--steps", str(steps), "--batch-size", "16", "--eval-every", "1",
                   "--no-progress"]


@pytest.mark.usefixtures("small_fashion_mnist")
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_documented_commands_run(document, tmp_path):
    commands = documented_commands(document)
    for args in commands:
        if args[-1:] == ["--help"]:
            with pytest.raises(SystemExit) as exit_info:
                main(args)
            assert exit_info.value.code == 0
            continue
        assert main(shrunk(args, tmp_path)) == 0, \
            f"{document.name}: python -m ugan {' '.join(args)}"


def test_the_documents_quote_the_main_commands():
    quoted = [args for document in DOCUMENTS for args in documented_commands(document)]
    assert [] in quoted  # the demo
    assert any(args[:1] == ["study"] for args in quoted)
    assert any("--resume" in args for args in quoted)
