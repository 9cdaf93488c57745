"""Minibatches, with PyTorch's ``torch.utils.data`` names: ``TensorDataset`` and a
``DataLoader`` that shuffles with numpy's generator (``mg.manual_seed``, or ``generator``).

A batch is what PyTorch's default collation gives for samples that are tuples of tensors (or
single tensors): each field stacked along a new first axis. A ``TensorDataset`` is sliced
directly, in one indexing per field; any other dataset (``__len__`` and ``__getitem__``) is
read sample by sample and stacked."""

import numpy as np

from .. import creation
from ..ops import stack
from ..tensor import Tensor, tensor


class TensorDataset:
    """Samples ``(t1[i], t2[i], ...)`` of tensors sharing their first axis."""

    def __init__(self, *tensors):
        if not tensors or any(t.shape[:1] != tensors[0].shape[:1] for t in tensors):
            raise ValueError(f"TensorDataset: tensors must share their first axis, got shapes "
                             f"{[t.shape for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class DataLoader:
    """Batches of ``batch_size`` samples of ``dataset`` in order, or in a new random order each
    epoch with ``shuffle``; the last smaller batch is dropped with ``drop_last``."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None):
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last, self.generator = shuffle, drop_last, generator

    def __len__(self):
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self):
        n = len(self.dataset)
        generator = self.generator if self.generator is not None else \
            creation.default_generator()
        order = generator.permutation(n) if self.shuffle else np.arange(n)
        for batch in range(len(self)):
            yield self._batch(order[batch * self.batch_size:(batch + 1) * self.batch_size])

    def _batch(self, indices):
        if isinstance(self.dataset, TensorDataset):
            picked = tensor(indices, device=self.dataset.tensors[0].device)
            return list(self.dataset[picked])
        samples = [self.dataset[int(i)] for i in indices]
        if isinstance(samples[0], Tensor):
            return stack(samples)
        return [_collated(list(field)) for field in zip(*samples)]


def _collated(values):
    """Tensors stacked, numbers (a label) made into one tensor, as PyTorch's collation."""
    return stack(values) if isinstance(values[0], Tensor) else tensor(values)
