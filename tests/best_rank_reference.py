"""Table 1's best-rank shares the slow, obvious way, to check ``ugan.metrics.reconstruction``'s
closed form against."""

import itertools

import numpy as np


def all_pairings(errors):
    """share(c) of each configuration of ``errors`` ({configuration: (runs, n) or (n,)}) by
    enumerating every choice of one run per configuration and averaging the shares of images
    each wins (an exact tie split equally)."""
    table = [np.atleast_2d(e) for e in errors.values()]
    total, count = np.zeros(len(table)), 0
    for runs in itertools.product(*(range(len(t)) for t in table)):
        stacked = np.stack([t[r] for t, r in zip(table, runs)])
        best = stacked == stacked.min(axis=0)
        total += (best / best.sum(axis=0)).mean(axis=1)
        count += 1
    return dict(zip(errors, total / count))
