"""No write of a run follows a link it did not make (issue 36): links planted in a run folder
where the run writes (the former fixed temporary names, config.json, metrics.jsonl,
checkpoint.npz, samples/) leave their targets untouched."""

import os

import pytest

from tiny_runs import train
from ugan.checkpoint import CheckpointError
from ugan.safe_files import own_folder, replace_file

PLANTED = ["checkpoint.npz.tmp", "metrics.jsonl.tmp", "config.json", "metrics.jsonl",
           "metrics.json"]


@pytest.mark.parametrize("name", PLANTED)
def test_a_link_planted_at_a_name_the_run_writes_is_replaced_not_written_through(tmp_path, name):
    target = tmp_path / "someone-elses-file"
    target.write_text("precious")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / name).symlink_to(target)
    train(folder, steps=2)
    assert target.read_text() == "precious"
    if not name.endswith(".tmp"):
        assert not (folder / name).is_symlink() and (folder / name).is_file()


def test_a_link_planted_at_the_checkpoint_makes_the_folder_a_run_that_is_refused(tmp_path):
    target = tmp_path / "someone-elses-file"
    target.write_text("precious")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "checkpoint.npz").symlink_to(target)
    with pytest.raises(FileExistsError, match="already holds a run"):
        train(folder, steps=2)
    with pytest.raises(CheckpointError):  # resuming it reads the target, and refuses it
        train(folder, resume=True, steps=2)
    assert target.read_text() == "precious"


def test_a_samples_folder_planted_as_a_link_is_refused_by_name(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "samples").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OSError, match="is a symbolic link") as refused:
        train(folder, steps=2)
    assert refused.value.filename == str(folder / "samples")
    assert list(elsewhere.iterdir()) == []


def test_replace_file_leaves_no_temporary_behind_when_the_write_fails(tmp_path, monkeypatch):
    def full_disk(*args):
        raise OSError(28, "No space left on device")

    (tmp_path / "a.json").write_bytes(b"former")
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left on device; not written .*kept") as error:
        replace_file(tmp_path / "a.json", b"{}")
    assert error.value.filename == str(tmp_path / "a.json")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"former"


def test_own_folder_makes_a_missing_folder(tmp_path):
    assert own_folder(tmp_path / "samples").is_dir()
