"""A digit classifier, trained with minigrad, that labels generated images (paper Sec. 3.3.1:
"modes" of stacked digits are counted with a pretrained classifier).

The classifier is a two-layer perceptron on single-channel images in [-1, 1]: about 97% on
held-out 8x8 digits, which is what mode counting needs (a mode is recognised when the classifier
agrees with a human). Training is deterministic for a given seed and takes a few seconds.

    logits = W2 relu(W1 x + b1) + b2,   loss = mean(logsumexp(logits) - logits[label])
"""

import numpy as np

import minigrad as mg
from minigrad import nn

HELD_OUT_SHARE = 0.2


class DigitClassifier:
    """``fit`` on (images (N, 1, H, W), labels in 0..9); ``predict`` returns each image's class
    and the probability the classifier gives it; ``accuracy`` is measured on a held-out share."""

    def __init__(self, hidden=256, epochs=40, max_steps=2000, batch_size=64, lr=1e-3, seed=0):
        """Trains for ``epochs`` passes or ``max_steps`` Adam steps, whichever comes first (40
        passes over the 1,437 training digits; 2,000 steps, under 3 passes, of MNIST's 48,000)."""
        self.hidden, self.epochs, self.max_steps, self.batch_size, self.lr, self.seed = \
            hidden, epochs, max_steps, batch_size, lr, seed
        self.model = None
        self.accuracy = None

    def fit(self, images, labels):
        flat = _flat(images, "fit")
        labels = np.asarray(labels, dtype=np.int64)
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(len(flat))
        held_out = order[:int(HELD_OUT_SHARE * len(flat))]
        train = order[len(held_out):]
        self.model = nn.Sequential(nn.Linear(flat.shape[1], self.hidden), nn.ReLU(),
                                   nn.Linear(self.hidden, 10))
        for name, p in self.model.named_parameters():  # from our own generator, not the global one
            if name.endswith("weight"):
                nn.init.xavier_uniform_(p, generator=rng)
            else:
                nn.init.zeros_(p)
        optimizer = mg.optim.Adam(self.model.parameters(), lr=self.lr)
        one_hot = np.eye(10, dtype=np.float32)
        for batch in self._batches(train, rng):
            logits = self.model(mg.as_tensor(flat[batch]))
            loss = (mg.logsumexp(logits, axis=1)
                    - (logits * mg.as_tensor(one_hot[labels[batch]])).sum(axis=1)).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        predicted, _ = self.predict(np.asarray(images)[held_out])
        self.accuracy = float(np.mean(predicted == labels[held_out]))
        return self

    def _batches(self, train, rng):
        """Minibatches of a fresh shuffle per epoch, stopping after ``max_steps``."""
        steps = 0
        for _ in range(self.epochs):
            shuffled = rng.permutation(train)
            for start in range(0, len(shuffled), self.batch_size):
                if steps == self.max_steps:
                    return
                steps += 1
                yield shuffled[start:start + self.batch_size]

    def predict(self, images):
        """(classes int64 (N,), probability of that class (N,)) for images (N, 1, H, W)."""
        if self.model is None:
            raise RuntimeError("DigitClassifier.predict: call fit first")
        flat = _flat(images, "predict")
        expected = self.model[0].in_features
        if flat.shape[1] != expected:
            raise ValueError(f"DigitClassifier.predict: images of {flat.shape[1]} pixels, but the "
                             f"classifier was trained on {expected}")
        with mg.no_grad():
            logits = self.model(mg.as_tensor(flat, device=self.model[0].weight.device))
        logits = logits.numpy().astype(np.float64)
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        classes = probabilities.argmax(axis=1)
        return classes, probabilities[np.arange(len(classes)), classes]


def _flat(images, method):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"DigitClassifier.{method}: expected single-channel images (N, 1, H, W), "
                         f"got shape {images.shape}")
    return images.reshape(len(images), -1)


_TRAINED = {}


def trained_digit_classifier(images, labels, key, seed=0):
    """A classifier fitted to (images, labels), trained once per process for each ``key`` (the
    dataset's name) and seed, so that a study's runs share it."""
    if (key, seed) not in _TRAINED:
        _TRAINED[key, seed] = DigitClassifier(seed=seed).fit(images, labels)
    return _TRAINED[key, seed]
