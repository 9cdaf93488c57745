"""The one state protocol: what a stateful object holds, for minigrad.compile and for checkpoints.

A training step changes parameters, their gradients, optimizer moments, step counts, batch norm's
running statistics. Every object that holds such state (``Module``, ``Optimizer``, and any object
of the user's) answers three questions:

* ``state_tensors(gradients=False)``: ``{name: Tensor or None}``, the tensors it holds now,
  counts included (Adam's per-parameter ``step`` is a float64 0-d tensor like any other entry).
  ``gradients=True`` adds the gradients of the parameters it owns (``"grad:" + name``): a
  compiled step reads and replaces them, a checkpoint does not keep them.
* ``load_state_tensors(arrays)``: ``{name: array or None}`` (arrays on the object's device, with
  its dtypes), the entries it gave, loaded back.
* ``state_key()``: a hashable summary of the Python values a compiled program bakes in
  (hyperparameters, training/eval mode).

``minigrad.compile(fn, state=[model, optimizer])`` makes the arrays of ``state_tensors(
gradients=True)`` inputs of its program before a call and loads its outputs back after it; a
program is reused only while the key and the names, shapes, dtypes and devices of the state are
what they were at its trace. A checkpoint (``ugan.checkpoint``) saves ``state_tensors()`` under a
prefix per object. A bare Tensor may be given to compile too: its array is read before the call
and replaced (``tensor._set_array(...)``) after.
"""

from ..tensor import Tensor
from ..tracing import CompileError

PROTOCOL = ("state_tensors", "load_state_tensors", "state_key")


class _TensorState:
    """A bare tensor as a state object with one entry."""

    def __init__(self, tensor):
        self.tensor = tensor

    def state_tensors(self, gradients=False):
        return {"tensor": self.tensor}

    def load_state_tensors(self, arrays):
        self.tensor._set_array(arrays["tensor"])

    def state_key(self):
        return ()


def state_objects(state):
    """The objects of ``state`` (one, or a list/tuple of them), checked against the protocol."""
    items = list(state) if isinstance(state, (list, tuple)) else [state]
    objects = []
    for position, item in enumerate(items):
        if isinstance(item, Tensor):
            objects.append(_TensorState(item))
        elif all(callable(getattr(item, name, None)) for name in PROTOCOL):
            objects.append(item)
        else:
            raise CompileError(f"minigrad.compile: state entry {position} is a "
                               f"{type(item).__name__}, which holds no traceable state; give "
                               "Modules, Optimizers, Tensors, or objects with the methods "
                               + ", ".join(PROTOCOL))
    return objects


def spec_of(tensor):
    """What a program assumes of a tensor: shape, dtype and device (None for a missing one)."""
    if tensor is None:
        return None
    return tensor.shape, tensor.dtype, tensor.device


def snapshot(objects):
    """(cells, key): cells are (object index, name, Tensor or None) for every entry now held;
    the key is what a program traced from this state may be reused for."""
    cells, key = [], []
    for index, obj in enumerate(objects):
        entries = obj.state_tensors(gradients=True)
        cells.extend((index, name, value) for name, value in entries.items())
        key.append((obj.state_key(),
                    tuple((name, spec_of(value)) for name, value in entries.items())))
    return cells, tuple(key)


def write_back(objects, names, arrays):
    """Give each object its entries (``names`` are (object index, name) pairs) from ``arrays``."""
    per_object = {}
    for (index, name), array in zip(names, arrays):
        per_object.setdefault(index, {})[name] = array
    for index, entries in per_object.items():
        objects[index].load_state_tensors(entries)
