"""Gradient checks against central finite differences, for users and for minigrad's own tests.

Both modes differentiate the scalar  phi(x) = sum_k <v_k, fn(x)_k>  (v_k random, fixed by
``seed``), whose gradient is the vector-Jacobian product J^T v; a random v checks the whole
VJP (a transposed Jacobian would not pass).

* ``mode="directional"`` (the default) draws a few random directions u (one array per input
  that requires grad, all moved together) and compares, per direction, the analytical
  <J^T v, u> = sum_i <grad_i phi, u_i> with a central difference of phi along u. It costs four
  calls of ``fn`` per direction whatever the inputs' size, so higher orders need not shrink to
  tiny shapes; a wrong element of J^T v moves <J^T v, u> for almost every u. Each u is a unit
  vector (over all the inputs together), as e_j is below, so the tolerances mean the same in
  both modes: a derivative along a unit vector. A plain central difference
  D(h) = (phi(x + h u) - phi(x - h u)) / 2h errs by about (h^2 / 6) D^3 phi[u, u, u], which
  includes mixed third derivatives that e_j never sees: in a product of 30 factors near 2 they
  reach 2^27, enough to exceed ``atol`` where the exact derivative is 0 (at two zero factors).
  So the compared number is Richardson's extrapolation (4 D(h/2) - D(h)) / 3, in which the h^2
  terms cancel and the error is of order h^4.
* ``mode="elements"`` compares every element, for diagnosis: d phi/dx_j with
  (phi(x + h e_j) - phi(x - h e_j)) / 2h, two calls of ``fn`` per element. It names the element
  behind a failing direction.

``gradcheck(fn, inputs, order=k)`` checks every order up to k, as HIPS autograd's
``check_grads`` does: after order 1, it checks the map (x, v) -> grad(<v, fn(x)>, x) computed
with ``create_graph=True`` (v random and itself an input), then that map's own VJP map, and so
on. The derivatives of the VJP map are the VJPs' own VJPs, so a VJP that is right in value but
computed from raw arrays (a constant of the graph) passes order 1 and fails order 2.
``gradgradcheck(fn, inputs)`` is ``order=2``.

Both work on any device: perturbations are made on the host and moved to the inputs' device.
"""

import functools

import numpy as np

from . import backend
from .autodiff import _as_tuple, grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """The analytical and numerical derivatives disagree; the message says where."""


def _random_like(output, generator):
    array = generator.standard_normal(output.shape)
    return Tensor(backend.array_from_numpy(array, output.device, output.dtype))


def _projection(outputs, cotangents):
    """phi = sum_k <v_k, outputs_k> as a Python float, computed on the host in float64."""
    return float(sum(np.sum(o.numpy().astype(np.float64) * v.numpy())
                     for o, v in zip(outputs, cotangents)))


def _check_float64(tensors, what):
    for position, t in enumerate(tensors):
        if backend.dtype_name(t.dtype) != "float64":
            raise TypeError(f"gradcheck: {what} {position} has dtype "
                            f"{backend.dtype_name(t.dtype)}; finite differences need float64")


def gradcheck(fn, inputs, order=1, eps=1e-6, atol=1e-7, rtol=1e-5, seed=0, max_reports=5,
              mode="directional", directions=3):
    """Raise :class:`GradcheckError` unless the derivatives of ``fn`` of every order from 1 to
    ``order`` match finite differences.

    ``fn`` maps the tensors ``inputs`` to a tensor or a tuple of tensors. Inputs that require
    grad are checked; they must be float64. Returns True when every compared number (each of
    ``directions`` directional derivatives, or with ``mode="elements"`` each element) agrees
    within ``atol + rtol * |numerical|`` and every gradient lies on its input's device. From
    order 2 on, the inputs that a failure names are those of the map checked there: ``fn``'s
    inputs, then the cotangents of each lower order."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"gradcheck: order must be an int >= 1, got {order!r}")
    if mode not in ("directional", "elements"):
        raise ValueError(f"gradcheck: mode must be 'directional' or 'elements', got {mode!r}")
    if isinstance(directions, bool) or not isinstance(directions, int) or directions < 1:
        raise ValueError(f"gradcheck: directions must be an int >= 1, got {directions!r}")
    inputs = _as_tuple(inputs)
    settings = dict(eps=eps, atol=atol, rtol=rtol, max_reports=max_reports, mode=mode,
                    directions=directions)
    _check_vjps(fn, inputs, 1, seed, **settings)
    for level in range(2, order + 1):
        fn, inputs = _vjp_map(fn, inputs, seed + 1)
        seed += 2
        _check_vjps(fn, inputs, level, seed, **settings)
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-7, rtol=1e-5, seed=0, max_reports=5,
                  mode="directional", directions=3):
    """``gradcheck`` of order 2: first and second derivatives."""
    return gradcheck(fn, inputs, order=2, eps=eps, atol=atol, rtol=rtol, seed=seed,
                     max_reports=max_reports, mode=mode, directions=directions)


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
                     else Tensor(backend.namespace_of(xs[i].array).zeros_like(xs[i].array))
                     for i, g in zip(wrt, grads))

    return vjps, inputs + cotangents


def _check_vjps(fn, inputs, order, seed, eps, atol, rtol, max_reports, mode, directions):
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
    gradients = {position: np.zeros(inputs[position].shape) if g is None else g.numpy()
                 for position, g in zip(checked, analytical)}
    phi = functools.partial(_moved_projection, fn, inputs, cotangents)
    hosts = {position: inputs[position].numpy() for position in checked}
    compared = (_directional(phi, hosts, gradients, eps, generator, directions)
                if mode == "directional" else _elements(phi, hosts, gradients, eps))
    for where, expected, numerical in compared:
        difference = abs(expected - numerical)
        allowed = atol + rtol * abs(numerical)
        # written so that a NaN (analytical or numerical) counts as a mismatch
        if not difference <= allowed:
            failures.append(f"{where}: analytical {expected:.10g}, numerical {numerical:.10g}, "
                            f"difference {difference:.3g} > allowed {allowed:.3g}")
    if failures:
        shown = "\n  ".join(failures[:max_reports])
        hidden = len(failures) - max_reports
        more = f"\n  ... and {hidden} more" if hidden > 0 else ""
        hint = ("\n  (mode='elements' names the elements behind a failing direction)"
                if mode == "directional" else "")
        raise GradcheckError(f"gradcheck failed at order {order} for {len(failures)} "
                             f"{'direction' if mode == 'directional' else 'element'}(s) "
                             f"(eps={eps}, atol={atol}, rtol={rtol}):\n  {shown}{more}{hint}")


def _moved_projection(fn, inputs, cotangents, moves):
    """phi with the inputs that ``moves`` names ({position: new host float64 array}) replaced."""
    moved = list(inputs)
    for position, array in moves.items():
        x = inputs[position]
        # the copy keeps requires_grad: fn may itself differentiate (as a VJP map does)
        moved[position] = Tensor(backend.array_from_numpy(np.asarray(array), x.device),
                                 requires_grad=True)
    return _projection(_as_tuple(fn(*moved)), cotangents)


def _directional(phi, hosts, gradients, eps, generator, directions):
    """For random unit vectors u (one array per input, uniform on the sphere of them all):
    sum_i <grad_i, u_i> and (phi(x + eps u) - phi(x - eps u)) / 2 eps."""
    for k in range(directions):
        u = {position: generator.standard_normal(g.shape) for position, g in gradients.items()}
        norm = np.sqrt(sum(np.sum(d * d) for d in u.values())) or 1.0  # 0 if every input is empty
        u = {position: d / norm for position, d in u.items()}
        expected = float(sum(np.sum(g * u[position]) for position, g in gradients.items()))

        def central(h):
            return (phi({p: hosts[p] + h * d for p, d in u.items()})
                    - phi({p: hosts[p] - h * d for p, d in u.items()})) / (2 * h)

        # Richardson: D(h) = D + c h^2 + O(h^4), so (4 D(h/2) - D(h)) / 3 = D + O(h^4)
        numerical = (4 * central(eps / 2) - central(eps)) / 3
        yield f"direction {k} (along inputs {sorted(u)})", expected, numerical


def _elements(phi, hosts, gradients, eps):
    """For every element x_j of every input: d phi/dx_j and
    (phi(x + eps e_j) - phi(x - eps e_j)) / 2 eps."""
    for position, g in gradients.items():
        for index in np.ndindex(*g.shape):
            values = []
            for step in (eps, -eps):
                moved = hosts[position].copy()
                moved[index] += step
                values.append(phi({position: moved}))
            where = f"input {position} (shape {g.shape}) at index {tuple(int(i) for i in index)}"
            yield where, float(g[index]), (values[0] - values[1]) / (2 * eps)
