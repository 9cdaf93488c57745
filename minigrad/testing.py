"""Gradient checks against central finite differences, for users and for minigrad's own tests.

``gradcheck(fn, inputs)`` compares, for every element x_j of every input that requires grad,
the analytical derivative of the scalar  phi(x) = sum_k <v_k, fn(x)_k>  (v_k random, fixed by
``seed``) with the central difference  (phi(x + h e_j) - phi(x - h e_j)) / 2h.  A random v
checks the whole vector-Jacobian product (a transposed Jacobian would not pass).

``gradcheck(fn, inputs, order=k)`` checks every order up to k, as HIPS autograd's
``check_grads`` does: after order 1, it checks the map (x, v) -> grad(<v, fn(x)>, x) computed
with ``create_graph=True`` (v random and itself an input), then that map's own VJP map, and so
on. The derivatives of the VJP map are the VJPs' own VJPs, so a VJP that is right in value but
computed from raw arrays (a constant of the graph) passes order 1 and fails order 2.
``gradgradcheck(fn, inputs)`` is ``order=2``.

Both work on any device: perturbations are made on the host and moved to the inputs' device.
"""

import numpy as np

from . import backend
from .autodiff import _as_tuple, grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytical and numerical derivatives disagree; the message says where."""


def _random_like(output, generator):
    array = generator.standard_normal(output.shape)
    return Tensor(backend.from_numpy(array, output.device, output.dtype))


def _projection(outputs, cotangents):
    """phi = sum_k <v_k, outputs_k> as a Python float, computed on the host in float64."""
    return float(sum(np.sum(o.numpy().astype(np.float64) * v.numpy())
                     for o, v in zip(outputs, cotangents)))


def _check_float64(tensors, what):
    for position, t in enumerate(tensors):
        if backend.dtype_name(t.dtype) != "float64":
            raise TypeError(f"gradcheck: {what} {position} has dtype "
                            f"{backend.dtype_name(t.dtype)}; finite differences need float64")


def gradcheck(fn, inputs, order=1, eps=1e-6, atol=1e-7, rtol=1e-5, seed=0, max_reports=5):
    """Raise :class:`GradcheckError` unless the derivatives of ``fn`` of every order from 1 to
    ``order`` match finite differences.

    ``fn`` maps the tensors ``inputs`` to a tensor or a tuple of tensors. Inputs that require
    grad are checked; they must be float64. Returns True when every element agrees within
    ``atol + rtol * |numerical|`` and every gradient lies on its input's device. From order 2
    on, the inputs that a failure names are those of the map checked there: ``fn``'s inputs,
    then the cotangents of each lower order."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"gradcheck: order must be an int >= 1, got {order!r}")
    inputs = _as_tuple(inputs)
    _check_vjps(fn, inputs, 1, eps, atol, rtol, seed, max_reports)
    for level in range(2, order + 1):
        fn, inputs = _vjp_map(fn, inputs, seed + 1)
        seed += 2
        _check_vjps(fn, inputs, level, eps, atol, rtol, seed, max_reports)
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-7, rtol=1e-5, seed=0, max_reports=5):
    """``gradcheck`` of order 2: first and second derivatives."""
    return gradcheck(fn, inputs, order=2, eps=eps, atol=atol, rtol=rtol, seed=seed,
                     max_reports=max_reports)


def _vjp_map(fn, inputs, seed):
    """The map (x, v) -> grad(<v, fn(x)>, x, create_graph=True), and its inputs: ``inputs``
    followed by random cotangents v (they require grad, so the map's derivatives in v are
    checked too). An input that the outputs do not reach gets zeros, a constant."""
    n = len(inputs)
    generator = np.random.default_rng(seed)
    cotangents = tuple(_random_like(o, generator).requires_grad_()
                       for o in _as_tuple(fn(*inputs)))
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def vjps(*args):
        xs, vs = args[:n], args[n:]
        grads = grad(_as_tuple(fn(*xs)), [xs[i] for i in wrt], vs, create_graph=True,
                     allow_unused=True)
        return tuple(g if g is not None
                     else Tensor(backend.namespace_of(xs[i].data).zeros_like(xs[i].data))
                     for i, g in zip(wrt, grads))

    return vjps, inputs + cotangents


def _check_vjps(fn, inputs, order, eps, atol, rtol, seed, max_reports):
    """One order: fn's VJPs against central differences of phi."""
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    _check_float64([inputs[i] for i in checked], "input")
    outputs = _as_tuple(fn(*inputs))
    _check_float64(outputs, "output")
    generator = np.random.default_rng(seed)
    cotangents = [_random_like(o, generator) for o in outputs]
    recorded = [(o, v) for o, v in zip(outputs, cotangents) if o.requires_grad]
    if recorded:
        analytical = grad([o for o, _ in recorded], [inputs[i] for i in checked],
                          [v for _, v in recorded], allow_unused=True)
    else:
        analytical = (None,) * len(checked)

    failures = []
    for position, g in zip(checked, analytical):
        x = inputs[position]
        if g is not None and g.device != x.device:
            failures.append(f"input {position} (shape {x.shape}) is on {x.device}, its "
                            f"gradient on {g.device}")
        expected = np.zeros(x.shape) if g is None else g.numpy()
        numerical = _numerical_gradient(fn, inputs, position, cotangents, eps)
        # written so that a NaN (analytical or numerical) counts as a mismatch
        bad = ~(np.abs(expected - numerical) <= atol + rtol * np.abs(numerical))
        for index in filter(bad.__getitem__, np.ndindex(bad.shape)):
            failures.append(f"input {position} (shape {x.shape}) at index "
                            f"{tuple(int(i) for i in index)}: analytical {expected[index]:.10g}, "
                            f"numerical {numerical[index]:.10g}")
    if failures:
        shown = "\n  ".join(failures[:max_reports])
        hidden = len(failures) - max_reports
        more = f"\n  ... and {hidden} more" if hidden > 0 else ""
        raise GradcheckError(f"gradcheck failed at order {order} for {len(failures)} element(s) "
                             f"(eps={eps}, atol={atol}, rtol={rtol}):\n  {shown}{more}")


def _numerical_gradient(fn, inputs, position, cotangents, eps):
    x = inputs[position]
    host = x.numpy()
    result = np.zeros(host.shape)
    for index in np.ndindex(*host.shape):
        values = []
        for step in (eps, -eps):
            moved = host.copy()
            moved[index] += step
            shifted = list(inputs)
            # the copy keeps requires_grad: fn may itself differentiate (as a VJP map does)
            shifted[position] = Tensor(backend.from_numpy(moved, x.device), requires_grad=True)
            values.append(_projection(_as_tuple(fn(*shifted)), cotangents))
        result[index] = (values[0] - values[1]) / (2 * eps)
    return result
