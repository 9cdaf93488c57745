"""The image experiments' ``paper`` and ``fashion`` presets: the paper's networks on 28x28
Fashion-MNIST train two iterations at a tiny width (a width override; the full size is for a
GPU) on every test device, evaluate with their metrics, and keep the paper's settings. They read
the small Fashion-MNIST folder of ``tests/fashion_files.py``, so they run on every machine."""

import json
import math

import numpy as np
import pytest

import strategies as S
from minigrad import nn
from ugan.experiments import EXPERIMENTS
from ugan.models.paper import (PaperConvDiscriminator, PaperConvGenerator,
                               PaperLSTMDiscriminator, PaperLSTMGenerator)
from ugan.train import GANTrainer

IMAGE_EXPERIMENTS = ["lstm", "conv", "stacked", "colour"]
TINY = dict(width=0.0625, steps=2, batch_size=8, eval_every=1, eval_samples=64, noise_dim=8,
            unroll_steps=2)
NETWORKS = {"lstm": (PaperLSTMGenerator, PaperLSTMDiscriminator)}
CHANNELS = {"lstm": 1, "conv": 1, "stacked": 3, "colour": 3}


def tiny(name, preset="paper", **overrides):
    extra = {"inference_images": 4} if name == "conv" else {}
    return EXPERIMENTS[name].config_from(preset, **{**TINY, **extra, **overrides})


@pytest.mark.usefixtures("small_fashion_mnist")
@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", IMAGE_EXPERIMENTS)
def test_the_paper_preset_trains_at_tiny_width_with_the_papers_networks(name, device, tmp_path):
    trainer = GANTrainer(EXPERIMENTS[name](tiny(name, device=device)), tmp_path)
    generator_class, discriminator_class = NETWORKS.get(
        name, (PaperConvGenerator, PaperConvDiscriminator))
    assert isinstance(trainer.gan.generator, generator_class)
    assert isinstance(trainer.gan.discriminator, discriminator_class)
    assert any(isinstance(m, nn.BatchNorm2d) for m in trainer.gan.discriminator.modules())
    history = trainer.run(progress=False)
    assert [r["step"] for r in history] == [0, 1, 2]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key, _ in EXPERIMENTS[name].study_columns:
        assert math.isfinite(metrics["final"][key]), key
    samples = np.load(tmp_path / "samples" / "step_0000002.npy")
    assert samples.shape[1:] == (CHANNELS[name], 28, 28)
    if name in ("lstm", "stacked"):  # labelled by the Fashion-MNIST classifier
        report = metrics["classifier"]
        assert 0.7 < report["test_accuracy"] <= 1 and report["held_out_pass_share"] >= 0.9


@pytest.mark.parametrize("name", IMAGE_EXPERIMENTS)
def test_the_paper_preset_keeps_the_appendix_settings(name):
    config = EXPERIMENTS[name].config_from("paper")
    assert (config.networks, config.dataset, config.width) == ("paper", "fashion-mnist", 1.0)
    assert (config.noise_dim, config.beta1, config.generator_loss) == (256, 0.5, "nonsaturating")
    if name == "lstm":  # arXiv Appendix B: 150k single updates, lr 1e-4 for both; Figure 2's K
        assert (config.steps, config.g_lr, config.d_lr, config.unroll_steps) == \
            (75000, 1e-4, 1e-4, 20)
    else:  # Appendix C: 100k single updates, lr 1e-4 for G and 2e-4 for D
        assert (config.steps, config.g_lr, config.d_lr) == (50000, 1e-4, 2e-4)
    fashion = EXPERIMENTS[name].config_from("fashion")
    assert (fashion.networks, fashion.dataset) == ("paper", "fashion-mnist")


@pytest.mark.usefixtures("small_fashion_mnist")
def test_stacked_sizes_its_discriminator_against_the_generator(tmp_path):
    """--d-size: the discriminator's widths are d_size times the generator's (1/8 of DCGAN's)."""
    for d_size in (0.25, 0.5):
        experiment = EXPERIMENTS["stacked"](tiny("stacked", width=1.0, d_size=d_size))
        generator, discriminator = experiment.build_models()
        convolutions = [m for m in discriminator.modules() if isinstance(m, nn.Conv2d)]
        assert [c.weight.shape[0] for c in convolutions] == \
            [round(w * d_size / 8) for w in (64, 128, 256)]
    with pytest.raises(ValueError, match=r"StackedConfig: d_size \(--d-size\) takes a finite "
                                         r"number > 0, got 0.0"):
        tiny("stacked", d_size=0.0)


def test_an_unknown_network_family_is_named():
    with pytest.raises(ValueError, match=r"ConvConfig: networks \(--networks\) takes one of "
                                         r"small, paper, got 'huge'"):
        EXPERIMENTS["conv"].config_from(networks="huge")
