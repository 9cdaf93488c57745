"""Shape ops that change how elements are laid out, not which (``layout``: reshape, permute,
broadcast_to, sum_to_shape, astype, to). They sit below the elementwise ops, whose VJPs undo
broadcasting with ``unbroadcast``; picking elements (``x[key]``) is ``ops.indexing``, above them."""

from .layout import (Astype, BroadcastTo, Permute, Reshape, SumToShape, ToDevice, accepts_dim,
                     astype, broadcast_to, permute, reshape, sum_to_shape, to, transpose,
                     unbroadcast)
