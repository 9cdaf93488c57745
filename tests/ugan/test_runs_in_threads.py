"""Two runs of different experiments, on different default devices and seeds, train at once in
two threads of one process, and each equals its solo run bit for bit: a trainer changes no
process-wide state (issue 33), which is what lets a Dask worker with several threads train
several runs. The same through the Dask path of ``study --cluster`` (``ugan.cluster``): two
runs of a study at once in one worker of two threads."""

import functools
import threading

import pytest

from strategies import DEVICES
from pinned_runs import RUNS, folder_digests, pinned_digests
from ugan.experiments import EXPERIMENTS
from ugan.study import study_runs, train_run

OTHER_DEVICE = next((d for d in DEVICES if d != "cpu"), None)
THREADED = [("mixture-ring", "cpu", 1), ("lstm", OTHER_DEVICE, 2)]


def build_together(monkeypatch, experiments, parties):
    """Make the build_models of each of ``experiments`` (names) wait until ``parties`` runs are
    inside theirs (so inside their trainers' default-setting blocks) before building:
    process-wide defaults would then be the last run's for every run, and runs that cannot
    train at once never get past it (the barrier breaks after 60 s)."""
    together = threading.Barrier(parties, timeout=60)
    for name in set(experiments):
        experiment = EXPERIMENTS[name]
        build = experiment.build_models

        def waiting_build(self, build=build):
            together.wait()
            return build(self)

        monkeypatch.setattr(experiment, "build_models", waiting_build)


@pytest.mark.skipif(OTHER_DEVICE is None, reason="needs a second device in MINIGRAD_TEST_DEVICES")
def test_two_runs_in_two_threads_equal_their_solo_runs(monkeypatch, tmp_path):
    digests, errors = {}, []

    def train(name, device, seed):
        try:
            digests[name] = pinned_digests(name, tmp_path / f"{name}-thread", device=device,
                                           seed=seed)
        except BaseException as error:  # handed back to the test
            errors.append(error)

    with monkeypatch.context() as patch:
        build_together(patch, [RUNS[run][0] for run, _, _ in THREADED], len(THREADED))
        threads = [threading.Thread(target=train, args=run) for run in THREADED]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    for name, device, seed in THREADED:
        alone = pinned_digests(name, tmp_path / f"{name}-alone", device=device, seed=seed)
        assert digests[name] == alone, name


def test_two_runs_at_once_in_one_dask_worker_of_two_threads_equal_their_solo_runs(monkeypatch,
                                                                                  tmp_path):
    """``ugan.cluster``'s launcher on an in-process cluster of one worker with two threads
    (``dask worker --nthreads 2``): the two runs of a study (seeds 0 and 1) are inside their
    trainers at once, and each run's metrics and checkpoint equal its solo run's."""
    pytest.importorskip("distributed")
    from dask.distributed import LocalCluster

    from ugan.cluster import launcher

    experiment, options = RUNS["mixture-ring"]
    study_options = {**options}
    runs = study_runs([study_options.pop("unroll_steps")], [0, 1], tmp_path / "study")
    train = functools.partial(train_run, experiment=experiment, overrides=study_options)
    with monkeypatch.context() as patch, LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        patch.setenv("MINIGRAD_KEEP_FREED_MEMORY", "0")  # the worker is this test's process
        build_together(patch, [experiment], len(runs))
        errors = launcher(cluster.scheduler_address, threads=1)(runs, train, progress=False)
    assert errors == {run.name: None for run in runs}
    for run in runs:
        alone = pinned_digests("mixture-ring", tmp_path / f"{run.name}-alone", seed=run.seed)
        assert folder_digests(run.path) == alone, run.name
