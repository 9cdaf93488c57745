"""A study killed outright (SIGKILL) takes its runs with it (issue 36): each run of
``study --jobs`` gets SIGTERM when the study dies, checkpoints and stops, instead of training
on, orphaned, beside the runs of a restarted study."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ugan.folder_lock import LOCK_NAME

ROOT = Path(__file__).resolve().parents[2]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_the_runs_of_a_killed_study_checkpoint_and_stop(tmp_path):
    out = tmp_path / "study"
    study = subprocess.Popen(
        [sys.executable, "-m", "ugan", "study", "mixture", "--preset", "demo", "--ks", "0", "1",
         "--seeds", "0", "--steps", "1000000", "--checkpoint-every", "50", "--batch-size", "16",
         "--eval-every", "100000", "--jobs", "2", "--no-progress", "--out", str(out)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    locks = [out / f"K{k}-seed0" / LOCK_NAME for k in (0, 1)]
    deadline = time.monotonic() + 120
    while not all(lock.exists() and lock.read_text() for lock in locks):
        assert time.monotonic() < deadline, "the study's runs did not start"
        assert study.poll() is None, "the study ended early"
        time.sleep(0.1)
    runs = [int(lock.read_text().split(",")[0].removeprefix("pid ")) for lock in locks]
    assert all(alive(pid) for pid in runs)
    study.kill()
    study.wait()
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in runs):
        assert time.monotonic() < deadline, "a run outlived its study"
        time.sleep(0.1)
    for lock in locks:
        assert (lock.parent / "checkpoint.npz").exists()
