"""Shape ops: ``layout`` (reshape, permute, broadcast_to, sum_to_shape, astype, to) and
``indexing`` (x[key] and its scatters, concatenate, stack). No VJP here leaves the family."""

from .indexing import (Concatenate, GetItem, IndexAdd, IndexPut, Take, concatenate, getitem,
                       stack)
from .layout import (Astype, BroadcastTo, Permute, Reshape, SumToShape, ToDevice, accepts_dim,
                     astype, broadcast_to, permute, reshape, sum_to_shape, to, transpose,
                     unbroadcast)
