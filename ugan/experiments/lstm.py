"""An LSTM generator against a convolutional discriminator on digit images (paper Sec. 3.2,
Figure 3).

The generator writes an image one column per time step; the discriminator is a small convnet.
The paper's claim: without unrolling this mismatched pair collapses and cycles through single
"proto-digit" blobs; with unrolling (20 steps in Figure 3) the generator spreads over the data.

Metrics of a batch of generated images: ``diversity`` (mean pairwise distance relative to the
data's; near 0 for a collapsed generator) and, from a calibrated classifier trained on the real
images (``ugan.metrics.classifier``), how the samples spread over the ten classes
(``ugan.metrics.modes``): classes holding >= 5% of a uniform share, raw and among the samples
that pass the classifier's threshold (``confident_modes``; noise scores many raw classes and
few confident ones), the share that passes, and KL to uniform and to the classes the classifier
gives real data.

The ``demo`` preset is scaled to a CPU: scikit-learn's 8x8 digits instead of MNIST, a 128-unit
LSTM, batch 64. docs/reproduction.md compares it with the paper.

The ``paper`` preset is arXiv Appendix B (ICLR Appendix C): the paper's networks
(``ugan.models.paper.lstm_pair``: a 256-unit LSTM generator against a 16-32-32 convnet with
batch norm), Adam with learning rate 1e-4 and beta1 0.5 for both, K = 20 as in Figure 2. What
differs from the paper: Fashion-MNIST (28x28) stands in for MNIST, which is not installed here;
the appendix's "150k steps, one step consists of just 1 network update" of alternating G and D
updates is 75,000 of our iterations (each updates both); it gives no batch size, we take 64
(DCGAN's); its generator loss, printed without signs as "L_G = log(D(G(z)))" beside the
minimax loss of Appendix A, we read as the non-saturating -log D(G(z)). Samples are labelled by
the Fashion-MNIST classifier (its test accuracy and calibration are in metrics.json).
It is meant for a GPU (``--device cuda``). The ``fashion`` preset is the same networks at a
quarter of their width and fewer iterations, sized for a CPU (docs/reproduction.md says how).
"""

from dataclasses import dataclass

from ugan.experiments.images import PAPER_TRAINING, ImageConfig, ImageExperiment
from ugan.metrics.modes import mode_metrics
from ugan.models.conv import ConvDiscriminator
from ugan.models.lstm import LSTMGenerator
from ugan.models.paper import lstm_pair
from ugan.options import option


@dataclass(frozen=True)
class LSTMConfig(ImageConfig):
    renamed = {"g_width": "hidden_units"}  # --g-width and checkpoints written before the name

    hidden_units: int = option(128, "the small LSTM generator's hidden units", at_least=1)


class LSTMExperiment(ImageExperiment):
    name = "lstm"
    config_class = LSTMConfig
    presets = {
        "demo": LSTMConfig(unroll_steps=0, steps=3000, d_width=16),
        "paper": LSTMConfig(**{**PAPER_TRAINING, "steps": 75000, "d_lr": 1e-4},
                            unroll_steps=20),
        # sized by benchmarks/preset_sizing.py (docs/reproduction.md)
        "fashion": LSTMConfig(networks="paper", dataset="fashion-mnist", width=0.25,
                              unroll_steps=10, steps=4000, batch_size=64,
                              noise_dim=64, g_lr=1e-3, d_lr=1e-3,
                              generator_loss="nonsaturating"),
    }
    curves = ("confident_modes", "modes_covered_strict", "kl_to_real", "pass_share", "diversity")
    study_columns = (("modes_covered_strict", "classes (strict)"),
                     ("confident_modes", "classes (confident)"), ("pass_share", "pass share"),
                     ("kl_to_uniform", "KL to uniform"), ("kl_to_real", "KL to real"),
                     ("diversity", "diversity"))
    collapse_metric = ("confident_modes", "fewest confident classes during training")

    def __init__(self, config):
        super().__init__(config)
        self.require_single_channel("to classify")
        self.classifier = self.trained_classifier()

    def small_models(self):
        c = self.config
        return (LSTMGenerator(c.noise_dim, self.image_shape, c.hidden_units, c.dtype),
                ConvDiscriminator(self.image_shape, c.d_width, c.dtype))

    def paper_models(self):
        c = self.config
        return lstm_pair(c.width, self.image_shape, c.noise_dim, c.dtype)

    def features(self, images):
        classes, confidence = self.classifier.predict(images)
        return {"class": classes, "passed": confidence >= self.classifier.threshold}

    def metrics(self, features, kept):
        return mode_metrics(features["class"], 10, features["passed"],
                            self.real_class_distribution())
