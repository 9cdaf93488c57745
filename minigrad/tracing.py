"""Whether a function is being traced for ``minigrad.compile``, and the refusals that follow.

While ``minigrad.compile`` traces a function, every primitive that runs is recorded as one line of
a program (``minigrad.compile.tracer``). Some things cannot be recorded that way: reading a
tensor's values into Python (its value would decide control flow once, at trace time, and never
again), drawing random numbers (a replay would repeat the trace's numbers), wrapping an array made
outside the traced function (it would be frozen into the program). The modules that offer those
things call :func:`refuse` first, which raises while a trace is running and does nothing
otherwise. This module sits below ``tensor`` so that every layer can ask. The running tracer is
context-local: a trace in one thread does not record another thread's ops.
"""

import contextvars


class CompileError(RuntimeError):
    """A traced function did something a replayed program cannot do faithfully."""


_tracer = contextvars.ContextVar("minigrad_tracer", default=None)


def active_tracer():
    """The running tracer, or None outside ``minigrad.compile``'s trace."""
    return _tracer.get()


def set_tracer(tracer):
    """Install ``tracer`` (None to stop tracing) in this context; returns the one it replaces."""
    previous = _tracer.get()
    _tracer.set(tracer)
    return previous


def refuse(construct, advice):
    """Raise :class:`CompileError` if a trace is running: ``construct`` cannot be replayed."""
    if _tracer.get() is not None:
        raise CompileError(f"minigrad.compile: {construct} inside a compiled function cannot be "
                           f"replayed: {advice}")
