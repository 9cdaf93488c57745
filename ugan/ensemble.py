"""An ensemble of past discriminators in the generator's loss: the "historical" comparison of
the ICLR version's Appendix B ("mixture of Gaussians experiments: effect of time delay /
historical averaging").

What the appendix says (read in the stemmed copy, ``../shared/paper``): inspired by the
historical averaging of Salimans et al., it takes "an ensemble of discriminators over time",
first "the ensemble of the last N steps" (its figure: rows for the number of immediately
preceding discriminators in the ensemble, columns for training steps), and finds that this
"does not visibly increase stability" on the ring. It then replaces the ensemble's
discriminators with "different periods": a sampling rate of n keeps one discriminator every n
steps (its figure: an ensemble of 10, the y axis the number of steps skipped between the
discriminators selected). The longer the delay, the less stable the model: a stale
discriminator is a fixed loss surface, accurate only where it was trained, which the generator
exploits while no newer discriminator compensates, and the system diverges.

Here, with N slots (``--ensemble-size``) and a period n (``--ensemble-every``; ``last`` is
n = 1), after the discriminator's own step of iteration t (t = 0, 1, ...) its parameters are
pushed into the ensemble when t % n == 0, the oldest dropping out once N are held. The
generator's loss is then the mean of f over the m members held (m = min(N, pushes so far)),

    L_G = sum_{i<N} w_i f(theta_G, theta_D^(i)),   w_i = 1/m for the m members held, else 0

in place of f(theta_G, theta_D) (K = 0: the ensemble replaces unrolling). An ensemble of 1 with
n = 1 holds the current discriminator only: the plain GAN loss, bit for bit. The weights are
an input of the compiled iteration (they change as the ensemble fills) and whether to push is
a Python value baked into its program (two programs, each traced once). The snapshots are the
ensemble's state (``state_tensors``, minigrad's one state protocol), for ``minigrad.compile``
and for the checkpoint (``ugan.checkpoint.CheckpointLayout``). Batch norm's running statistics are not
kept: the members run in training mode on their own batch statistics, as f_K does.
"""

import numpy as np

import minigrad as mg

from ugan.losses import generator_loss
from ugan.unroll import discriminator_logits, untracked_statistics

D_ENSEMBLES = ("none", "last", "every")


class DiscriminatorEnsemble:
    """N snapshots of ``discriminator``'s parameters (the module docstring's ensemble), pushed
    every ``every`` iterations. Every slot takes part in the loss, an unfilled one at weight 0,
    so that the compiled iteration keeps one shape while the ensemble fills."""

    def __init__(self, discriminator, size, every):
        if size < 1 or every < 1:
            raise ValueError(f"DiscriminatorEnsemble: size and every must be >= 1, got size="
                             f"{size}, every={every}")
        self.discriminator, self.size, self.every = discriminator, size, every
        self.names = [name for name, _ in discriminator.named_parameters()]
        # Until filled, a slot holds a copy of the initial parameters at weight 0.
        self.slots = [self._copies() for _ in range(size)]

    def _copies(self):
        """New tensors holding the discriminator's parameters now (``* 1.0`` is an op, so that
        a slot never shares an array with a parameter, traced or not)."""
        with mg.no_grad():
            return [p.detach() * 1.0 for p in self.discriminator.parameters()]

    def pushes_at(self, step):
        """Whether iteration ``step`` (0-based) pushes the discriminator into the ensemble."""
        return step % self.every == 0

    def weights(self, step, dtype, device):
        """The members' weights w_i in iteration ``step``, after its push (a tensor of N)."""
        held = min(self.size, step // self.every + 1)
        weights = np.zeros(self.size, dtype=dtype)
        weights[:held] = 1.0 / held
        return mg.as_tensor(weights, device=device)

    def push(self):
        """The discriminator's parameters become the newest member; the oldest drops out."""
        self.slots = [self._copies()] + self.slots[:-1]

    def loss(self, real, fake, weights, loss_kind):
        """sum_i w_i f(theta_G, theta_D^(i)), differentiable in ``fake``."""
        untracked = untracked_statistics(self.discriminator)
        total = None
        for i, slot in enumerate(self.slots):
            theta = {**untracked, **dict(zip(self.names, slot))}
            term = weights[i] * generator_loss(
                *discriminator_logits(self.discriminator, theta, real, fake), loss_kind)
            total = term if total is None else total + term
        return total

    # -- the state protocol (minigrad.compile.state): compile and checkpoints -------------
    def state_tensors(self, gradients=False):
        return {f"{i}/{j}": p for i, slot in enumerate(self.slots) for j, p in enumerate(slot)}

    def load_state_tensors(self, arrays):
        self.slots = [[mg.Tensor(arrays[f"{i}/{j}"]) for j in range(len(slot))]
                      for i, slot in enumerate(self.slots)]

    def state_key(self):
        return (self.size, self.every)
