"""Test-wide settings: one BLAS thread, hypothesis profiles, and the small Fashion-MNIST folder
that the 28x28 experiments' tests read in place of Debian's."""

import os

import pytest
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

import ugan.data.idx
from fashion_files import write_fashion_mnist

# OpenBLAS splits a product's sums differently on two threads than on one, so the bits of a
# trained classifier, and so the pinned digests of tests/pinned_runs.py, depend on the thread
# count. The tests run on one, as the studies do (OPENBLAS_NUM_THREADS=1), and so do the
# commands they start.
threadpool_limits(1)
os.environ["OPENBLAS_NUM_THREADS"] = "1"

settings.register_profile("dev", deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, max_examples=25, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def fashion_mnist_files(tmp_path_factory):
    """A small Fashion-MNIST folder (``fashion_files.write_fashion_mnist``), written once."""
    return write_fashion_mnist(tmp_path_factory.mktemp("fashion-mnist"))


@pytest.fixture
def small_fashion_mnist(fashion_mnist_files, monkeypatch):
    """The default Fashion-MNIST folder (where Debian installs it) is the small one for this
    test, so the ``paper`` and ``fashion`` presets run on every machine, in seconds."""
    monkeypatch.setattr(ugan.data.idx, "_DEBIAN_FASHION_MNIST", fashion_mnist_files)
    return fashion_mnist_files


@pytest.fixture(scope="session", autouse=True)
def classifier_cache(tmp_path_factory):
    """The classifiers that label samples are cached on disk (``ugan.metrics.classifier``): in
    a folder of this test session's, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("classifier-cache")
    before = os.environ.get("UGAN_CACHE_DIR")
    os.environ["UGAN_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("UGAN_CACHE_DIR")
    else:
        os.environ["UGAN_CACHE_DIR"] = before
