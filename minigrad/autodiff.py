"""The graph and the reverse sweep.

Every primitive is a :class:`Function` subclass with two methods:

* ``forward(*arrays) -> array`` computes on raw backend arrays;
* ``backward(grad) -> tuple`` returns the vector-Jacobian product for each input, written with
  **Tensor ops**.

Because VJPs are ordinary Tensor code, the sweep has one code path for every order: with
``create_graph=False`` it runs the VJPs with recording off (fast, nothing kept); with
``create_graph=True`` the VJPs are recorded like any other computation, so the gradients it
returns are tensors in the graph and can be differentiated again.

The sweep orders the graph with an iterative depth-first search (no recursion limit) and only
visits the ops that lie on a path from the outputs to the tensors we differentiate with respect to.
"""

import weakref

import numpy as np

from . import backend, tracing
from .grad_mode import is_grad_enabled, set_grad_enabled
from .creation import zeros_like
from .tensor import Tensor


class DeviceMismatchError(RuntimeError):
    """Raised when one op is given tensors that live on different devices."""


class Function:
    """A primitive op. ``Op.apply(*tensors, **params)`` runs it and records it if needed.

    A recorded op keeps its input tensors (``self.inputs``) and their version numbers, so that
    ``backward`` can use them as Tensors and can refuse to run after one was changed in place.
    It keeps its output only weakly (``self.output``): the output is alive whenever the sweep
    reaches this op, and a strong reference would make a reference cycle.
    """

    inputs = ()
    needs_input_grad = ()
    differentiable = True  # False for ops whose output is a constant of the graph (comparisons)
    graph_only_inputs = ()  # positions of inputs that forward ignores (they only link the graph)
    reads_to_host = False  # True for ops whose forward reads device values back (a GPU waits)
    output_version = 0  # the output's version when recorded (not 0 after an in-place x += y)
    swept = False  # set when a backward() without retain_graph has run this op's VJP

    @classmethod
    def apply(cls, *inputs, **params):
        op = cls(**params)
        arrays = [t._data for t in inputs]
        if len(arrays) > 1:
            _check_same_device(cls, inputs, arrays)
        tracer = tracing.active_tracer()
        out = op.forward(*arrays) if tracer is None else tracer.run(op, inputs, arrays)
        if type(out) is not np.ndarray and isinstance(out, np.generic):
            out = np.asarray(out)  # numpy reductions return scalars, not 0-d arrays
        result = Tensor(out)
        if cls.differentiable and is_grad_enabled() and _any_requires_grad(inputs):
            op.inputs = inputs
            op.versions = tuple([t._version[0] for t in inputs])
            op._output = weakref.ref(result)  # a new tensor: its version is 0
            result._requires_grad = True
            result._node = op
        return result

    @property
    def output(self):
        """The op's output, for VJPs that reuse it (exp, tanh, ...); refused if it was changed
        in place since, as an input would be."""
        output = self._output()
        if output._version[0] != self.output_version:
            raise RuntimeError(
                f"backward through {type(self).__name__}: its output (shape {output.shape}) was "
                "changed in place after the op was recorded, and its gradient is computed from "
                "the output. Change a copy, or recompute the forward pass.")
        return output

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def _check_versions(self):
        if tuple([t._version[0] for t in self.inputs]) == self.versions:
            return
        for position, (tensor, version) in enumerate(zip(self.inputs, self.versions)):
            if tensor._version[0] != version:
                raise RuntimeError(
                    f"backward through {type(self).__name__}: its input {position} (shape "
                    f"{tensor.shape}) was changed in place after the op was recorded (version "
                    f"{tensor._version[0]}, recorded at {version}); the gradient would be computed "
                    "from the new values. Change a copy, or recompute the forward pass.")


class Copy(Function):
    """y = a copy of x, in a new array.  VJP: dx = g."""

    def forward(self, x):
        return backend.namespace_of(x).asarray(x, copy=True)

    def backward(self, g):
        return (g,)


def _any_requires_grad(inputs):
    for t in inputs:
        if t._requires_grad:
            return True
    return False


def _check_same_device(op_class, inputs, arrays):
    for a in arrays:
        if type(a) is not np.ndarray:
            break
    else:
        return  # all numpy: all on the CPU
    devices = [backend.device_of(a) for a in arrays]
    if len(set(devices)) > 1:
        described = ", ".join(f"input {i} {t.shape} on {d}" for i, (t, d) in
                              enumerate(zip(inputs, devices)))
        raise DeviceMismatchError(f"{op_class.__name__}: all inputs must be on one device, got "
                                  f"{described}; move them with .to(device)")


def _as_tuple(tensors):
    if isinstance(tensors, Tensor):
        return (tensors,)
    return tuple(tensors)


def _plan(roots, is_target, oldest_target):
    """The tensors whose gradient the sweep needs, inputs before the tensors made from them.

    Iterative post-order depth-first search over tensors that require grad. A tensor is needed
    if it is a target or an input of its op is needed: ops that cannot reach a target are never
    run. Tensors created before ``oldest_target`` (a creation stamp) cannot depend on a target,
    so the search does not enter them: differentiating step k of an unrolled optimisation does
    not walk steps 0..k-1 again."""
    needed = {}
    order = []
    stack = [(root, False) for root in roots]
    while stack:
        tensor, expanded = stack.pop()
        key = id(tensor)
        if expanded:
            node = tensor._node
            need = is_target(tensor) or (
                node is not None and any(needed.get(id(i), False) for i in node.inputs))
            needed[key] = need
            if need:
                order.append(tensor)
            continue
        if key in needed:
            continue
        needed[key] = False  # visiting; the final value is set when expanded
        stack.append((tensor, True))
        if tensor._node is not None:
            for parent in tensor._node.inputs:
                if parent._requires_grad and parent._stamp >= oldest_target \
                        and id(parent) not in needed:
                    stack.append((parent, False))
    return order, needed


def _sweep(roots, root_grads, is_target, create_graph, oldest_target=0, release=False):
    """Run the VJPs from ``roots`` (seeded with ``root_grads``) down to the targets; with
    ``release``, mark each op run as swept, so that a second sweep through it is refused.

    Returns ``{id(target): (target, gradient)}`` for every target reached; one that the graph
    reaches only through zero derivatives (a relu's mask) gets zeros, as in PyTorch."""
    order, needed = _plan(roots, is_target, oldest_target)
    grads = {}
    for root, root_grad in zip(roots, root_grads):
        previous = grads.get(id(root))
        grads[id(root)] = root_grad if previous is None else previous + root_grad
    results = {}
    with set_grad_enabled(create_graph):
        for tensor in reversed(order):
            grad = grads.pop(id(tensor), None)
            if grad is None:  # reached only through derivatives that are zero (ops.Masked)
                if is_target(tensor):
                    results[id(tensor)] = (tensor, zeros_like(tensor))
                continue
            if tensor._hooks:
                grad = _run_hooks(tensor._hooks, grad)
            if is_target(tensor):
                results[id(tensor)] = (tensor, grad)
            node = tensor._node
            if node is None:
                continue
            needs = tuple([needed.get(id(i), False) for i in node.inputs])
            if not any(needs):  # a target made from tensors that lead to no other target
                continue
            if node.swept:
                raise RuntimeError(
                    f"backward through {type(node).__name__} a second time: a backward() "
                    "without retain_graph=True already went through this part of the graph. "
                    "PyTorch frees it then and refuses too; pass retain_graph=True to the first "
                    "backward(), or run the forward pass again")
            node._check_versions()
            node.swept = release
            node.needs_input_grad = needs
            input_grads = node.backward(grad)
            for parent, parent_grad, need in zip(node.inputs, input_grads, node.needs_input_grad):
                if parent_grad is None or not need:
                    continue
                previous = grads.get(id(parent))
                grads[id(parent)] = parent_grad if previous is None else previous + parent_grad
    return results


def _run_hooks(hooks, grad):
    """The gradient after each hook of ``register_hook`` has seen it (and maybe replaced it)."""
    for hook in list(hooks):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


def _seed_grads(outputs, grad_outputs, caller):
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"{caller}: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    seeds = []
    for position, (output, seed) in enumerate(zip(outputs, grad_outputs)):
        if seed is None:
            if output.numel() != 1:
                raise RuntimeError(
                    f"{caller}: output {position} has shape {output.shape}; a gradient can be "
                    "created implicitly only for a scalar output. Pass the gradient of the "
                    "final result with respect to it (grad_outputs / gradient).")
            xp = backend.namespace_of(output.array)
            seed = Tensor(xp.ones_like(output.array))
        elif not isinstance(seed, Tensor):
            array = np.asarray(seed, dtype=backend.dtype_name(output.dtype))
            seed = Tensor(backend.to_device(array, output.device))
        if seed.shape != output.shape:
            raise ValueError(f"{caller}: the gradient for output {position} has shape "
                             f"{seed.shape}, expected the output's shape {output.shape}")
        seeds.append(seed)
    return seeds


def grad(outputs, inputs, grad_outputs=None, create_graph=False, allow_unused=False,
         retain_graph=None):
    """Gradients of ``outputs`` with respect to ``inputs``, as a tuple of Tensors.

    Computes ``sum_k <grad_outputs[k], d outputs[k] / d inputs[i]>`` for each input ``i`` (the
    vector-Jacobian product). ``grad_outputs`` may be omitted for scalar outputs (it is 1).
    With ``create_graph=True`` the gradients are recorded tensors that can be differentiated
    again. An input that the outputs do not depend on raises, unless ``allow_unused=True``,
    which returns None for it; one they depend on only through a mask (a relu, a max) gets
    zeros, as in PyTorch. ``retain_graph`` is accepted for PyTorch's code and ignored: the graph
    stays usable (PyTorch frees it unless ``retain_graph``), but a part that a
    :meth:`Tensor.backward` without ``retain_graph`` already went through is refused.
    """
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    for position, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad; create it with "
                               "requires_grad=True (or call .requires_grad_())")
    for position, y in enumerate(outputs):
        if not y.requires_grad:
            raise RuntimeError(f"grad: output {position} (shape {y.shape}) does not require "
                               "grad: it was not computed from a tensor that requires grad, or "
                               "it was computed under no_grad()")
    seeds = _seed_grads(outputs, grad_outputs, "grad")
    targets = {id(x) for x in inputs}
    results = _sweep(outputs, seeds, lambda t: id(t) in targets, create_graph,
                     oldest_target=min(x._stamp for x in inputs))
    gradients = []
    for position, x in enumerate(inputs):
        g = results.get(id(x), (x, None))[1]
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {position} (shape {x.shape}) was not used to "
                               "compute the outputs; pass allow_unused=True to get None for it")
        gradients.append(g)
    return tuple(gradients)


def backward(self, gradient=None, create_graph=False, retain_graph=None, inputs=None):
    """Accumulate d self / d leaf into ``leaf.grad`` for every leaf that requires grad (and
    for every tensor on which ``retain_grad()`` was called), or, given ``inputs`` (a tensor or
    a sequence), into the ``.grad`` of those tensors alone, as PyTorch's ``backward(inputs=)``.

    ``gradient`` is needed when ``self`` is not a scalar: it is the gradient of the final result
    with respect to ``self``. Gradients add up across calls; zero them between steps.
    As in PyTorch, the graph can be swept once unless ``retain_graph=True`` (by default, it is
    ``create_graph``): a second backward (or grad) through the same ops is refused with a
    message, where it would otherwise add the gradients twice without anyone asking."""
    if not self.requires_grad:
        raise RuntimeError(f"backward: the tensor (shape {self.shape}) does not require grad: "
                           "none of the tensors it was computed from requires grad, or it was "
                           "computed under no_grad()")
    seeds = _seed_grads((self,), None if gradient is None else (gradient,), "backward")
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        def is_target(t):
            return t._node is None or t.retains_grad
    else:
        wanted = {id(t) for t in _as_tuple(inputs)}

        def is_target(t):
            return id(t) in wanted
    results = _sweep((self,), seeds, is_target, create_graph, release=not retain)
    for leaf, g in results.values():
        if not create_graph:
            g = g.detach()
            if leaf.grad is None:
                # a copy: g may share its array with the seed or with another leaf's gradient
                # (the VJPs of +, reshape, ... pass g on), and zero_() on one .grad must not
                # change the others
                g = Copy.apply(g)
        leaf.grad = g if leaf.grad is None else leaf.grad + g


Tensor.backward = backward
