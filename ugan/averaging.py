"""Historical averaging (Salimans et al., 2016), the alternative to unrolling that the paper's
appendix compares with: each player's loss gains a penalty that pulls its parameters towards their
own average over all past iterations,

    penalty(theta_t) = weight * sum over parameters of || theta_t - (1/t) sum_{i=1..t} theta_i ||^2

whose gradient, 2 * weight * (theta_t - mean), damps the oscillations of alternating gradient
play. The average is updated after every iteration with mean_t = mean_{t-1} + (theta_t -
mean_{t-1}) / t, so it costs one copy of the parameters. Here the penalty is added to the
players' ordinary updates; with K > 0 the unrolled discriminator steps keep the plain loss."""

import minigrad as mg


class HistoricalAverage:
    def __init__(self, params, weight):
        if weight <= 0:
            raise ValueError(f"HistoricalAverage: weight must be positive, got {weight}")
        self.params, self.weight = list(params), weight
        self.means = [mg.tensor(p.data, device=p.device) for p in self.params]  # copies
        self.count = self._count_tensor(1)

    def _count_tensor(self, count):
        """The count as a float64 0-d tensor: state that a compiled step reads and replaces."""
        return mg.full((), count, dtype="float64", device=self.params[0].device)

    def penalty(self):
        """weight * sum_p ||p - mean_p||^2, differentiable in the parameters."""
        return self.weight * sum(((p - mean) ** 2).sum()
                                 for p, mean in zip(self.params, self.means))

    def update(self):
        """Fold the parameters' current values into the average (1/count in double precision,
        rounded once to the parameters' dtype)."""
        with mg.no_grad():
            self.count = self.count + 1
            self.means = [mean + (p.detach() - mean) * (1.0 / self.count).astype(p.dtype)
                          for p, mean in zip(self.params, self.means)]

    # -- as state of a compiled training step (minigrad.compile.state) ----------------------
    def traced_state(self):
        return {"count": self.count, **{str(i): mean for i, mean in enumerate(self.means)}}

    def load_traced_state(self, arrays):
        self.count = mg.Tensor(arrays["count"])
        self.means = [mg.Tensor(arrays[str(i)]) for i in range(len(self.means))]

    def traced_key(self):
        return (self.weight,)

    def state_arrays(self):
        return {str(position): mean.numpy() for position, mean in enumerate(self.means)}

    def load_state_arrays(self, arrays, count):
        if sorted(arrays, key=int) != [str(i) for i in range(len(self.params))]:
            raise ValueError(f"HistoricalAverage: expected {len(self.params)} averages, got "
                             f"{sorted(arrays)}")
        for i, p in enumerate(self.params):
            if tuple(arrays[str(i)].shape) != tuple(p.shape):
                raise ValueError(f"HistoricalAverage: average {i} has shape "
                                 f"{arrays[str(i)].shape}, its parameter {p.shape}")
        self.means = [mg.tensor(arrays[str(i)], dtype=p.dtype, device=p.device)
                      for i, p in enumerate(self.params)]
        self.count = self._count_tensor(count)
