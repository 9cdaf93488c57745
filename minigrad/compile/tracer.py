"""The tracer: while a function runs eagerly, every primitive that executes becomes one line of a
flat program.

Values are named by *slots* (small integers). The tracer knows each array it has seen by its
identity (``id``): the inputs it was given, the output of every recorded primitive, the
constants the function made. It keeps all of them alive while it runs, so an identity is never
reused by a different array.

One primitive call becomes one :class:`Instruction`. Besides its tensor inputs, a primitive can
take arrays as *parameters* (``Where``'s condition, ``Take``'s index, batch norm's statistics)
and can *save* arrays in ``forward`` for its VJP (``Relu``'s mask, ``Conv2dOp``'s columns). A VJP
that later wraps such a saved array in a Tensor uses a value computed from the data, so:

* an array parameter that the program computed is a *binding*: the replay sets the attribute to
  the slot's new value before calling ``forward``;
* an array that ``forward`` stores on the op is an *auxiliary output*: the replay takes it from
  the op after ``forward`` and gives it a slot of its own.

Arrays that nothing recorded made are constants of the program. One made inside the function
(``zeros_like``, a Python number lifted to an array) is frozen as it is; a tensor that existed
before the trace began and is not an input is refused: its value would be frozen silently.
"""

import numpy as np

from .. import backend
from ..tensor import Tensor, next_stamp
from ..tracing import CompileError


class Instruction:
    """``output = op.forward(*inputs)``, with ``bindings`` (attribute, slot) set on the op
    before and ``aux`` (attribute, slot) read from it after. ``params`` identifies the op's
    other parameters (for common-subexpression elimination); ``scalar`` says that ``forward``
    returns a numpy scalar that must become a 0-d array."""

    __slots__ = ("op", "inputs", "output", "bindings", "aux", "params", "scalar")

    def __init__(self, op, inputs, output, bindings, aux, params, scalar):
        self.op, self.inputs, self.output = op, inputs, output
        self.bindings, self.aux, self.params, self.scalar = bindings, aux, params, scalar

    def reads(self):
        """Every slot this instruction reads (an input that ``forward`` ignores is None: the
        replay passes None there, and the array it stood for need not stay alive)."""
        return tuple(slot for slot in self.inputs if slot is not None) + \
            tuple(slot for _, slot in self.bindings)

    def writes(self):
        """Every slot this instruction writes."""
        return (self.output,) + tuple(slot for _, slot in self.aux)


def is_array(value):
    """An array of a backend, or a numpy scalar (numpy's arithmetic on 0-d arrays makes them)."""
    return type(value) is np.ndarray or isinstance(value, np.generic) or (
        not isinstance(value, (Tensor, type)) and hasattr(value, "__array_namespace__"))


def freeze(value):
    """A hashable stand-in for an op parameter, equal only for parameters that compute alike."""
    if isinstance(value, float):
        return ("float", value.hex())  # tells 0.0 from -0.0 and nan from nan
    if isinstance(value, (tuple, list)):
        return (type(value).__name__,) + tuple(freeze(item) for item in value)
    if isinstance(value, slice):
        return ("slice", freeze(value.start), freeze(value.stop), freeze(value.step))
    if is_array(value):
        return ("array", id(value))
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return (type(value).__name__, value)


class Tracer:
    """Records the primitives that run while it is installed (``minigrad.tracing.set_tracer``)."""

    def __init__(self):
        self.slot_of = {}       # id(array) -> slot
        self.arrays = []        # slot -> array (kept alive while tracing)
        self.labels = {}        # input slot -> a name for printing
        self.inputs = []        # input slots, in order
        self.constants = set()  # constant slots
        self.instructions = []
        self.start_stamp = None

    def new_slot(self, array):
        slot = len(self.arrays)
        self.arrays.append(array)
        self.slot_of[id(array)] = slot
        return slot

    def bind_input(self, array, label):
        """Make ``array`` the next input of the program. (An array given twice becomes two
        inputs, the later one read by the ops; the compiled function keys its programs on such
        aliasing, so the two are the same array in every replay too.)"""
        slot = self.new_slot(array)
        self.inputs.append(slot)
        self.labels[slot] = label
        return slot

    def begin(self):
        """Mark the start: tensors created from now on are the function's own."""
        self.start_stamp = next_stamp()

    def slot_for(self, tensor, use):
        """The slot of ``tensor``'s array: known, or a constant the function made. A tensor that
        existed before the call and is neither an input nor state is refused (``use`` says where
        it was met): the program would freeze its current value."""
        slot = self.slot_of.get(id(tensor._data))
        if slot is not None:
            return slot
        if tensor._stamp < self.start_stamp:
            raise CompileError(
                f"minigrad.compile: {use} is a tensor of shape {tensor.shape} that existed before "
                "the compiled function was called and is neither an input nor part of its state; "
                "the program would freeze its current value. Pass it as an argument, or list the "
                "module/optimizer that owns it in state=.")
        slot = self.new_slot(tensor._data)
        self.constants.add(slot)
        return slot

    def run(self, op, inputs, arrays):
        """Run ``op.forward(*arrays)`` and record it; called by ``Function.apply``."""
        before = {name: value for name, value in vars(op).items() if is_array(value)}
        slots = tuple(None if position in op.graph_only_inputs
                      else self.slot_for(t, f"input {position} of {type(op).__name__}")
                      for position, t in enumerate(inputs))
        bindings = tuple((name, self.slot_of[id(value)]) for name, value in before.items()
                         if id(value) in self.slot_of)
        params = tuple((name, freeze(value)) for name, value in sorted(vars(op).items())
                       if not any(name == bound for bound, _ in bindings))
        out = op.forward(*arrays)
        scalar = type(out) is not np.ndarray and isinstance(out, np.generic)
        if scalar:
            out = np.asarray(out)
        output = self.new_slot(out)
        aux = []
        for name, value in vars(op).items():
            if is_array(value) and before.get(name) is not value \
                    and id(value) not in self.slot_of:
                aux.append((name, self.new_slot(value)))
        self.instructions.append(Instruction(op, slots, output, bindings, tuple(aux), params,
                                             scalar))
        return out



def spec(array):
    """(shape, dtype name) of an array, as the program listing prints it."""
    return tuple(array.shape), backend.dtype_name(array.dtype)
