"""The calibrated CNN that labels generated images: its accuracy and calibration on the small
Fashion-MNIST folder the tests write (and, slow, on the real files), the calibration maths, the
input checks, and the disk cache (reuse, refusal of bad files, keys)."""

import json
import math
import re
import shutil

import numpy as np
import pytest

import ugan.data.idx
import ugan.metrics.classifier as classifier_module
from fashion_files import write_fashion_mnist
from ugan.data import fashion_mnist_dir
from ugan.metrics.classifier import (ImageClassifier, confidence_threshold, dataset_splits,
                                     expected_calibration_error, fit_temperature, softmax,
                                     temperature_nll, trained_classifier)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test has its own empty disk cache and process cache: none touches ~/.cache."""
    monkeypatch.setenv("UGAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(classifier_module, "_TRAINED", {})
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def fashion_cache(tmp_path_factory, fashion_mnist_files):
    """A disk cache holding the classifier of the small folder, trained once for the module."""
    cache = tmp_path_factory.mktemp("fashion-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UGAN_CACHE_DIR", str(cache))
        patch.setattr(classifier_module, "_TRAINED", {})
        trained_classifier("fashion-mnist", fashion_mnist_files)
    return cache


@pytest.fixture
def fashion(fashion_cache, fashion_mnist_files, monkeypatch):
    monkeypatch.setenv("UGAN_CACHE_DIR", str(fashion_cache))
    return trained_classifier("fashion-mnist", fashion_mnist_files)


def test_the_small_folder_is_labelled_well_and_calibrated(fashion, fashion_mnist_files):
    (_, held_out, test), _ = dataset_splits("fashion-mnist", fashion_mnist_files)
    report = fashion.report
    assert report["test_accuracy"] > 0.9 and report["test_images"] == len(test[1])
    assert fashion.temperature > 0 and report["temperature"] == fashion.temperature
    p = fashion.probabilities(test[0])
    assert p.shape == (len(test[0]), 10) and p.dtype == np.float64
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-12)
    _, confidence = fashion.predict(held_out[0])
    assert np.mean(confidence >= fashion.threshold) >= 0.9
    assert report["held_out_pass_share"] == np.mean(confidence >= fashion.threshold)
    assert json.loads(json.dumps(report)) == report


def test_noise_mostly_fails_the_threshold(fashion):
    noise = np.random.default_rng(0).uniform(-1, 1, size=(500, 1, 28, 28))
    _, confidence = fashion.predict(noise)
    assert np.mean(confidence >= fashion.threshold) < 0.5


def test_chunked_probabilities_equal_those_of_one_batch(fashion, monkeypatch):
    images = np.random.default_rng(1).uniform(-1, 1, size=(2100, 1, 28, 28))
    chunked = fashion.probabilities(images)
    monkeypatch.setattr(classifier_module, "CHUNK", len(images))
    # float32 sums of another batch size differ in the last bits, magnified by 1/T
    np.testing.assert_allclose(chunked, fashion.probabilities(images), atol=1e-4)


@pytest.mark.parametrize("shape", [(5, 28, 28), (5, 3, 28, 28), (5, 1, 8, 8)])
def test_wrong_shapes_name_the_method_the_shape_and_what_was_expected(fashion, shape):
    with pytest.raises(ValueError, match=rf"ImageClassifier.predict: expected single-channel "
                                         rf"images \(N, 1, 28, 28\), got shape \({shape[0]}, "):
        fashion.predict(np.zeros(shape))


def test_a_fresh_process_loads_the_classifier_from_disk(fashion, fashion_mnist_files,
                                                        monkeypatch):
    def no_training(*args):
        raise AssertionError("trained again instead of loading the cache")

    monkeypatch.setattr(classifier_module, "fit_classifier", no_training)
    monkeypatch.setattr(classifier_module, "_TRAINED", {})
    loaded = trained_classifier("fashion-mnist", fashion_mnist_files)
    assert loaded is not fashion
    images = np.random.default_rng(2).uniform(-1, 1, size=(50, 1, 28, 28))
    np.testing.assert_array_equal(loaded.probabilities(images), fashion.probabilities(images))
    assert (loaded.threshold, loaded.report) == (fashion.threshold, fashion.report)


def test_a_study_shares_one_classifier_per_folder_the_default_one_included(
        fashion, fashion_mnist_files, tmp_path, monkeypatch):
    """The default folder is keyed by the folder it stands for: pointing it elsewhere gives
    another classifier (here loaded from disk: the copy holds the same data)."""
    copy = shutil.copytree(fashion_mnist_files, tmp_path / "copy")
    monkeypatch.setattr(ugan.data.idx, "_DEBIAN_FASHION_MNIST", fashion_mnist_files)
    by_default = trained_classifier("fashion-mnist")
    assert trained_classifier("fashion-mnist", fashion_mnist_files) is by_default
    monkeypatch.setattr(ugan.data.idx, "_DEBIAN_FASHION_MNIST", copy)
    assert trained_classifier("fashion-mnist") is not by_default
    assert trained_classifier("fashion-mnist") is trained_classifier("fashion-mnist", copy)


def test_the_cache_key_is_the_data(fashion_mnist_files, tmp_path):
    other = write_fashion_mnist(tmp_path / "other", seed=1)
    copy = shutil.copytree(fashion_mnist_files, tmp_path / "copy")
    digest = dataset_splits("fashion-mnist", fashion_mnist_files)[1]
    assert dataset_splits("fashion-mnist", copy)[1] == digest
    assert dataset_splits("fashion-mnist", other)[1] != digest


def test_digits_are_labelled_on_their_own_8x8_side(private_cache):
    digits = trained_classifier("digits")
    assert digits.report["test_accuracy"] > 0.95
    assert digits.report["held_out_pass_share"] >= 0.9
    (name,) = [path.name for path in private_cache.iterdir()]
    digest = dataset_splits("digits")[1]
    assert name == f"classifier-digits-{digest[:16]}-v{classifier_module.CODE_VERSION}.npz"


def _truncated(path):
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def _garbage(path):
    path.write_bytes(b"not a classifier" * 100)


def _other_version(path):
    state = classifier_module.mg.load(path)
    metadata = json.loads(state["metadata.json"].numpy().tobytes().decode())
    metadata["code_version"] = 0
    state["metadata.json"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    classifier_module.mg.save(state, path)


def _wrong_shapes(path):
    state = classifier_module.mg.load(path)
    state["0.weight"] = np.zeros((3, 1, 3, 3), dtype=np.float32)
    classifier_module.mg.save(state, path)


@pytest.mark.parametrize("damage, reason", [
    (_truncated, "not a state dict"), (_garbage, "not a state dict"),
    (_other_version, "code_version is 0"), (_wrong_shapes, "0.weight has shape")])
def test_a_bad_cache_file_warns_once_and_is_retrained_and_rewritten(private_cache, monkeypatch,
                                                                    damage, reason):
    first = trained_classifier("digits")
    (path,) = private_cache.iterdir()
    damage(path)
    monkeypatch.setattr(classifier_module, "_TRAINED", {})
    with pytest.warns(UserWarning, match=rf"classifier cache {path} refused.*{reason}") as caught:
        again = trained_classifier("digits")
    assert len([w for w in caught if w.category is UserWarning]) == 1
    np.testing.assert_array_equal(again.probabilities(np.zeros((3, 1, 8, 8))),
                                  first.probabilities(np.zeros((3, 1, 8, 8))))
    monkeypatch.setattr(classifier_module, "_TRAINED", {})
    monkeypatch.setattr(classifier_module, "fit_classifier", None)  # the rewritten file loads
    assert trained_classifier("digits").threshold == first.threshold


def test_a_cache_that_cannot_be_written_warns_and_the_classifier_is_used(tmp_path, monkeypatch):
    """A cache folder under a file (as a read-only or full disk would): the trained classifier
    is still returned, and kept for the process; a warning names the file not written."""
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("UGAN_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    folder = re.escape(str(tmp_path / "a-file" / "cache"))
    with pytest.warns(UserWarning, match=rf"classifier cache {folder}/classifier-digits-.*\.npz "
                                         "not written"):
        digits = trained_classifier("digits")
    assert digits.report["test_accuracy"] > 0.95
    assert trained_classifier("digits") is digits


@pytest.mark.parametrize("share", [0.9, classifier_module.PASS_SHARE])
def test_the_threshold_is_the_largest_cut_that_the_share_passes(share):
    rng = np.random.default_rng(3)
    for n in (1, 7, 10, 11, 999, 1000):
        confidences = rng.uniform(0.1, 1, size=n)
        t = confidence_threshold(confidences, share)
        assert np.mean(confidences >= t) >= share
        assert np.mean(confidences >= t + 1e-6) < share
    assert confidence_threshold(np.ones(20), share) == 1.0


def test_the_temperature_minimises_the_nll_and_recovers_a_known_one():
    rng = np.random.default_rng(4)
    logits = rng.normal(0, 3, size=(20000, 10))
    p = softmax(logits / 2.0)
    labels = (p.cumsum(axis=1) > rng.uniform(size=(20000, 1))).argmax(axis=1)
    t = fit_temperature(logits, labels)
    assert t == pytest.approx(2.0, rel=0.05)
    nll = temperature_nll(logits, labels, t)
    assert nll <= min(temperature_nll(logits, labels, t * f) for f in (0.99, 1.01))


def test_the_expected_calibration_error_of_a_hand_example():
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]])
    labels = np.array([0, 1, 0, 1])  # bin of 0.9: accuracy 1/2; bin of 0.6: accuracy 1
    assert expected_calibration_error(p, labels) == pytest.approx(0.5 * 0.4 + 0.5 * 0.4)


@pytest.mark.slow
@pytest.mark.skipif(fashion_mnist_dir() is None, reason="dataset-fashion-mnist is not installed")
def test_the_real_fashion_mnist_classifier_is_an_instrument():
    report = trained_classifier("fashion-mnist").report
    assert report["test_accuracy"] >= 0.91
    assert report["test_pass_share"] >= 0.9 and report["held_out_pass_share"] >= 0.9
    assert isinstance(trained_classifier("fashion-mnist"), ImageClassifier)
    assert math.isfinite(report["temperature"]) and report["temperature"] > 0
