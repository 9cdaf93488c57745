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
        self.means = [mg.tensor(p.array, device=p.device) for p in self.params]  # copies
        # The count as a float64 0-d tensor: state like the means, for compile and checkpoints.
        self.count = mg.full((), 1, dtype="float64", device=self.params[0].device)

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

    # -- the state protocol (minigrad.compile.state): compile and checkpoints -------------
    def state_tensors(self, gradients=False):
        return {"count": self.count, **{str(i): mean for i, mean in enumerate(self.means)}}

    def load_state_tensors(self, arrays):
        self.count = mg.Tensor(arrays["count"])
        self.means = [mg.Tensor(arrays[str(i)]) for i in range(len(self.means))]

    def state_key(self):
        return (self.weight,)
