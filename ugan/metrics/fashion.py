"""A Fashion-MNIST classifier trained with minigrad, to label generated 28x28 images as the
paper's MNIST classifier labels digits (stacked modes, Table 2).

It is ``DigitClassifier`` (a two-layer perceptron; nothing in it is specific to digits) fitted
to Fashion-MNIST's training split, and measured twice: on the fifth of that split it holds out,
and on the 10,000 images of the test split, which it never sees. A perceptron does worse on
garments than on digits (shirts, pullovers and coats look alike); ten classes make chance 10%.
"""

from pathlib import Path

import numpy as np

from ugan.data.fashion_mnist import load_fashion_mnist
from ugan.data.idx import fashion_mnist_dir
from ugan.metrics.classifier import DigitClassifier


def fashion_classifier(directory=None, train_size=None, max_steps=2000, seed=0):
    """(classifier, accuracy on the test split). The classifier is fitted to the first
    ``train_size`` training images (all 60,000 by default) for at most ``max_steps`` Adam steps;
    its ``accuracy`` is the held-out fifth's. ``directory`` as in ``load_fashion_mnist``."""
    images, labels = load_fashion_mnist("train", directory)
    if train_size is not None:
        images, labels = images[:train_size], labels[:train_size]
    classifier = DigitClassifier(max_steps=max_steps, seed=seed).fit(images, labels)
    test_images, test_labels = load_fashion_mnist("test", directory)
    predicted, _ = classifier.predict(test_images)
    return classifier, float(np.mean(predicted == test_labels))


_TRAINED = {}


def trained_fashion_classifier(directory=None):
    """``fashion_classifier(directory)``, trained once per process for each directory (the
    default one as the folder it stands for), so that the runs of a study share it: (classifier,
    accuracy on the test split)."""
    folder = fashion_mnist_dir() if directory is None else directory
    key = None if folder is None else Path(folder).resolve()
    if key not in _TRAINED:
        _TRAINED[key] = fashion_classifier(directory)
    return _TRAINED[key]
