"""nn's layers (Linear, Conv2d, ConvTranspose2d, BatchNorm1d/2d): their parameters' names and
shapes, their buffers, their output shapes and their default initialisation, against PyTorch's."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


# -- layer parameter shapes -----------------------------------------------------------------------

LAYERS = [
    ("Linear", (3, 5), {}),
    ("Linear", (3, 5), {"bias": False}),
    ("Conv2d", (3, 4, 3), {}),
    ("Conv2d", (2, 6, (2, 5)), {"stride": 2, "padding": 1, "bias": False}),
    ("ConvTranspose2d", (3, 4, 3), {}),
    ("ConvTranspose2d", (2, 6, (2, 5)), {"stride": (2, 1), "padding": 1, "output_padding": (1, 0)}),
    ("BatchNorm1d", (7,), {}),
    ("BatchNorm2d", (5,), {"momentum": 0.3}),
]

EXPECTED_SHAPES = [
    {"weight": (5, 3), "bias": (5,)},
    {"weight": (5, 3)},
    {"weight": (4, 3, 3, 3), "bias": (4,)},
    {"weight": (6, 2, 2, 5)},
    {"weight": (3, 4, 3, 3), "bias": (4,)},
    {"weight": (2, 6, 2, 5), "bias": (6,)},
    {"weight": (7,), "bias": (7,)},
    {"weight": (5,), "bias": (5,)},
]


@pytest.mark.parametrize(("layer", "expected"), list(zip(LAYERS, EXPECTED_SHAPES)),
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(LAYERS)])
def test_layer_parameter_shapes(layer, expected):
    name, args, kwargs = layer
    module = getattr(nn, name)(*args, **kwargs)
    assert {n: p.shape for n, p in module.named_parameters()} == expected


@needs_torch
@pytest.mark.parametrize("layer", LAYERS, ids=[f"{name}-{i}" for i, (name, _, _) in
                                               enumerate(LAYERS)])
def test_layer_parameter_and_buffer_shapes_match_pytorch(layer):
    name, args, kwargs = layer
    ours = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    assert {n: p.shape for n, p in ours.named_parameters()} == \
        {n: tuple(p.shape) for n, p in theirs.named_parameters()}
    their_buffers = {n: tuple(b.shape) for n, b in theirs.named_buffers()
                     if n != "num_batches_tracked"}
    assert {n: b.shape for n, b in ours.named_buffers()} == their_buffers


@needs_torch
@pytest.mark.parametrize("layer", LAYERS[:6], ids=[f"{name}-{i}" for i, (name, _, _) in
                                                   enumerate(LAYERS[:6])])
def test_layer_output_shapes_match_pytorch(layer):
    name, args, kwargs = layer
    ours = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    in_features = args[0]
    shape = (2, in_features) if name == "Linear" else (2, in_features, 6, 7)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    assert ours(mg.tensor(x)).shape == tuple(theirs(torch.from_numpy(x)).shape)


@needs_torch
@pytest.mark.parametrize("layer", LAYERS[:6], ids=[f"{name}-{i}" for i, (name, _, _) in
                                                   enumerate(LAYERS[:6])])
def test_default_initialisation_bounds_match_pytorch(layer):
    """PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias, with
    ConvTranspose2d's fan_in taken from its weight's second axis (out_channels * kh * kw)."""
    name, args, kwargs = layer
    mg.manual_seed(0)
    ours = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    weight = theirs.weight.detach().numpy()
    fan_in = weight.shape[1] * int(np.prod(weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)
    for n, p in ours.named_parameters():
        assert np.all(np.abs(p.numpy()) <= bound), n
        assert np.all(np.abs(getattr(theirs, n).detach().numpy()) <= bound), n
