"""End to end: a small convnet with batch norm, trained with Adam on scikit-learn's 8x8 digits in
float32, classifies held-out digits. A short run in the default tier, a long one under -m slow."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

sklearn_datasets = pytest.importorskip("sklearn.datasets")
model_selection = pytest.importorskip("sklearn.model_selection")


def _digits():
    """(x_train, y_train, x_test, y_test): images (N, 1, 8, 8) in [0, 1] as float32, a fixed
    stratified split with 25% held out."""
    digits = sklearn_datasets.load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    return model_selection.train_test_split(images, digits.target, test_size=0.25,
                                            random_state=0, stratify=digits.target)


def _convnet(width):
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),          # 8x8
        nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.BatchNorm2d(2 * width),
        nn.ReLU(),                                                                     # 4x4
        nn.Flatten(), nn.Linear(2 * width * 16, 10))


def _cross_entropy(logits, labels):
    """Mean of logsumexp(logits) - logits[label], with the label picked by a one-hot mask."""
    one_hot = mg.tensor(np.eye(10, dtype=np.float32)[labels])
    return (mg.logsumexp(logits, axis=1) - (logits * one_hot).sum(axis=1)).mean()


def _accuracy(model, images, labels):
    model.eval()
    with mg.no_grad():
        predicted = model(mg.tensor(images)).numpy().argmax(axis=1)
    model.train()
    return float(np.mean(predicted == labels))


def _train(width, epochs, lr, batch_size=64, seed=0):
    x_train, x_test, y_train, y_test = _digits()
    mg.manual_seed(seed)
    model = _convnet(width)
    optimizer = mg.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = _cross_entropy(model(mg.tensor(x_train[batch])), y_train[batch])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return model, losses, _accuracy(model, x_test, y_test)


def test_digits_split_and_dtypes():
    x_train, x_test, y_train, y_test = _digits()
    assert x_train.shape == (1347, 1, 8, 8) and x_test.shape == (450, 1, 8, 8)
    assert x_train.dtype == np.float32
    assert set(np.unique(y_test)) == set(range(10))


def test_convnet_learns_digits_quickly():
    model, losses, accuracy = _train(width=8, epochs=2, lr=1e-2)
    assert all(mg.backend.dtype_name(t.dtype) == "float32" for t in model.state_dict().values())
    assert np.all(np.isfinite(losses))
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    assert accuracy > 0.9, f"test accuracy {accuracy:.3f} after 2 epochs"


@pytest.mark.slow
def test_convnet_reaches_97_percent_on_digits():
    _, _, accuracy = _train(width=16, epochs=30, lr=3e-3)
    print(f"digits convnet test accuracy: {accuracy:.4f}")
    assert accuracy >= 0.97, f"test accuracy {accuracy:.3f}"
