"""The fully connected networks of the paper's Appendix A (the 2-D mixture experiment)."""

from minigrad import nn


class MixtureGenerator(nn.Module):
    """z ~ N(0, I_noise_dim) -> hidden ReLU -> hidden ReLU -> 2, every weight orthogonal with
    gain ``init_gain`` (0.8 in the paper), biases zero."""

    def __init__(self, noise_dim=256, hidden=128, init_gain=0.8, dtype="float32"):
        super().__init__()
        self.noise_dim = noise_dim
        self.net = nn.Sequential(nn.Linear(noise_dim, hidden, dtype=dtype), nn.ReLU(),
                                 nn.Linear(hidden, hidden, dtype=dtype), nn.ReLU(),
                                 nn.Linear(hidden, 2, dtype=dtype))
        _orthogonal(self, init_gain)

    def forward(self, z):
        return self.net(z)


class MixtureDiscriminator(nn.Module):
    """x / input_scale -> hidden ReLU -> 1 logit. Dividing by 4 brings the ring (radius 2) to
    roughly [-1, 1], as in the paper."""

    def __init__(self, hidden=128, input_scale=4.0, init_gain=0.8, dtype="float32"):
        super().__init__()
        self.input_scale = input_scale
        self.net = nn.Sequential(nn.Linear(2, hidden, dtype=dtype), nn.ReLU(),
                                 nn.Linear(hidden, 1, dtype=dtype))
        _orthogonal(self, init_gain)

    def forward(self, x):
        return self.net(x * (1.0 / self.input_scale)).reshape(-1)


def _orthogonal(module, gain):
    for name, p in module.named_parameters():
        if name.endswith("weight"):
            nn.init.orthogonal_(p, gain=gain)
        else:
            nn.init.zeros_(p)
