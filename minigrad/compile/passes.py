"""Passes over a traced program. Each keeps the replay's results bit for bit: it removes array
calls whose results are already known or never used, and never reorders or changes the others.

* :func:`fold_constants`: an instruction that reads only constants made the same array at trace
  time; its results become constants (the trace's own values).
* :func:`eliminate_common_subexpressions`: the same primitive with the same parameters on the
  same slots computes the same array; later copies read the first one's slots instead. Backward
  and double-backward sweeps recompute many such products.
* :func:`eliminate_dead_code`: an instruction none of whose results reaches an output is dropped.

Releasing each slot after its last use (buffer liveness) is part of the replay itself
(``Program._generate_source``).
"""

from .. import backend

SMALL_CONSTANT_BYTES = 64


def fold_constants(program, traced_arrays):
    """Turn instructions whose every read is a constant into constants (``traced_arrays[slot]``
    holds each slot's value from the trace)."""
    kept = []
    for ins in program.instructions:
        if all(slot in program.constants for slot in ins.reads()):
            for slot in ins.writes():
                program.constants[slot] = traced_arrays[slot]
        else:
            kept.append(ins)
    program.instructions = kept


def _equal_constants(program):
    """{slot: slot of the first equal constant} for small constants (the numbers that ``x * 2.0``
    lifts to arrays, one per use): equal dtype, shape, device and bits."""
    first, renamed = {}, {}
    for slot, array in program.constants.items():
        if program.nbytes(slot) > SMALL_CONSTANT_BYTES:
            continue
        key = (backend.device_of(array), str(array.dtype), tuple(array.shape),
               backend.to_numpy(array).tobytes())
        renamed[slot] = first.setdefault(key, slot)
    return {slot: target for slot, target in renamed.items() if slot != target}


def eliminate_common_subexpressions(program):
    """Read equal small constants from one slot; then drop an instruction that repeats an
    earlier one exactly, its readers reading the earlier one's slots."""
    seen = {}
    renamed = _equal_constants(program)
    kept = []
    for ins in program.instructions:
        ins.inputs = tuple(renamed.get(slot, slot) for slot in ins.inputs)
        ins.bindings = tuple((name, renamed.get(slot, slot)) for name, slot in ins.bindings)
        key = (type(ins.op), ins.params, ins.inputs, ins.bindings,
               tuple(name for name, _ in ins.aux))
        first = seen.get(key)
        if first is None:
            seen[key] = ins
            kept.append(ins)
            continue
        renamed[ins.output] = first.output
        first_aux = dict(first.aux)
        for name, slot in ins.aux:
            renamed[slot] = first_aux[name]
    program.instructions = kept
    program.outputs = [renamed.get(slot, slot) for slot in program.outputs]


def eliminate_dead_code(program):
    """Drop instructions none of whose results is read later or returned, and constants that
    nothing reads."""
    needed = set(program.outputs)
    kept = []
    for ins in reversed(program.instructions):
        if needed.isdisjoint(ins.writes()):
            continue
        needed.update(ins.reads())
        kept.append(ins)
    kept.reverse()
    program.instructions = kept
    program.constants = {slot: array for slot, array in program.constants.items()
                         if slot in needed}


def optimize(program, traced_arrays):
    """The passes, in order, each logged in ``program.passes``."""
    program.record_pass("fold constants", lambda p: fold_constants(p, traced_arrays))
    program.record_pass("common subexpressions", eliminate_common_subexpressions)
    program.record_pass("dead code", eliminate_dead_code)
