"""``minigrad.compile(fn, state=...)``: trace a function once per signature, then replay its
program.

The first call with a given *signature* runs ``fn`` eagerly under a :class:`Tracer` and turns
what ran into a :class:`Program` (then optimized by the passes). Later calls with the same
signature replay the program on the new arrays and write the state back. The signature is:

* the structure of the arguments; for each Tensor its shape, dtype, device and requires_grad;
  every other argument by value (it must be hashable: it is baked into the program);
* for each state object its ``state_key()`` and the names, shapes, dtypes and devices of the
  tensors it holds;
* which of those arrays are the same array (aliasing).

The first replay of each program is checked against an eager run from the same arrays (the
check the passes and the tracer's refusals cannot make: that nothing outside the traced ops
decided a value). It must agree bit for bit on the CPU; on a GPU to float rounding.
"""

from collections import OrderedDict

from .. import backend, tracing
from ..tensor import Tensor
from ..tracing import CompileError
from .passes import optimize
from .program import Program
from .state import snapshot, state_objects, write_back
from .tracer import Tracer, spec

CACHE_SIZE = 8


class _Entry:
    """A traced program and how to map its outputs back: ``result_def`` rebuilds the function's
    result from the first ``n_results`` outputs; ``state_names`` are the (object index, name)
    pairs of the state after the call, ``state_outputs`` their positions among the outputs
    (None for an entry that is None)."""

    def __init__(self, program, result_def, n_results, state_names, state_outputs):
        self.program, self.result_def, self.n_results = program, result_def, n_results
        self.state_names, self.state_outputs = state_names, state_outputs
        self.checked = False


class CompiledFunction:
    """``fn`` traced once per signature and replayed (see the module docstring)."""

    def __init__(self, fn, state=(), check=True, optimize_program=True):
        self.fn = fn
        self.objects = state_objects(state)
        self.check = check
        self.optimize_program = optimize_program
        self.cache = OrderedDict()
        self.traces = 0  # how many times fn was traced (a test and a user can watch retracing)
        self.program = None  # the program of the latest call
        self.__name__ = getattr(fn, "__name__", "compiled")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __call__(self, *args, **kwargs):
        if tracing.active_tracer() is not None:  # inside another trace: be part of it
            return self.fn(*args, **kwargs)
        key, tensors, cells, arrays = self._signature(args, kwargs)
        entry = self.cache.get(key)
        if entry is None:
            result, entry, _ = self._trace(args, kwargs, tensors, cells)
            self._remember(key, entry)
            return result
        self.cache.move_to_end(key)
        self.program = entry.program
        outputs = entry.program.run(arrays)
        if self.check and not entry.checked:
            return self._check_replay(entry, outputs, args, kwargs, tensors, cells)
        write_back(self.objects, entry.state_names,
                   [None if position is None else outputs[position]
                    for position in entry.state_outputs])
        return unflatten(entry.result_def, [Tensor(a) for a in outputs[:entry.n_results]])

    def _signature(self, args, kwargs):
        """(the cache key of a call, its tensors, the state's cells, the input arrays)."""
        tensors, args_def = flatten((args, kwargs))
        cells, state_key = snapshot(self.objects)
        arrays = [t._data for t in tensors] + [t._data for _, _, t in cells if t is not None]
        key = (_hashable(args_def),
               tuple((t.shape, t.dtype, t.device, t.requires_grad) for t in tensors),
               state_key, _aliasing(arrays))
        return key, tensors, cells, arrays

    def profile(self, *args, repeats=5, **kwargs):
        """Where a replay's time goes: (the program for these arguments, the seconds each of its
        instructions took, averaged over ``repeats`` replays; see :meth:`Program.profile`).
        The program must have been traced by an earlier call; nothing is written back."""
        key, _, _, arrays = self._signature(args, kwargs)
        entry = self.cache.get(key)
        if entry is None:
            raise CompileError(f"minigrad.compile: {self.__name__} has no program for these "
                               "arguments yet; call it once with them before profiling")
        return entry.program, entry.program.profile(arrays, repeats)

    # -- tracing -----------------------------------------------------------------------------
    def _trace(self, args, kwargs, tensors, cells):
        """Run ``fn`` eagerly under a tracer: (its result, the entry, the output arrays)."""
        tracer = Tracer()
        for position, t in enumerate(tensors):
            tracer.bind_input(t._data, f"argument {position}")
        for index, name, t in cells:
            if t is not None:
                tracer.bind_input(t._data, f"{type(self.objects[index]).__name__} {name}")
        tracer.begin()
        previous = tracing.set_tracer(tracer)
        try:
            result = self.fn(*args, **kwargs)
        finally:
            tracing.set_tracer(previous)
        self.traces += 1
        results, result_def = flatten(result)
        outputs = [tracer.slot_for(t, f"result {position}") for position, t in enumerate(results)]
        state_names, state_outputs, output_arrays = [], [], [t._data for t in results]
        after, _ = snapshot(self.objects)
        for index, name, t in after:
            state_names.append((index, name))
            if t is None:
                state_outputs.append(None)
                continue
            state_outputs.append(len(outputs))
            outputs.append(tracer.slot_for(t, f"the state entry {name!r}"))
            output_arrays.append(t._data)
        program = Program(tracer.instructions, tracer.inputs, outputs,
                          {slot: tracer.arrays[slot] for slot in tracer.constants},
                          [spec(array) for array in tracer.arrays], tracer.labels)
        if self.optimize_program:
            optimize(program, tracer.arrays)
        for ins in tracer.instructions:  # free what the trace's forward calls saved
            for name, _ in ins.aux:
                ins.op.__dict__.pop(name, None)
        entry = _Entry(program, result_def, len(results), state_names, state_outputs)
        self.program = program
        return unflatten(result_def, [t.detach() for t in results]), entry, output_arrays

    def _remember(self, key, entry):
        self.cache[key] = entry
        if len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)

    def _check_replay(self, entry, outputs, args, kwargs, tensors, cells):
        """The first replay of a program: run ``fn`` eagerly from the same arrays (the replay
        wrote nothing back yet) and compare every result and state entry."""
        result, fresh, eager_outputs = self._trace(args, kwargs, tensors, cells)
        names = [f"result {position}" for position in range(entry.n_results)]
        names += [f"state entry {name!r}" for (_, name), position
                  in zip(entry.state_names, entry.state_outputs) if position is not None]
        if fresh.state_names != entry.state_names or len(eager_outputs) != len(outputs):
            raise CompileError("minigrad.compile: the eager run changed different state than "
                               f"the traced one ({fresh.state_names} vs {entry.state_names})")
        for name, replayed, eager in zip(names, outputs, eager_outputs):
            difference = _difference(replayed, eager)
            if difference:
                raise CompileError(
                    f"minigrad.compile: the replayed program of {self.__name__} differs from "
                    f"its eager run in {name}: {difference}. Something the tracer cannot see "
                    "decided a value at trace time (an array computed outside minigrad's ops, "
                    "numpy randomness, a Python value read from a tensor): make it an input, "
                    "or call the function without compiling it.")
        entry.checked = True
        self.program = entry.program  # the program later calls replay, not the check's trace
        return result


def compile(fn=None, *, state=(), check=True, optimize=True):
    """Trace ``fn`` on its first call and replay the recorded program on later calls.

    ``state``: the Modules, Optimizers, Tensors (or objects with ``state_tensors``) that ``fn``
    reads and replaces; their tensors are implicit inputs and outputs. ``check``: compare each
    program's first replay with an eager run. ``optimize``: run the passes (constant folding,
    common subexpressions, dead code). Usable as ``@compile`` or ``@compile(state=...)``."""
    if fn is None:
        return lambda f: CompiledFunction(f, state, check, optimize)
    return CompiledFunction(fn, state, check, optimize)


# -- arguments and results as trees --------------------------------------------------------------

def flatten(value):
    """(the Tensors in ``value``, in order; a description of the rest). Tuples, lists and dicts
    are walked; any other value is kept in the description."""
    leaves = []
    return leaves, _describe(value, leaves)


def _describe(value, leaves):
    if isinstance(value, Tensor):
        leaves.append(value)
        return ("tensor",)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_describe(item, leaves) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple(value), tuple(_describe(item, leaves) for item in value.values()))
    return ("value", value)


def unflatten(description, leaves):
    """Rebuild a value described by :func:`flatten` from its Tensors."""
    return _rebuild(description, iter(leaves))


def _rebuild(description, leaves):
    kind = description[0]
    if kind == "tensor":
        return next(leaves)
    if kind == "value":
        return description[1]
    if kind == "dict":
        return {key: _rebuild(item, leaves) for key, item in zip(description[1], description[2])}
    items = [_rebuild(item, leaves) for item in description[1]]
    return tuple(items) if kind == "tuple" else items


def _hashable(description):
    try:
        hash(description)
    except TypeError:
        raise CompileError("minigrad.compile: every argument must be a Tensor or a hashable "
                           "value (it is baked into the program); got an argument that is "
                           "neither, e.g. a numpy array or a list of numbers: pass arrays as "
                           "tensors") from None
    return description


def _aliasing(arrays):
    """For each array, the position of the first argument/state array that is the same object."""
    first = {}
    return tuple(first.setdefault(id(array), position) for position, array in enumerate(arrays))


def _difference(replayed, eager):
    """None if the two arrays agree (bitwise on the CPU and the strict device, to float rounding
    on a GPU); else a description."""
    if tuple(replayed.shape) != tuple(eager.shape) or replayed.dtype != eager.dtype:
        return f"shape/dtype {tuple(replayed.shape)} {replayed.dtype} vs {tuple(eager.shape)} " \
               f"{eager.dtype}"
    a, b = backend.to_numpy(replayed), backend.to_numpy(eager)
    if backend.device_of(eager).startswith("cuda"):
        import numpy as np

        same = np.allclose(a, b, rtol=1e-5, atol=1e-7, equal_nan=True)
    else:
        same = a.tobytes() == b.tobytes()
    if same:
        return None
    return f"max |difference| {abs(a.astype('float64') - b.astype('float64')).max():.3g}"
