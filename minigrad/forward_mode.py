"""Jacobian-vector products (forward mode) from two reverse sweeps, with no new primitive.

For y = f(x) with Jacobian J = dy/dx, reverse mode gives u -> J^T u (a VJP) for any cotangent u.
That map is linear in u, and its own Jacobian with respect to u is J^T, so its VJP with a
cotangent v is (J^T)^T v = J v: the JVP.

    g(u) = J^T u                      first sweep, recorded (create_graph=True), u a leaf
    J v  = d<g(u), v>/du              second sweep, from g back to u

The value of u never matters (g is linear in it), so u is zeros that require grad: a dummy that
only links the graph. Both sweeps are ordinary ``grad`` calls, so every primitive that has a
recorded VJP has a JVP too, on every device.
"""

from .autodiff import grad
from .creation import zeros_like
from .grad_mode import enable_grad
from .tensor import Tensor, tensor


def jvp(f, inputs, tangents):
    """``(outputs, jvps)``: ``f(*inputs)`` and the derivative of it along ``tangents``.

    ``inputs`` is a Tensor or a tuple of them, ``tangents`` the same (arrays and numbers are
    made into tensors of each input's dtype and device), one per input and of its shape.
    ``jvps`` has the structure of ``f``'s result: for each output y, sum_i dy/dx_i tangents[i].
    An output that does not depend on the inputs gets zeros. ``f`` is called once, on copies
    of the inputs cut from any graph they belong to; the results are constants (detached)."""
    single_input = isinstance(inputs, Tensor)
    inputs = (inputs,) if single_input else tuple(inputs)
    tangents = (tangents,) if single_input else tuple(tangents)
    if len(tangents) != len(inputs):
        raise ValueError(f"jvp: {len(inputs)} inputs but {len(tangents)} tangents; pass one "
                         "tangent per input, of the input's shape")
    tangents = tuple(_as_tangent(t, x, position)
                     for position, (t, x) in enumerate(zip(tangents, inputs)))
    leaves = tuple(x.detach().requires_grad_() for x in inputs)
    with enable_grad():
        result = f(*leaves)
        outputs = (result,) if isinstance(result, Tensor) else tuple(result)
        pushed = _push_forward(outputs, leaves, tangents)
    outputs = tuple(y.detach() for y in outputs)
    if isinstance(result, Tensor):
        return outputs[0], pushed[0]
    return outputs, pushed


def _as_tangent(t, x, position):
    if not isinstance(t, Tensor):
        t = tensor(t, dtype=x.dtype, device=x.device)
    if t.shape != x.shape:
        raise ValueError(f"jvp: tangent {position} has shape {t.shape}, expected the shape of "
                         f"input {position}, {x.shape}")
    return t.detach()


def _push_forward(outputs, leaves, tangents):
    """J v for each output, by the VJP of the VJP (see the module's docstring)."""
    jvps = [zeros_like(y) for y in outputs]
    recorded = [i for i, y in enumerate(outputs) if y.requires_grad]
    if not recorded:
        return tuple(jvps)
    dummies = [zeros_like(outputs[i], requires_grad=True) for i in recorded]
    pulled = grad([outputs[i] for i in recorded], leaves, grad_outputs=dummies,
                  create_graph=True, allow_unused=True)
    linked = [(g, v) for g, v in zip(pulled, tangents) if g is not None and g.requires_grad]
    if not linked:
        return tuple(jvps)
    pushed = grad([g for g, _ in linked], dummies, grad_outputs=[v for _, v in linked],
                  allow_unused=True)
    for i, jv in zip(recorded, pushed):
        if jv is not None:
            jvps[i] = jv
    return tuple(jvps)
