"""PyTorch's names for re-shaping a tensor: ``view``, ``view_as``, ``squeeze``, ``unsqueeze``,
``flatten``, ``t``, ``narrow``, ``contiguous``. All are composites: each is ``reshape``,
``transpose`` or a basic slice, so their derivatives of every order are those primitives'.

Two differ from PyTorch by design. numpy arrays carry no "contiguous" requirement, so
``view`` is ``reshape`` (it copies where PyTorch's ``view`` would raise) and ``contiguous`` returns
the tensor itself.
"""

from .shape import getitem, reshape, transpose


def _axis(x, dim, ndim, op):
    """``dim`` (maybe negative) as an index into ``ndim`` axes, or a clear error."""
    if not -ndim <= dim < ndim:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {x.shape} "
                         f"(expected {-ndim} <= dim < {ndim})")
    return dim % ndim


def view(x, *shape):
    """``x.view(2, -1)``: ``reshape`` (a view of x's array when numpy can make one).
    Composite: ``reshape``."""
    return reshape(x, *shape)


def view_as(x, other):
    """x with ``other``'s shape.  Composite: ``reshape``."""
    return reshape(x, other.shape)


def squeeze(x, dim=None):
    """x without its size-1 axes, or without axis ``dim`` (an int or a tuple) where that axis has
    size 1 (as PyTorch, an axis of another size is kept).  Composite: ``reshape``."""
    if dim is None:
        drop = {axis for axis, n in enumerate(x.shape) if n == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        drop = {axis for axis in (_axis(x, d, max(x.ndim, 1), "squeeze") for d in dims)
                if axis < x.ndim and x.shape[axis] == 1}
    return reshape(x, tuple(n for axis, n in enumerate(x.shape) if axis not in drop))


def unsqueeze(x, dim):
    """x with a new axis of size 1 at position ``dim`` (-x.ndim - 1 <= dim <= x.ndim).
    Composite: ``reshape``."""
    axis = _axis(x, dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def flatten(x, start_dim=0, end_dim=-1):
    """x with axes ``start_dim`` to ``end_dim`` (inclusive) merged into one; a 0-d tensor becomes
    1-d, as in PyTorch.  Composite: ``reshape``."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start = _axis(x, start_dim, x.ndim, "flatten")
    end = _axis(x, end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for a "
                         f"tensor of shape {x.shape}")
    merged = 1
    for n in x.shape[start:end + 1]:
        merged *= n
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


def t(x):
    """The transpose of a matrix; a 0-d or 1-d tensor is returned as it is (PyTorch's ``t``).
    Composite: ``transpose``."""
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor of at most 2 dimensions, got shape {x.shape}; "
                         "use transpose(dim0, dim1) or permute")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def narrow(x, dim, start, length):
    """x[..., start:start + length, ...] along ``dim`` (``start`` may be negative).
    Composite: a basic ``getitem``."""
    axis = _axis(x, dim, x.ndim, "narrow")
    size = x.shape[axis]
    begin = start + size if start < 0 else start
    if not 0 <= begin <= size or length < 0 or begin + length > size:
        raise IndexError(f"narrow: start {start} and length {length} do not fit in dim {dim} "
                         f"of size {size} (tensor of shape {x.shape})")
    return getitem(x, (slice(None),) * axis + (slice(begin, begin + length),))


def contiguous(x):
    """x itself: numpy arrays need no contiguous copy before any op."""
    return x
