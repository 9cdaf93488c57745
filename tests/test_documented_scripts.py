"""The scripts that README and docs tell people to run (benchmarks, the tutorial runner, the
figure script) run to the end. Slow tier: ``python -m pytest -m slow``."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = [
    ["benchmarks/engine_overhead.py"],
    ["benchmarks/conv.py"],
    ["benchmarks/mixture_step.py", "--iterations", "2"],
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
