"""A small CNN, trained with minigrad and calibrated, that labels generated images (paper Sec.
3.3.1: the "modes" of stacked digits are counted with a pretrained classifier; Sec. 3.3.2 scores
LSTM samples by class).

The network: three blocks of 3x3 convolution (padding 1), batch norm and ReLU, of widths w, 2w,
4w (w = WIDTH = 24), each followed by a 2x2 max pool while the side is at least 4, then a hidden
linear layer of HIDDEN units and ReLU, and the ten logits:

    28x28: 28 -> 14 -> 7 -> 3, Linear(4w * 3 * 3, 128);   8x8: 8 -> 4 -> 2 -> 2 (no third pool).

It trains with Adam on the cross entropy, mean_n [logsumexp(z_n) - z_n[y_n]], in minibatches of
128 for EPOCHS = 4 passes (at least MIN_STEPS steps on small sets), the step size falling
linearly from 2e-3 to 0. On one CPU core (OPENBLAS_NUM_THREADS=1) the 55,000 training images of
Fashion-MNIST take about 4.5 minutes, for 91.45% on its 10,000 test images (the same code on
MNIST should pass 99%; not measured here, MNIST is not installed); scikit-learn's 8x8 digits
take seconds, for about 98% on the fifth set aside to test. Training is deterministic for a
seed: the weights and the minibatches come from ``np.random.default_rng(seed)``, the split
from a second generator of the same seed; minigrad's global generator is not used.

Calibration. A share of the training split is held out from training. On it the temperature T
minimises the negative log likelihood of the temperature-scaled softmax (Guo et al. 2017),

    NLL(T) = mean_n [ logsumexp(z_n / T) - z_n[y_n] / T ],

a 1-D problem solved over log T; p = softmax(z / T) are the calibrated probabilities (T > 0
keeps the argmax, so accuracy does not change). A sample "passes" when its confidence
max_c p_c is at least ``threshold``: the largest cut (rounded down to 1e-6) that PASS_SHARE of
the held-out real images pass, i.e. their (1 - PASS_SHARE) quantile. Generated images that look
like none of the classes should mostly fall below it.

``trained_classifier(dataset)`` trains once per process per dataset and folder, and keeps the
result on disk (``$UGAN_CACHE_DIR``, else ``~/.cache/ugan``), keyed by the SHA-256 of the data and
CODE_VERSION.
"""

import hashlib
import json
import math
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar

import minigrad as mg
from minigrad import nn
from ugan.data.digits import load_digits_images
from ugan.data.fashion_mnist import load_fashion_mnist
from ugan.data.idx import fashion_mnist_dir, load_mnist

CODE_VERSION = 1  # bump when the network, its training or the calibration changes
DATASETS = ("digits", "fashion-mnist", "mnist")
N_CLASSES = 10
WIDTH = 24
HIDDEN = 128
EPOCHS = 4
MIN_STEPS = 150
BATCH_SIZE = 128
LEARNING_RATE = 2e-3
HELD_OUT_MAX = 5000  # images of the training split held out for calibration (a fifth if fewer)
PASS_SHARE = 0.92    # of held-out real images that pass the threshold (see confidence_threshold)
CHUNK = 1024         # images per forward pass when labelling
ECE_BINS = 15


def network(side, rng, width=WIDTH):
    """The CNN of the module docstring for square single-channel images of side ``side``; He
    uniform weights from ``rng``, a numpy Generator (never minigrad's global one), zero
    biases."""
    layers, channels = [], 1
    for out in (width, 2 * width, 4 * width):
        layers += [nn.Conv2d(channels, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU()]
        if side >= 4:
            layers.append(nn.MaxPool2d(2))
            side //= 2
        channels = out
    net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * side * side, HIDDEN),
                        nn.ReLU(), nn.Linear(HIDDEN, N_CLASSES))
    for name, p in net.named_parameters():
        if name.endswith("weight") and p.ndim > 1:
            nn.init.kaiming_uniform_(p, generator=rng)
        elif name.endswith("bias"):
            nn.init.zeros_(p)
    return net


class ImageClassifier:
    """A trained ``network`` and its calibration: ``probabilities``/``predict`` label images
    (N, 1, H, W) in [-1, 1]; ``threshold`` is the confidence a sample needs to pass; ``report``
    holds the measurements of ``fit_classifier``."""

    def __init__(self, net, side, temperature, threshold=None, report=None):
        self.net, self.side, self.temperature = net.eval(), side, float(temperature)
        self.threshold, self.report = threshold, report

    def logits(self, images):
        """Raw logits float64 (N, 10)."""
        return self._logits(self._check(images, "logits"))

    def probabilities(self, images):
        """Calibrated probabilities float64 (N, 10): softmax(logits / T) of each image."""
        return softmax(self._logits(self._check(images, "probabilities")) / self.temperature)

    def predict(self, images):
        """(classes int64 (N,), confidence float64 (N,)): each image's most probable class and
        its calibrated probability."""
        p = softmax(self._logits(self._check(images, "predict")) / self.temperature)
        classes = p.argmax(axis=1)
        return classes, p[np.arange(len(p)), classes]

    def _logits(self, images):
        """Logits of checked images, CHUNK at a time in eval mode, so that memory does not grow
        with N."""
        device = self.net[0].weight.device
        out = np.empty((len(images), N_CLASSES))
        with mg.no_grad():
            for start in range(0, len(images), CHUNK):
                chunk = mg.as_tensor(images[start:start + CHUNK], device=device)
                out[start:start + CHUNK] = self.net(chunk).numpy()
        return out

    def _check(self, images, method):
        images = np.asarray(images, dtype=np.float32)
        expected = (1, self.side, self.side)
        if images.ndim != 4 or images.shape[1:] != expected:
            raise ValueError(f"ImageClassifier.{method}: expected single-channel images "
                             f"(N, {', '.join(map(str, expected))}), got shape {images.shape}")
        return images


def softmax(z):
    """Row-wise softmax of a float64 array (N, C)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def temperature_nll(logits, labels, temperature):
    """mean_n [logsumexp(z_n / T) - z_n[y_n] / T]."""
    z = logits / temperature
    top = z.max(axis=1)
    logsumexp = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return float(np.mean(logsumexp - z[np.arange(len(z)), labels]))


def fit_temperature(logits, labels):
    """The T in [e^-4, e^4] that minimises ``temperature_nll``, searched over log T (bounded
    Brent)."""
    result = minimize_scalar(lambda log_t: temperature_nll(logits, labels, math.exp(log_t)),
                             bounds=(-4.0, 4.0), method="bounded", options={"xatol": 1e-6})
    return math.exp(result.x)


def confidence_threshold(confidences, share=PASS_SHARE):
    """The largest t (a multiple of 1e-6) with mean(confidences >= t) >= share: the k-th largest
    confidence, k = ceil(share * N), rounded down so that recomputed confidences that differ in
    the last bits still pass.

    PASS_SHARE is 0.92, not 0.9, so that 90% of *test* images pass: images held out of
    Fashion-MNIST's training split are a little easier than its test split (accuracy 92.3%
    against 91.5%), and a 90% cut on them let only 89.2-89.8% of the test images pass in five
    trainings of this network and its variants."""
    k = math.ceil(share * len(confidences) - 1e-9)  # 0.9 * 1000 is 900.0000000000001
    kth_largest = np.sort(confidences)[len(confidences) - k]
    millionths = math.floor(kth_largest * 1e6)
    if millionths / 1e6 > kth_largest:  # the product was rounded up to an integer
        millionths -= 1
    return millionths / 1e6


def expected_calibration_error(probabilities, labels, bins=ECE_BINS):
    """sum_b |B_b| / N * |accuracy(B_b) - mean confidence(B_b)| over ``bins`` equal-width
    confidence bins (0, 1/bins], ..., ((bins-1)/bins, 1]."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    error = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(error)


def _train(net, images, labels, rng):
    """Adam on the cross entropy for EPOCHS passes (at least MIN_STEPS steps), the step size
    falling linearly from LEARNING_RATE to 0."""
    batches_per_epoch = math.ceil(len(images) / BATCH_SIZE)
    epochs = max(EPOCHS, math.ceil(MIN_STEPS / batches_per_epoch))
    total, step = epochs * batches_per_epoch, 0
    optimizer = mg.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    net.train()
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for start in range(0, len(images), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            optimizer.lr = LEARNING_RATE * (1 - step / total)
            loss = nn.functional.cross_entropy(net(mg.as_tensor(images[batch])),
                                               mg.as_tensor(labels[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1


def fit_classifier(train, held_out, test, seed=0):
    """An ImageClassifier trained on ``train``, calibrated on ``held_out`` and measured on
    ``test``, each (images float32 (N, 1, H, W) in [-1, 1], labels int64 (N,))."""
    rng = np.random.default_rng(seed)
    side = train[0].shape[-1]
    net = network(side, rng)
    started = time.perf_counter()
    _train(net, *train, rng)
    seconds = time.perf_counter() - started
    classifier = ImageClassifier(net, side, 1.0)
    held_logits = classifier.logits(held_out[0])
    classifier.temperature = fit_temperature(held_logits, held_out[1])
    held_p = softmax(held_logits / classifier.temperature)
    classifier.threshold = confidence_threshold(held_p.max(axis=1))
    test_logits = classifier.logits(test[0])
    test_p = softmax(test_logits / classifier.temperature)
    classifier.report = {
        "test_accuracy": float(np.mean(test_p.argmax(axis=1) == test[1])),
        "held_out_accuracy": float(np.mean(held_p.argmax(axis=1) == held_out[1])),
        "temperature": classifier.temperature,
        "threshold": classifier.threshold,
        "held_out_pass_share": float(np.mean(held_p.max(axis=1) >= classifier.threshold)),
        "test_pass_share": float(np.mean(test_p.max(axis=1) >= classifier.threshold)),
        "test_ece_before": expected_calibration_error(softmax(test_logits), test[1]),
        "test_ece_after": expected_calibration_error(test_p, test[1]),
        "train_images": len(train[0]), "held_out_images": len(held_out[0]),
        "test_images": len(test[0]), "train_seconds": round(seconds, 1)}
    return classifier


def dataset_splits(dataset, data_dir=None, seed=0):
    """((train, held_out, test), digest) of a dataset of DATASETS, each split (images float32
    (N, 1, H, W) in [-1, 1], labels int64 (N,)); ``digest`` is the SHA-256 (hex) of the data.
    The held-out images are min(HELD_OUT_MAX, N / 5) of the training split, drawn with ``seed``;
    scikit-learn's digits, which have no test split, first give a fifth of theirs to test."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset_splits: dataset must be one of {DATASETS}, got {dataset!r}")
    if dataset == "digits":
        data = load_digits_images(scale="tanh")
        digest = data_digest(*data)
        rest, test = _hold_out(data, np.random.default_rng(seed))
    else:
        rest, test = _idx_split(dataset, data_dir, "train"), _idx_split(dataset, data_dir, "test")
        digest = data_digest(*rest, *test)
    train, held_out = _hold_out(rest, np.random.default_rng(seed))
    return (train, held_out, test), digest


def _idx_split(dataset, data_dir, split):
    if dataset == "fashion-mnist":
        return load_fashion_mnist(split, data_dir)
    if data_dir is None:
        raise ValueError("dataset_splits: dataset 'mnist' needs data_dir, the folder of its IDX "
                         "files")
    images, labels = load_mnist(data_dir, split)
    return images[:, None].astype(np.float32) / np.float32(127.5) - 1, labels.astype(np.int64)


def _hold_out(data, rng):
    """(kept, held out) of (images, labels): min(HELD_OUT_MAX, N // 5) drawn by ``rng``."""
    order = rng.permutation(len(data[0]))
    n_held = min(HELD_OUT_MAX, len(order) // 5)
    held, kept = np.sort(order[:n_held]), np.sort(order[n_held:])
    return tuple(a[kept] for a in data), tuple(a[held] for a in data)


def data_digest(*arrays):
    """SHA-256 (hex) of the arrays' dtypes, shapes and bytes, in order."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def cache_dir():
    """``$UGAN_CACHE_DIR`` if set, else ``~/.cache/ugan``."""
    return Path(os.environ.get("UGAN_CACHE_DIR") or Path.home() / ".cache" / "ugan")


_METADATA = "metadata.json"  # the cache file's entry of JSON bytes (uint8), beside the weights
_TRAINED = {}


def trained_classifier(dataset, data_dir=None):
    """The ImageClassifier of ``dataset`` ("digits", "fashion-mnist" or "mnist"; ``data_dir``
    as in ``ugan.experiments.images.load_images``), trained once per process for each dataset
    and folder (the default one as the folder it stands for), and kept on disk in
    ``cache_dir()`` as ``classifier-DATASET-DIGEST16-vCODE_VERSION.npz``: the weights and
    buffers, and the calibration and report as JSON. A cache file that cannot be read or does
    not match is reported by a warning and replaced; a cache that cannot be written (read-only,
    full) by a warning. Nothing is downloaded."""
    if dataset == "fashion-mnist" and data_dir is None:
        data_dir = fashion_mnist_dir()
    folder = None if dataset == "digits" or data_dir is None else Path(data_dir).resolve()
    key = (dataset, folder)
    if key not in _TRAINED:
        splits, digest = dataset_splits(dataset, data_dir)
        _TRAINED[key] = _cached_classifier(dataset, splits, digest)
    return _TRAINED[key]


def _cached_classifier(dataset, splits, digest):
    path = cache_dir() / f"classifier-{dataset}-{digest[:16]}-v{CODE_VERSION}.npz"
    expected = {"code_version": CODE_VERSION, "dataset": dataset, "digest": digest,
                "side": int(splits[0][0].shape[-1])}
    if path.exists():
        try:
            return _load(path, expected)
        except (ValueError, KeyError, TypeError) as error:
            warnings.warn(f"classifier cache {path} refused, retraining: {error}", stacklevel=3)
    classifier = fit_classifier(*splits)
    try:
        _save(classifier, path, expected)
    except OSError as error:  # a read-only or full cache: the run goes on, the next trains again
        warnings.warn(f"classifier cache {path} not written, so the next process trains the "
                      f"classifier again: {error}", stacklevel=3)
    return classifier


def _save(classifier, path, metadata):
    """The weights and ``metadata`` (+ temperature, threshold, report) to ``path``, atomically:
    written to a temporary file in the same folder, then renamed over ``path``."""
    metadata = {**metadata, "temperature": classifier.temperature,
                "threshold": classifier.threshold, "report": classifier.report}
    state = dict(classifier.net.state_dict())
    state[_METADATA] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(handle)
    try:
        mg.save(state, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _load(path, expected):
    """The ImageClassifier saved in ``path``; ValueError, KeyError or TypeError saying why the
    file is refused (unreadable, metadata other than ``expected``, weights of other names or
    shapes)."""
    state = mg.load(path)
    if _METADATA not in state:
        raise ValueError(f"it holds no {_METADATA}")
    metadata = json.loads(state.pop(_METADATA).numpy().tobytes().decode())
    if not isinstance(metadata, dict):
        raise ValueError(f"its {_METADATA} holds a {type(metadata).__name__}, not an object")
    for key, value in expected.items():
        if metadata.get(key) != value:
            raise ValueError(f"its {key} is {metadata.get(key)!r}, expected {value!r}")
    if not metadata["temperature"] > 0 or not 0 <= metadata["threshold"] <= 1:
        raise ValueError(f"temperature {metadata['temperature']!r} or threshold "
                         f"{metadata['threshold']!r} out of range")
    net = network(expected["side"], np.random.default_rng(0))  # weights replaced just below
    net.load_state_dict(state)
    return ImageClassifier(net, expected["side"], metadata["temperature"],
                           metadata["threshold"], metadata["report"])

