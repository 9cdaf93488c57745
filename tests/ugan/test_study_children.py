"""A study killed outright (SIGKILL) takes its runs with it (issue 36): each run of
``study --jobs`` gets SIGTERM when the study dies, checkpoints and stops, instead of training
on, orphaned, beside the runs of a restarted study; started again, the study prints the table
of an uninterrupted one."""

import os
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


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the parent-death signal is Linux's")


@LINUX_ONLY
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
    while not all(lock.exists() and lock.read_text() and (lock.parent / "checkpoint.npz").exists()
                  for lock in locks):  # both runs in their training loops
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


def study_command(out, steps):
    return [sys.executable, "-m", "ugan", "study", "mixture", "--preset", "demo", "--ks", "0", "1",
            "--seeds", "0", "1", "--steps", str(steps), "--checkpoint-every", "25",
            "--batch-size", "16", "--eval-every", "50", "--eval-samples", "64", "--jobs", "2",
            "--no-progress", "--out", str(out)]


@LINUX_ONLY
def test_a_study_killed_and_started_again_prints_the_uninterrupted_table(tmp_path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    uninterrupted = subprocess.run(study_command(tmp_path / "whole", 200), cwd=ROOT, env=env,
                                   capture_output=True, text=True, check=True).stdout
    out = tmp_path / "killed"
    study = subprocess.Popen(study_command(out, 200), cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(out.glob("K*-seed*/checkpoint.npz")):  # a run has begun to keep its state
        assert time.monotonic() < deadline and study.poll() is None
        time.sleep(0.02)
    study.kill()
    study.wait()
    locks = list(out.glob("K*-seed*/" + LOCK_NAME))
    deadline = time.monotonic() + 60
    while any(_held(lock) for lock in locks):  # the orphaned runs checkpoint and stop
        assert time.monotonic() < deadline, "a run outlived its study"
        time.sleep(0.1)
    again = subprocess.run(study_command(out, 200), cwd=ROOT, env=env, capture_output=True,
                           text=True, check=True).stdout
    assert again == uninterrupted


def _held(lock):
    """Whether a live process holds ``lock`` (ugan.folder_lock)."""
    from ugan.folder_lock import FolderInUse, one_writer

    try:
        with one_writer(lock.parent, "a test"):
            return False
    except FolderInUse:
        return True
