"""Two runs of different experiments, on different default devices and seeds, train at once in
two threads of one process, and each equals its solo run bit for bit: a trainer changes no
process-wide state (issue 33), which is what lets a Dask worker with several threads train
several runs."""

import threading

import pytest

from strategies import DEVICES
from pinned_runs import RUNS, pinned_digests
from ugan.experiments import EXPERIMENTS

OTHER_DEVICE = next((d for d in DEVICES if d != "cpu"), None)
THREADED = [("mixture-ring", "cpu", 1), ("lstm", OTHER_DEVICE, 2)]


def build_together(monkeypatch, parties):
    """Make each experiment's build_models wait until ``parties`` runs are inside theirs (so
    inside their trainers' default-setting blocks) before building: process-wide defaults
    would then be the last run's for every run."""
    together = threading.Barrier(parties, timeout=60)
    for name in {RUNS[run][0] for run, _, _ in THREADED}:
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
        build_together(patch, len(THREADED))
        threads = [threading.Thread(target=train, args=run) for run in THREADED]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    for name, device, seed in THREADED:
        alone = pinned_digests(name, tmp_path / f"{name}-alone", device=device, seed=seed)
        assert digests[name] == alone, name
