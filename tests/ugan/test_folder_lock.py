"""One writer per run folder and per study folder (ugan.folder_lock, issue 36): a second writer
is refused at once, naming the folder and the process that holds it; a lock left by a killed
process never blocks; folders written before the lock existed still resume."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tiny_runs import TINY_FLAGS, train
from ugan.__main__ import main
from ugan.folder_lock import LOCK_NAME, FolderInUse, one_writer
from ugan.study import run_study

ROOT = Path(__file__).resolve().parents[2]
HOLD = ("import sys, time\nfrom ugan.folder_lock import one_writer\n"
        "with one_writer(sys.argv[1], 'a test holder'):\n    print('held', flush=True)\n"
        "    time.sleep(600)\n")


@pytest.fixture
def held(tmp_path):
    """A folder whose lock another live process holds: (folder, that process)."""
    folder = tmp_path / "run"
    folder.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield folder, holder
    finally:
        holder.kill()
        holder.wait()


def test_a_second_run_on_a_held_folder_is_refused_at_once_naming_the_holder(held):
    folder, holder = held
    with pytest.raises(FolderInUse, match=rf"{folder} is being written by another process "
                                          rf"\(pid {holder.pid}, a test holder\)"):
        train(folder)
    assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME]  # nothing written


def test_the_command_line_refuses_it_in_one_line_with_exit_2(held, capsys):
    folder, holder = held
    assert main(["mixture", "--out", str(folder), "--steps", "2", *TINY_FLAGS]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {folder} is being written by another process (pid "
                            f"{holder.pid}")
    assert "Traceback" not in error


def test_a_lock_left_by_a_killed_process_does_not_block(held):
    folder, holder = held
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (folder / LOCK_NAME).exists()
    train(folder)
    assert (folder / "checkpoint.npz").exists()
    assert (folder / LOCK_NAME).read_text() == f"pid {os.getpid()}, a run"


def test_a_folder_written_before_the_lock_existed_resumes(tmp_path):
    folder = tmp_path / "old"
    train(folder, steps=4)
    (folder / LOCK_NAME).unlink()
    assert train(folder, resume=True, steps=6) == train(tmp_path / "fresh", steps=6)


def test_a_study_folder_has_one_writer_too(tmp_path):
    with one_writer(tmp_path, "a study"):
        with pytest.raises(FolderInUse, match="pid .*, a study"):
            run_study("demo", [0], [0], tmp_path, progress=False, steps=2, batch_size=16)
    assert not (tmp_path / "K0-seed0").exists()  # refused before any run started
