"""PyTorch's names for re-shaping a tensor: ``view``, ``view_as``, ``squeeze``, ``unsqueeze``,
``flatten``, ``t``, ``narrow``, ``contiguous``, ``expand``, ``repeat``, ``flip``, ``chunk``,
``split``, ``unbind``. All are composites: each is ``reshape``, ``transpose``, ``broadcast_to``
or a basic slice, so their derivatives of every order are those primitives'.

Two differ from PyTorch by design. numpy arrays carry no "contiguous" requirement, so
``view`` is ``reshape`` (it copies where PyTorch's ``view`` would raise) and ``contiguous`` returns
the tensor itself.
"""

from .indexing import getitem
from .shape import broadcast_to, reshape, transpose


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


def _sizes(sizes):
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) \
        else tuple(sizes)


def expand(x, *sizes):
    """x broadcast to ``sizes`` (``x.expand(4, -1)``: -1 keeps x's size on that axis; new axes
    go in front).  Composite: ``broadcast_to``; dx = g summed back to x's shape."""
    sizes = _sizes(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes for a tensor of shape {x.shape}; give at "
                         "least one per axis")
    kept = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    if -1 in kept[:lead]:
        raise ValueError(f"expand: -1 is not allowed for a new leading axis, got {sizes}")
    return broadcast_to(x, kept)


def repeat(x, *repeats):
    """x tiled ``repeats[i]`` times along axis i (PyTorch's ``repeat``, numpy's ``tile``;
    extra repeats add leading axes).  Composite: reshape to (1, n) per axis, ``broadcast_to``
    (r, n), reshape to r * n; dx = g summed over the copies."""
    repeats = _sizes(repeats)
    if len(repeats) < x.ndim:
        raise ValueError(f"repeat: {len(repeats)} repeats for a tensor of shape {x.shape}; give "
                         "at least one per axis")
    shape = (1,) * (len(repeats) - x.ndim) + x.shape
    spread = reshape(x, tuple(v for n in shape for v in (1, n)))
    tiled = broadcast_to(spread, tuple(v for r, n in zip(repeats, shape) for v in (r, n)))
    return reshape(tiled, tuple(r * n for r, n in zip(repeats, shape)))


def flip(x, dims):
    """x with the order of its elements reversed along ``dims`` (an int or a tuple).
    Composite: a basic ``getitem`` with step -1; dx = g flipped back."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = {_axis(x, d, x.ndim, "flip") for d in dims}
    return getitem(x, tuple(slice(None, None, -1) if a in axes else slice(None)
                            for a in range(x.ndim)))


def split(x, split_size_or_sections, dim=0):
    """Pieces of x along ``dim``: of ``split_size`` each (the last smaller), or of the sizes in
    a list (which must add up to the axis).  Composite: ``narrow``."""
    axis = _axis(x, dim, x.ndim, "split")
    size = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sections = [min(step, size - start) for start in range(0, size, step)]
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != size:
            raise ValueError(f"split: sections {sections} add up to {sum(sections)}, but dim "
                             f"{dim} has size {size} (tensor of shape {x.shape})")
    starts = [sum(sections[:i]) for i in range(len(sections))]
    return tuple(narrow(x, axis, start, n) for start, n in zip(starts, sections))


def chunk(x, chunks, dim=0):
    """x cut into ``chunks`` pieces along ``dim`` of ceil(size / chunks) each (the last may be
    smaller, and there may be fewer, as in PyTorch).  Composite: :func:`split`."""
    size = x.shape[_axis(x, dim, x.ndim, "chunk")]
    return split(x, max(-(-size // chunks), 1), dim)


def unbind(x, dim=0):
    """The slices of x along ``dim``, each without that axis.  Composite: a basic ``getitem``."""
    axis = _axis(x, dim, x.ndim, "unbind")
    return tuple(getitem(x, (slice(None),) * axis + (i,)) for i in range(x.shape[axis]))
