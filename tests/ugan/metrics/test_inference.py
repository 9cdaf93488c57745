"""Inference via optimization (paper Eq. 13-14): exact recovery of images the generator makes,
independence of the images searched together, batch norm's mode, and win rates."""

import numpy as np
import pytest

import minigrad as mg

from ugan.metrics import reconstruction_errors
from ugan.models.conv import ConvGenerator

NOISE = 8
SHAPE = (1, 8, 8)


def generator_with_statistics():
    """A small conv generator whose batch norms have running statistics from a few batches."""
    mg.manual_seed(0)
    generator = ConvGenerator(NOISE, SHAPE, width=8, dtype="float64")
    rng = np.random.default_rng(1)
    with mg.no_grad():
        for _ in range(5):
            generator(mg.tensor(rng.standard_normal((32, NOISE))))
    return generator


def eval_images(generator, z):
    generator.eval()
    with mg.no_grad():
        images = generator(mg.tensor(z)).numpy()
    generator.train()
    return images


def test_an_image_the_generator_makes_is_recovered_almost_exactly():
    generator = generator_with_statistics()
    z0 = np.random.default_rng(2).standard_normal((6, NOISE))
    targets = eval_images(generator, z0)
    far = np.random.default_rng(3).uniform(-1, 1, size=targets.shape)
    errors = reconstruction_errors(generator, targets, NOISE, steps=300, lr=0.05, seed=4)
    start = reconstruction_errors(generator, targets, NOISE, steps=1, lr=1e-12, seed=4)
    assert errors.shape == (6,) and errors.dtype == np.float64
    assert errors.max() < 1e-3 * start.min()
    assert reconstruction_errors(generator, far, NOISE, steps=300, lr=0.05, seed=4).min() > 0.05


def test_an_images_error_does_not_depend_on_the_images_searched_with_it():
    # Starting points are rows of one draw, so the first images of two batches start alike.
    generator = generator_with_statistics()
    rng = np.random.default_rng(5)
    targets = rng.uniform(-1, 1, size=(5, *SHAPE))
    others = np.concatenate([targets[:2], rng.uniform(-1, 1, size=(6, *SHAPE))])
    together = reconstruction_errors(generator, targets, NOISE, steps=30, seed=6)
    for batch in (targets[:2], others):
        errors = reconstruction_errors(generator, batch, NOISE, steps=30, seed=6)
        np.testing.assert_allclose(errors[:2], together[:2], rtol=1e-9)
    assert not np.allclose(errors[2:5], together[2:])


def test_the_generators_mode_and_state_are_restored():
    generator = generator_with_statistics()
    before = {name: t.numpy().copy() for name, t in generator.state_dict().items()}
    reconstruction_errors(generator, np.zeros((3, *SHAPE)), NOISE, steps=3)
    assert generator.training
    for name, value in generator.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[name], err_msg=name)
    generator.eval()
    reconstruction_errors(generator, np.zeros((3, *SHAPE)), NOISE, steps=3)
    assert not generator.training


def test_targets_of_the_wrong_shape_are_reported():
    generator = generator_with_statistics()
    with pytest.raises(ValueError, match=r"reconstruction_errors: generator makes images of "
                                         r"shape \(1, 8, 8\).*targets have shape \(3, 8, 8\)"):
        reconstruction_errors(generator, np.zeros((2, 3, 8, 8)), NOISE, steps=2)
    with pytest.raises(ValueError, match="non-empty batch"):
        reconstruction_errors(generator, np.zeros((0, *SHAPE)), NOISE)


def test_searching_in_chunks_gives_the_errors_of_one_search_of_all_the_targets():
    """In eval mode each image's search is independent of the others, so the chunking (and the
    Adam per chunk) changes nothing: each chunk's starts are the same rows of one draw."""
    generator = generator_with_statistics()
    targets = np.random.default_rng(7).uniform(-1, 1, size=(7, *SHAPE))
    whole = reconstruction_errors(generator, targets, NOISE, steps=20, seed=8, batch_size=7)
    for batch_size in (1, 3):
        chunked = reconstruction_errors(generator, targets, NOISE, steps=20, seed=8,
                                        batch_size=batch_size)
        np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="steps and batch_size must be at least 1"):
        reconstruction_errors(generator, targets, NOISE, batch_size=0)
