"""Which code trained a run: each start or resume of training appends the checkout's revision to
the run's revisions.json, and a study's summary names those revisions beside its own, so that a
study re-read by a later checkout still says what trained it."""

import pytest

from tiny_runs import train
from ugan import jsonfile, revision, study
from ugan.study import run_study


@pytest.fixture
def checkout(monkeypatch):
    """Pretend to be the checkout ``name``: ``checkout("abc")``."""
    def become(name):
        for module in (revision, study):  # the run's record, the summary's own revision
            monkeypatch.setattr(module, "git_revision", lambda: name)
        monkeypatch.setattr(revision, "blas_in_use", lambda: "blas of " + name)
    return become


def test_each_start_and_resume_of_training_is_recorded_once(tmp_path, checkout):
    first = {"revision": "first", "blas": "blas of first", "from_step": 0}
    checkout("first")
    train(tmp_path, steps=4)
    assert revision.training_revisions(tmp_path) == [first]
    checkout("second")
    train(tmp_path, resume=True, steps=4)  # finished: nothing trains, nothing is recorded
    assert revision.training_revisions(tmp_path) == [first]
    train(tmp_path, resume=True, steps=6)  # extended by another checkout
    assert revision.training_revisions(tmp_path) == [
        first, {"revision": "second", "blas": "blas of second", "from_step": 4}]


def test_a_resume_from_the_same_step_by_the_same_code_is_not_recorded_twice(tmp_path, checkout):
    checkout("same")
    for _ in range(2):
        revision.record_training_start(tmp_path, 3)
    assert revision.training_revisions(tmp_path) == [
        {"revision": "same", "blas": "blas of same", "from_step": 3}]


def test_a_run_from_before_the_record_has_none():
    assert revision.training_revisions("no/such/run") is None


def test_a_study_re_read_by_another_checkout_names_what_trained_its_runs(tmp_path, checkout):
    tiny = dict(steps=2, eval_every=2, checkpoint_every=2, batch_size=16, eval_samples=100)
    checkout("trainer")
    run_study("paper", [0], [0, 1], tmp_path, False, "mixture", **tiny)
    (tmp_path / "K0-seed1" / revision.REVISIONS_NAME).unlink()  # as a run from before
    checkout("reader")
    summary = run_study("paper", [0], [0, 1], tmp_path, False, "mixture", **tiny)
    assert summary["revision"] == "reader" and summary["trained_by"] == ["trainer"]
    assert [entry["trained_by"] for entry in summary["runs"]["0"]["per_seed"]] == [
        [{"revision": "trainer", "blas": "blas of trainer", "from_step": 0}], None]
    assert jsonfile.read(tmp_path / "summary.json") == summary


def test_every_blas_is_named_with_its_kernels_and_threads():
    """numpy's BLAS (and scipy's, where loaded) as threadpoolctl sees them: their kernels, e.g.
    OpenBLAS's Haswell ones, and threads decide how a matrix product rounds."""
    import numpy as np
    from threadpoolctl import threadpool_info

    np.ones((2, 2)) @ np.ones((2, 2))
    libraries = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    named = revision.blas_in_use().split("; ")
    assert len(named) == len(libraries) >= 1
    for name, library in zip(named, libraries):
        assert name.startswith(f"{library['internal_api']} {library['version']} (")
        assert name.endswith(f"{library['num_threads']} thread(s)")
        if library.get("architecture"):
            assert f", {library['architecture']} kernels, " in name
