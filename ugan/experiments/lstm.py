"""An LSTM generator against a convolutional discriminator on digit images (paper Sec. 3.2,
Figure 3).

The generator writes an image one column per time step; the discriminator is a small convnet.
The paper's claim: without unrolling this mismatched pair collapses and cycles through single
"proto-digit" blobs; with unrolling (20 steps in Figure 3) the generator spreads over the data.

Metrics of a batch of generated images: ``diversity`` (mean pairwise distance relative to the
data's; near 0 for a collapsed generator) and, from a digit classifier trained on the real
images, how the samples spread over the ten classes (``ugan.metrics.modes``) and the fraction
the classifier labels with probability >= 0.9 (``confident_fraction``, a rough quality score).

The ``demo`` preset is scaled to a CPU: scikit-learn's 8x8 digits instead of MNIST, a 128-unit
LSTM, batch 64. docs/reproduction.md compares it with the paper.
"""

from dataclasses import dataclass

import numpy as np

from ugan.experiments.images import ImageConfig, ImageExperiment
from ugan.metrics.classifier import trained_digit_classifier
from ugan.metrics.modes import mode_metrics
from ugan.models.conv import ConvDiscriminator
from ugan.models.lstm import LSTMGenerator

CONFIDENT = 0.9


@dataclass(frozen=True)
class LSTMConfig(ImageConfig):
    renamed = {"g_width": "hidden_units"}  # --g-width and checkpoints written before the name

    hidden_units: int = 128  # the LSTM generator's hidden units


class LSTMExperiment(ImageExperiment):
    name = "lstm"
    config_class = LSTMConfig
    presets = {"demo": LSTMConfig(unroll_steps=0, steps=3000, d_width=16)}
    curves = ("diversity", "modes_covered_strict", "kl_to_uniform", "confident_fraction")
    study_columns = (("modes_covered_strict", "classes (strict)"),
                     ("kl_to_uniform", "KL to uniform"), ("confident_fraction", "confident"),
                     ("diversity", "diversity"))

    def __init__(self, config):
        super().__init__(config)
        self.require_single_channel("to classify")
        self.classifier = trained_digit_classifier(self.images, self.labels, config.dataset)

    def build_models(self):
        c = self.config
        return (LSTMGenerator(c.noise_dim, self.image_shape, c.hidden_units, c.dtype),
                ConvDiscriminator(self.image_shape, c.d_width, c.dtype))

    def metrics(self, samples):
        return class_metrics(self.classifier, samples)


def class_metrics(classifier, samples):
    """How the samples spread over the ten digit classes, and how sure the classifier is."""
    classes, confidence = classifier.predict(samples)
    return {**mode_metrics(classes, 10),
            "confident_fraction": float(np.mean(confidence >= CONFIDENT))}
