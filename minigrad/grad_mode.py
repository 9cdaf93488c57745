"""Whether operations are recorded in the graph: ``no_grad`` and ``enable_grad``.

The reverse sweep turns recording off while it runs a VJP, unless ``create_graph=True`` asks for
the backward pass itself to be recorded (that is how gradients of gradients are made)."""

import functools

_enabled = True


def is_grad_enabled():
    return _enabled


class _GradMode:
    """A context manager (and decorator) that sets recording on or off, and restores it after."""

    def __init__(self, enabled):
        self._enabled = enabled
        self._saved = []

    def __enter__(self):
        global _enabled
        self._saved.append(_enabled)
        _enabled = self._enabled
        return self

    def __exit__(self, *exc_info):
        global _enabled
        _enabled = self._saved.pop()
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            with _GradMode(self._enabled):
                return function(*args, **kwargs)

        return wrapped


def no_grad(function=None):
    """``with no_grad():`` runs its block without recording anything in the graph;
    ``@no_grad()`` and, as in PyTorch, ``@no_grad`` run a function so."""
    mode = _GradMode(False)
    return mode if function is None else mode(function)


def enable_grad(function=None):
    """``with enable_grad():`` records again inside a ``no_grad`` block (a decorator too)."""
    mode = _GradMode(True)
    return mode if function is None else mode(function)


def inference_mode(mode=True):
    """PyTorch's ``inference_mode``: here :func:`no_grad` (``mode=False``: recording on), with
    none of PyTorch's inference tensors; a decorator with or without parentheses too."""
    if callable(mode):
        return no_grad(mode)
    return _GradMode(not mode)


def set_grad_enabled(enabled):
    """``with set_grad_enabled(flag):`` records if and only if ``flag``."""
    return _GradMode(bool(enabled))
