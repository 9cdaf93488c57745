"""``minigrad.compile``: trace a function once, replay it as a flat program of primitives.

    step = mg.compile(train_step, state=[model, optimizer])
    loss = step(x, y)          # first call: runs eagerly and records the program
    loss = step(x, y)          # later calls: replays it on raw arrays
    print(step.program)        # the program, one primitive per line

It sits above the autodiff core and the ops (it records ``Function.apply``) and below ``nn`` and
``optim`` (which say what their state is). See ``docs/architecture.md``, "Compiling a step".
"""

from ..tracing import CompileError
from .function import CompiledFunction, compile
from .program import Program

__all__ = ["compile", "CompiledFunction", "CompileError", "Program"]
