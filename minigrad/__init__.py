"""minigrad: a small reverse-mode automatic differentiation engine, with gradients of any order.

    import minigrad as mg
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.tanh() * x).sum()
    (g,) = mg.grad(y, x, create_graph=True)   # g is itself differentiable
"""

from . import allocator, backend
from .autodiff import DeviceMismatchError, Function, grad
from .backend import default_device, set_default_device
from .forward_mode import jvp
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (abs, add, all, allclose, amax, amin, any, argmax, argmin, astype, bmm,
                  broadcast_to, chunk, clip, clone, concatenate, cos, cumsum, div, dot, einsum, erf, exp,
                  flatten, flip, gather, getitem, greater, greater_equal, isfinite, isinf, isnan,
                  leaky_relu, less, less_equal, log, log1p, log_softmax, logsumexp, masked_fill,
                  matmul, max, maximum, mean, min, minimum, mm, mul, narrow, neg, nonzero, norm,
                  not_equal, outer, permute, power, prod, reciprocal, relu, repeat, reshape, rsqrt,
                  sigmoid, sign, sin, softmax, softplus, sort, split, sqrt, squeeze, stack, std,
                  sub, sum, sum_to_shape, tanh, to, topk, transpose, unbind, unsqueeze, var, where)
from .ops import equal as eq
from .ops.logical import equal
from .tensor import Tensor, as_tensor, from_numpy, tensor
from .creation import (arange, bernoulli, default_generator, empty, eye, full, full_like,
                       linspace, local_defaults, manual_seed, multinomial, normal, ones,
                       ones_like, rand, rand_like, randint, randn, randn_like, randperm, zeros,
                       zeros_like)
from .compile import CompileError, compile
from .serialization import load, save
from . import autograd, backends, func, nn, optim, testing, utils

cat = concatenate  # PyTorch's names
clamp = clip
pow = power
device = backend.Device

float16, float32, float64 = "float16", "float32", "float64"
int32, int64, bool_ = "int32", "int64", "bool"
double, half, long = float64, float16, int64  # PyTorch's names
float, int, bool = float32, int32, bool_  # PyTorch's: mg.float is float32, mg.int int32


__version__ = "0.1.0"
