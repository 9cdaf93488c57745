"""A flat program: the primitives a traced function ran, in order, on numbered slots, and its
replay as one generated Python function.

The listing (``print(program)``) reads like a jaxpr: one line per primitive, with its
parameters, the slots it reads and writes, and the shape of what it makes::

    v7 = LinearOp(v0, v2, v3)                        f32[512,128]
    v8 = Relu(v7) ; mask -> v9                       f32[512,128]

The replay is Python source generated from the same instructions and compiled once. Each
primitive's ``forward`` is called on raw arrays held in local variables: no Tensor objects, no
graph, no reverse sweep. A slot is deleted right after its last use, so an array is freed as soon
as nothing later needs it.
"""

import math
import time

import numpy as np

from .. import backend


class Program:
    """``instructions`` over slots; ``inputs`` and ``outputs`` are lists of slots; ``constants``
    maps a slot to its (frozen) array; ``specs`` maps every slot to (shape, dtype name);
    ``labels`` names the inputs for the listing."""

    def __init__(self, instructions, inputs, outputs, constants, specs, labels):
        self.instructions = list(instructions)
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.constants, self.specs, self.labels = dict(constants), specs, labels
        self.passes = []  # (name, ops before, ops after, bytes before, bytes after)
        self._replay = None

    # -- measures ----------------------------------------------------------------------------
    def __len__(self):
        return len(self.instructions)

    def nbytes(self, slot):
        shape, dtype = self.specs[slot]
        return math.prod(shape) * np.dtype(dtype).itemsize

    def allocated_bytes(self):
        """Bytes the instructions write per replay (views counted as if they were copies)."""
        return sum(self.nbytes(slot) for ins in self.instructions for slot in ins.writes())

    def last_uses(self):
        """{instruction position: slots whose last use it is} (outputs are never released)."""
        keep = set(self.outputs)
        last = {}
        for position, ins in enumerate(self.instructions):
            for slot in ins.reads() + ins.writes():
                last[slot] = position
        released = {}
        for slot, position in last.items():
            if slot not in keep:
                released.setdefault(position, []).append(slot)
        return released

    def record_pass(self, name, transform):
        """Run ``transform(self)`` and log what it removed."""
        before = (len(self), self.allocated_bytes())
        transform(self)
        self.passes.append((name, before[0], len(self), before[1], self.allocated_bytes()))
        self._replay = None

    # -- the listing -------------------------------------------------------------------------
    def __str__(self):
        lines = [f"program: {len(self.inputs)} inputs, {len(self.constants)} constants, "
                 f"{len(self)} ops, {len(self.outputs)} outputs"]
        for slot in self.inputs:
            lines.append(f"  in  v{slot:<5} {_type(self.specs[slot]):<22} "
                         f"{self.labels.get(slot, '')}")
        for slot, array in sorted(self.constants.items()):
            value = f" = {backend.to_numpy(array).item()!r}" if math.prod(array.shape) == 1 else ""
            lines.append(f"  const v{slot:<3} {_type(self.specs[slot])}{value}")
        for ins in self.instructions:
            lines.append("  " + _line(ins, self.specs))
        lines.append("  return " + ", ".join(f"v{slot}" for slot in self.outputs))
        return "\n".join(lines)

    def pass_report(self):
        """What each pass removed, one line each."""
        lines = [f"{'pass':<28} {'ops':>13} {'MB written per replay':>24}"]
        for name, ops_before, ops_after, bytes_before, bytes_after in self.passes:
            lines.append(f"{name:<28} {ops_before:>6} -> {ops_after:<5} "
                         f"{bytes_before / 2**20:>10.2f} -> {bytes_after / 2**20:<8.2f}")
        return "\n".join(lines)

    # -- the replay --------------------------------------------------------------------------
    def run(self, input_arrays):
        """Replay the program on ``input_arrays`` (one per input slot); returns the output
        arrays, in order."""
        if self._replay is None:
            self._replay = self._generate()
        return self._replay(*input_arrays)

    def profile(self, input_arrays, repeats=5):
        """Seconds each instruction took, averaged over ``repeats`` replays on ``input_arrays``
        (a list in instruction order). The replay is the generated one with a clock read around
        each primitive's call, so the remainder of a replay's time is the replay's own Python
        overhead. On a GPU the clock sees launches, not kernels."""
        replay = self._generate(timed=True)
        seconds = replay.__globals__["_seconds"]
        for _ in range(repeats):
            replay(*input_arrays)
        return [total / repeats for total in seconds]

    def source(self):
        """The Python source of the replay function."""
        return self._generate_source()[0]

    def _generate(self, timed=False):
        source, namespace = self._generate_source(timed)
        exec(compile(_with_large_frame(source), "<minigrad.compile program>", "exec"), namespace)
        return namespace["replay"]

    def _generate_source(self, timed=False):
        """The replay's source and namespace; ``timed`` adds the clock reads of :meth:`profile`
        (into the namespace's ``_seconds``, one total per instruction)."""
        namespace = {"_asarray": np.asarray, "_clock": time.perf_counter,
                     "_seconds": [0.0] * len(self.instructions)}
        for slot, array in self.constants.items():
            namespace[f"v{slot}"] = array
        lines = ["def replay(" + ", ".join(f"v{slot}" for slot in self.inputs) + "):"]
        released = self.last_uses()
        for position, ins in enumerate(self.instructions):
            namespace[f"op{position}"] = ins.op
            namespace[f"f{position}"] = ins.op.forward
            for name, slot in ins.bindings:
                lines.append(f"    op{position}.{name} = v{slot}")
            call = f"f{position}(" + ", ".join(_name(slot) for slot in ins.inputs) + ")"
            if timed:
                lines.append("    _start = _clock()")
            lines.append(f"    v{ins.output} = " + (f"_asarray({call})" if ins.scalar else call))
            if timed:
                lines.append(f"    _seconds[{position}] += _clock() - _start")
            for name, slot in ins.aux:
                lines.append(f"    v{slot} = op{position}.__dict__.pop({name!r})")
            dead = [f"v{slot}" for slot in released.get(position, ())
                    if slot not in self.constants]
            if dead:
                lines.append("    del " + ", ".join(dead))
        lines.append("    return (" + "".join(f"v{slot}, " for slot in self.outputs) + ")")
        return "\n".join(lines) + "\n", namespace


# CPython (3.11 to 3.13) keeps frames on a stack of chunks of 16 KiB, mapped when a call does not
# fit in the current chunk and unmapped when that call returns. A replay holds one local per slot,
# so a large program's frame is nearly a chunk; when it lands near the end of its caller's chunk,
# every primitive's call opens and frees a chunk of its own: a map, an unmap and fresh pages per
# call (measured on the ring's K=10 step: ~700 page faults and a third of its time). A frame larger
# than a whole chunk never fits in its caller's, and CPython gives it a chunk with at least 8,000
# bytes free behind it, room for the primitives' calls. So a large replay is padded to that size
# with locals that are never assigned (declared in a branch the compiler drops). Its own chunk
# costs one map per replay (~30 us), which such a frame mostly paid already; a small program is
# left as it is, since there that chunk would cost more than its primitives.
FRAME_CHUNK_BYTES = 16 * 1024
PADDED_FROM_BYTES = FRAME_CHUNK_BYTES // 2


def _with_large_frame(source):
    """``source`` (one function) with unused locals added until its frame outgrows a chunk, if
    it holds at least half a chunk already."""
    module = compile(source, "<minigrad.compile program>", "exec")
    function = next(c for c in module.co_consts if hasattr(c, "co_nlocals"))
    words = function.co_nlocals + function.co_stacksize
    missing = FRAME_CHUNK_BYTES // 8 + 1 - words
    if missing <= 0 or 8 * words < PADDED_FROM_BYTES:
        return source
    header, body = source.split("\n", 1)
    padding = " = ".join(f"_pad{i}" for i in range(missing))
    return f"{header}\n    if 0:\n        {padding} = None\n{body}"


def _name(slot):
    """A slot's variable in the listing and the replay; None for an input forward ignores."""
    return "None" if slot is None else f"v{slot}"


def _type(spec):
    shape, dtype = spec
    short = {"float32": "f32", "float64": "f64", "float16": "f16", "int64": "i64",
             "int32": "i32", "bool": "bool"}.get(dtype, dtype)
    return f"{short}[{','.join(str(n) for n in shape)}]"


def _line(ins, specs):
    params = ", ".join(f"{name}={_short(value)}" for name, value in ins.params)
    reads = [_name(slot) for slot in ins.inputs]
    reads += [f"{name}=v{slot}" for name, slot in ins.bindings]
    text = f"v{ins.output} = {type(ins.op).__name__}"
    text += f"[{params}]" if params else ""
    text += "(" + ", ".join(reads) + ")"
    if ins.aux:
        text += " ; " + ", ".join(f"{name} -> v{slot}" for name, slot in ins.aux)
    return f"{text:<64} {_type(specs[ins.output])}"


def _short(frozen):
    """A frozen parameter (``tracer.freeze``) as the user wrote it."""
    kind = frozen[0]
    if kind == "float":
        return repr(float.fromhex(frozen[1]))
    if kind in ("tuple", "list"):
        return "(" + ",".join(_short(item) for item in frozen[1:]) + ")"
    if kind == "slice":
        start, stop, step = (_short(item) for item in frozen[1:])
        return f"{'' if start == 'None' else start}:{'' if stop == 'None' else stop}" + \
            ("" if step == "None" else f":{step}")
    if kind in ("array", "object"):
        return "<const>"
    return repr(frozen[1])

