"""benchmarks/gpu_check.py, the prepared GPU check, runs here in its tiny mode on the strict
device (which, like a GPU array, refuses silent conversion to numpy) and on the CPU, so that
it cannot rot before a GPU runs it."""

import importlib.util
import json
from pathlib import Path

import pytest

pytest.importorskip("array_api_strict")

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"


def load_script():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gpu_check_passes_on_the_strict_device(tmp_path, capsys):
    report_path = tmp_path / "report.json"
    assert load_script().main(["--device", "strict:device1", "--tiny", "--out",
                               str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    assert report["environment"]["device"] == "strict:device1"
    assert report["op_tests"]["counts"]["passed"] > 0 and "failed" not in report["op_tests"]
    assert report["agreement"]["device_vs_cpu"] <= report["agreement"]["tolerance"]
    assert set(report["timing"]["ring_ms"]) == {"minigrad eager", "minigrad compiled"}
    assert all(ms > 0 for ms in report["timing"]["image_ms"].values())
    assert "checkpoint.npz" in report["training_run"]["files"]
    printed = capsys.readouterr().out
    assert printed.count(": ok (") == 4 and "report written to" in printed


def test_a_failing_section_is_reported_and_fails_the_check(tmp_path, monkeypatch):
    script = load_script()

    def broken(device, size):
        raise RuntimeError("no device here")

    monkeypatch.setitem(script.SECTIONS, "agreement", broken)
    report_path = tmp_path / "report.json"
    assert script.main(["--device", "cpu", "--tiny", "--out", str(report_path),
                        "--sections", "agreement", "training_run"]) == 1
    report = json.loads(report_path.read_text())
    assert report["agreement"] == {"ok": False, "error": "RuntimeError: no device here",
                                   "traceback": report["agreement"]["traceback"],
                                   "seconds": report["agreement"]["seconds"]}
    assert report["training_run"]["ok"]
