"""The scripts that README and docs tell people to run (benchmarks, the tutorial runner, the
figure script) run to the end: slow tier, ``python -m pytest -m slow``. The figure script's
--paper-study path runs in the default tier, on tiny runs."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ugan.demo import DEMO_UNROLL_STEPS, format_table
from ugan.train import read_history

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = [
    ["benchmarks/engine_overhead.py"],
    ["benchmarks/conv.py"],
    ["benchmarks/mixture_step.py", "--iterations", "2"],
    ["benchmarks/preset_sizing.py", "--iterations", "1", "--experiments", "lstm"],
    ["benchmarks/compiled_profile.py", "--repeats", "2"],
    ["benchmarks/relu_kernel.py", "--iterations", "10"],
    ["benchmarks/blas_kernels.py", "--iterations", "4"],
    ["benchmarks/image_step.py", "--ks", "1", "--iterations", "1", "--block", "2"],
    ["tutorials/run_tutorials.py", "--fast", "--check"],
    ["docs/make_figures.py"],
]


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s[0])
def test_documented_script_runs(script):
    result = subprocess.run([sys.executable, *script], cwd=ROOT, capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip(), "the script printed nothing"


def test_make_figures_copies_the_demo_and_paper_study_figures(tmp_path, monkeypatch):
    """docs/make_figures.py --paper-study, on tiny runs in a temporary tree (the real study
    takes hours): both runs are made, their figures land in docs/figures, and the demo's table
    replaces the one in (a copy of) README, whose other lines stay."""
    make_figures = _load_make_figures()
    tiny = dict(steps=2, batch_size=16, eval_every=2, progress=False)
    real_run_demo = make_figures.run_demo
    readme = (ROOT / "README.md").read_text()
    (tmp_path / "README.md").write_text(readme)
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(make_figures, "run_demo", lambda out_dir: real_run_demo(out_dir, **tiny))
    monkeypatch.setattr(make_figures, "PAPER_STUDY",
                        {**make_figures.PAPER_STUDY, "ks": [0, 1], "seeds": [0], **tiny})
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--paper-study"])
    make_figures.main()
    written = sorted(p.name for p in (tmp_path / "docs" / "figures").iterdir())
    assert written == ["demo-figure1.png", "demo-metrics.png", "paper-study-figure1.png",
                       "paper-study-metrics.png"]
    histories = {k: read_history(tmp_path / "runs" / "mixture-demo" / f"K{k}")
                 for k in DEMO_UNROLL_STEPS}
    table = format_table(histories, tiny["steps"])
    assert "after 2 iterations" in table
    made = make_figures.DEMO_TABLE.sub(lambda match: match[1] + table + "\n" + match[2], readme)
    assert made != readme
    assert (tmp_path / "README.md").read_text() == made


TINY_STUDY = dict(steps=2, batch_size=8, eval_every=2, g_width=8, d_width=4, eval_samples=32,
                  progress=False, ks=[0, 1], seeds=[0])


def test_make_figures_copies_the_image_studies_figures(tmp_path, monkeypatch):
    """docs/make_figures.py --image-studies, on tiny studies in a temporary tree."""
    studies = _run_study_figures(tmp_path, monkeypatch, "IMAGE_STUDIES", ["--image-studies"], {},
                                 {"study-conv-demo": dict(inference_images=4, inference_steps=2)})
    written = sorted(p.name for p in (tmp_path / "docs" / "figures").iterdir())
    assert written == sorted(f"{study['experiment']}-{name}" for study in studies.values()
                             for name in ("samples.png", "metrics.png"))
    for out in studies:  # each study's summary kept for docs/make_tables.py
        kept = tmp_path / "docs" / "results" / f"{out}.json"
        assert kept.read_bytes() == (tmp_path / "runs" / out / "summary.json").read_bytes()


def test_make_figures_demo_study_keeps_its_summary(tmp_path, monkeypatch):
    """--demo-study: the ring's demo study (tiny here), its summary kept, no figure copied."""
    make_figures = _load_make_figures()
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(make_figures, "DEMO_STUDY", {
        **make_figures.DEMO_STUDY, "seeds": [0], "steps": 2, "eval_every": 2,
        "batch_size": 16, "eval_samples": 64})
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo", "--demo-study"])
    make_figures.main()
    kept = tmp_path / "docs" / "results" / "study-demo.json"
    assert kept.read_bytes() == (tmp_path / "runs" / "study-demo" / "summary.json").read_bytes()
    assert list(json.loads(kept.read_text())["runs"]) == ["0", "10"]
    assert not (tmp_path / "docs" / "figures").exists()


def test_make_figures_copies_the_fashion_studies_figures(tmp_path, monkeypatch):
    """docs/make_figures.py --fashion-studies, on tiny studies (the demo preset: no 28x28 data
    needed) in a temporary tree; the sample grids are written with a palette."""
    studies = _run_study_figures(tmp_path, monkeypatch, "FASHION_STUDIES", ["--fashion-studies"],
                                 dict(preset="demo"))
    figures = tmp_path / "docs" / "figures"
    assert sorted(p.name for p in figures.iterdir()) == sorted(
        f"{out.removeprefix('study-')}-{name}" for out in studies
        for name in ("samples.png", "metrics.png"))
    with Image.open(next(figures.glob("*-samples.png"))) as samples:
        assert samples.mode == "P"


def test_make_figures_fashion_studies_named_folders_only(tmp_path, monkeypatch):
    """--fashion-studies FOLDER runs and copies that study alone, not the others."""
    _run_study_figures(tmp_path, monkeypatch, "FASHION_STUDIES",
                       ["--fashion-studies", "study-colour-fashion"], dict(preset="demo"))
    assert sorted(p.name for p in (tmp_path / "docs" / "figures").iterdir()) == [
        "colour-fashion-metrics.png", "colour-fashion-samples.png"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["study-colour-fashion"]


def test_make_figures_copies_table2_studies_as_their_command_wrote_them(tmp_path, monkeypatch):
    """--table2-studies FOLDER copies that study's figures (samples with a palette) and its
    summary byte for byte, without re-reading its runs (a re-read would name this checkout's
    revision, not the frozen one that trained them)."""
    make_figures = _load_make_figures()
    study = tmp_path / "runs" / "study-stacked-paper-k1-5"
    study.mkdir(parents=True)
    (study / "summary.json").write_text('{"revision": "7d3e735"}')
    for name, colour in (("samples.png", (200, 30, 30)), ("metrics.png", (10, 10, 240))):
        Image.new("RGB", (8, 6), colour).save(study / name)
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(make_figures, "run_study", lambda *args, **kwargs: pytest.fail("re-read"))
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo", "--table2-studies",
                                      "study-stacked-paper-k1-5"])
    make_figures.main()
    figures = tmp_path / "docs" / "figures"
    assert sorted(p.name for p in figures.iterdir()) == [
        "stacked-paper-k1-5-metrics.png", "stacked-paper-k1-5-samples.png"]
    with Image.open(figures / "stacked-paper-k1-5-samples.png") as samples:
        assert samples.mode == "P" and samples.convert("RGB").getpixel((3, 3)) == (200, 30, 30)
    kept = tmp_path / "docs" / "results" / "study-stacked-paper-k1-5.json"
    assert kept.read_bytes() == (study / "summary.json").read_bytes()


def test_make_figures_table2_study_without_summary_stops_naming_it(tmp_path, monkeypatch):
    make_figures = _load_make_figures()
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo", "--table2-studies"])
    with pytest.raises(SystemExit, match=r"runs/study-stacked-paper-k0-10 has no summary\.json"):
        make_figures.main()
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--table2-studies", "study-k3"])
    with pytest.raises(SystemExit):
        make_figures.main()
    assert not (tmp_path / "docs").exists()


def test_make_figures_keeps_only_the_summaries_it_is_asked_for(tmp_path, monkeypatch):
    """--keep-summaries FOLDER ...: each finished study's summary copied byte for byte, no
    figure, nothing re-read; a folder without a summary stops the command, naming it."""
    make_figures = _load_make_figures()
    for name, revision in (("study-paper-k0", "b8e69e1"), ("study-demo-no-second-order", "x")):
        (tmp_path / "runs" / name).mkdir(parents=True)
        (tmp_path / "runs" / name / "summary.json").write_text(f'{{"revision": "{revision}"}}')
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(make_figures, "run_study", lambda *args, **kwargs: pytest.fail("re-read"))
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo", "--keep-summaries",
                                      "study-paper-k0", "study-demo-no-second-order"])
    make_figures.main()
    results = tmp_path / "docs" / "results"
    assert sorted(p.name for p in results.iterdir()) == ["study-demo-no-second-order.json",
                                                         "study-paper-k0.json"]
    assert (results / "study-paper-k0.json").read_text() == '{"revision": "b8e69e1"}'
    assert not (tmp_path / "docs" / "figures").exists()
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo", "--keep-summaries",
                                      "study-unfinished"])
    with pytest.raises(SystemExit, match=r"runs/study-unfinished has no summary\.json"):
        make_figures.main()


def test_make_figures_no_demo_leaves_the_demo_alone(tmp_path, monkeypatch):
    """--no-demo: the demo is neither run nor copied nor tabled (here: nothing else is asked
    for)."""
    make_figures = _load_make_figures()
    calls = []
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(make_figures, "run_demo", calls.append)
    monkeypatch.setattr(make_figures, "write_demo_table", lambda histories: calls.append("table"))
    monkeypatch.setattr(make_figures, "copy_figures", lambda *args, **kwargs: calls.append(args))
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo"])
    make_figures.main()
    assert calls == []
    monkeypatch.setattr(sys, "argv", ["make_figures.py"])
    make_figures.main()
    assert calls[0] == tmp_path / "runs" / "mixture-demo" and calls[1] == "table"
    assert calls[2][1] == "demo"


def test_make_figures_refuses_an_unknown_fashion_study(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run_study_figures(tmp_path, monkeypatch, "FASHION_STUDIES",
                           ["--fashion-studies", "study-nothing"], dict(preset="demo"))
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "--fashion-studies: no study folder study-nothing" in error
    assert "study-conv-fashion" in error
    assert not (tmp_path / "runs").exists()


def _run_study_figures(tmp_path, monkeypatch, table, arguments, options, per_study=None):
    """Run docs/make_figures.py --no-demo ``arguments`` with the studies of its ``table`` shrunk
    to tiny ones (plus ``options``, and ``per_study`` ones by folder) under ``tmp_path``; returns
    the studies it ran."""
    make_figures = _load_make_figures()
    studies = {out: {**study, **TINY_STUDY, **options, **(per_study or {}).get(out, {})}
               for out, study in getattr(make_figures, table).items()}
    monkeypatch.setattr(make_figures, "ROOT", tmp_path)
    monkeypatch.setattr(make_figures, table, studies)
    monkeypatch.setattr(sys, "argv", ["make_figures.py", "--no-demo", *arguments])
    make_figures.main()
    return studies


def _load_make_figures():
    """docs/make_figures.py as a fresh module (docs/ is no package)."""
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    make_figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_figures)
    return make_figures
