"""State: the tensors a compiled function reads and replaces besides its arguments.

A training step changes parameters, their gradients, optimizer moments, step counts, batch norm's
running statistics. The compiled function is told which objects hold such state
(``compile(fn, state=[model, optimizer])``); each of them answers three questions:

* ``traced_state()``: ``{name: Tensor or None}``, the tensors it holds now. Before a call their
  arrays become inputs of the program; after it, the arrays they hold then are its outputs.
* ``load_traced_state(arrays)``: ``{name: array or None}``, write a replay's results back.
* ``traced_key()``: a hashable summary of the Python values the program bakes in (hyperparameters,
  training/eval mode). A program is reused only while the key and the names, shapes, dtypes and
  devices of the state are what they were at its trace.

``Module`` and ``Optimizer`` answer them; so can any object of the user's. A bare Tensor may be
given too: its array is read before the call and replaced (``tensor.data = ...``) after.
"""

from ..tensor import Tensor
from ..tracing import CompileError

PROTOCOL = ("traced_state", "load_traced_state", "traced_key")


class _TensorState:
    """A bare tensor as a state object with one entry."""

    def __init__(self, tensor):
        self.tensor = tensor

    def traced_state(self):
        return {"tensor": self.tensor}

    def load_traced_state(self, arrays):
        self.tensor.data = arrays["tensor"]

    def traced_key(self):
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
        entries = obj.traced_state()
        cells.extend((index, name, value) for name, value in entries.items())
        key.append((obj.traced_key(),
                    tuple((name, spec_of(value)) for name, value in entries.items())))
    return cells, tuple(key)


def write_back(objects, names, arrays):
    """Give each object its entries (``names`` are (object index, name) pairs) from ``arrays``."""
    per_object = {}
    for (index, name), array in zip(names, arrays):
        per_object.setdefault(index, {})[name] = array
    for index, entries in per_object.items():
        objects[index].load_traced_state(entries)
