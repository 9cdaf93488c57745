"""One iteration of the unrolled GAN (paper Sec. 2.3, Eq. 10-12), with Adam for both players:

    real batch x, noise batch z  ->  one discriminator step: Adam on L_D = -f(theta_G, theta_D)
                                     (Eq. 11)
                                 ->  one generator step: Adam on the surrogate
                                     f_K(theta_G, theta_D) = f(theta_G, theta_D^K(theta_G,
                                     theta_D)) (Eq. 10), theta_D^K from K differentiable Adam
                                     steps of D (Eq. 12; ``ugan.unroll``)

With ``g_steps_per_d`` n > 1 (the appendix's lagging discriminator) the discriminator's step is
followed by n generator steps, each on its own minibatch; the generator's Adam then takes n
steps per iteration. With a discriminator ensemble (``ugan.ensemble``) the generator's loss is
taken on past discriminators instead of f_K. Historical averages (``ugan.averaging``) are
updated once per iteration.

:class:`UnrolledGAN` holds everything an iteration reads and changes: the two networks, their
optimizers, the averages and ensembles, the random generator every minibatch is drawn from and
the iteration count. What a run does around the iterations (checkpoints, evaluations, signals,
the progress bar) is ``ugan.train.GANTrainer``'s.
"""


import numpy as np

import minigrad as mg
from minigrad.optim import Adam

from ugan.averaging import HistoricalAverage
from ugan.ensemble import DiscriminatorEnsemble
from ugan.losses import discriminator_loss
from ugan.unroll import discriminator_logits, surrogate_loss


class UnrolledGAN:
    """The players of one run of ``experiment`` and their training state, at iteration
    ``step`` (0 when made): ``generator`` and ``discriminator`` (built by the experiment on the
    config's device, initialised from its seed), their Adam optimizers ``g_optimizer`` and
    ``d_optimizer``, the historical ``averages`` and discriminator ``ensembles`` by player ("G",
    "D"; empty when off) and ``rng``, the numpy Generator of every minibatch. Each call of
    :meth:`train_step` runs one iteration, compiled unless the config says otherwise."""

    def __init__(self, experiment):
        self.experiment = experiment
        self.config = config = experiment.config
        # the models' device and initial weights, for this thread only: several runs may build
        # theirs at once, each in its own thread
        with mg.local_defaults(device=config.device, seed=config.seed):
            self.generator, self.discriminator = experiment.build_models()
        betas = (config.beta1, config.beta2)
        self.g_optimizer = Adam(self.generator.parameters(), lr=config.g_lr, betas=betas,
                                eps=config.adam_eps)
        self.d_optimizer = Adam(self.discriminator.parameters(), lr=config.d_lr, betas=betas,
                                eps=config.adam_eps)
        self.averages = {}
        if config.historical_averaging:
            self.averages = {prefix: HistoricalAverage(module.parameters(),
                                                       config.historical_averaging)
                             for prefix, module in (("G", self.generator),
                                                    ("D", self.discriminator))}
        self.ensembles = {}
        if config.d_ensemble != "none":
            self.ensembles = {"D": DiscriminatorEnsemble(self.discriminator, config.ensemble_size,
                                                         config.ensemble_every)}
        self.rng = np.random.default_rng(config.seed)
        self.step = 0
        state = [self.generator, self.discriminator, self.g_optimizer, self.d_optimizer,
                 *self.averages.values(), *self.ensembles.values()]
        self.compiled = mg.compile(self.iteration, state=state) if config.compile \
            else self.iteration

    def train_step(self):
        """One iteration; returns (D's loss, the last generator step's loss) as floats."""
        d_loss, g_loss = self.compiled(self.batches(), **self.ensemble_inputs())
        self.step += 1
        return float(d_loss.item()), float(g_loss.item())

    # -- the inputs of an iteration -----------------------------------------------------------
    def batch(self):
        """A (real, noise) minibatch drawn from ``rng``, on the config's device."""
        experiment, n, device = self.experiment, self.config.batch_size, self.config.device
        real = mg.as_tensor(experiment.sample_real(self.rng, n), device=device)
        noise = mg.as_tensor(experiment.sample_noise(self.rng, n), device=device)
        return real, noise

    def batches(self):
        """Per generator step, its (real, noise) minibatch, then, with resampled unrolling, one
        more per unrolled step; the discriminator's step takes the first. Drawn before the
        iteration, so that a compiled iteration takes them as inputs (the same draws, in the
        same order, as drawing each when it is needed)."""
        extra = self.config.unroll_steps if self.config.resample_unroll else 0
        return [self.batch() for _ in range((1 + extra) * self.config.g_steps_per_d)]

    def ensemble_inputs(self):
        """With an ensemble: its weights in this iteration (an input) and whether the iteration
        pushes the discriminator into it (baked into the program)."""
        if not self.ensembles:
            return {}
        ensemble = self.ensembles["D"]
        return {"weights": ensemble.weights(self.step, self.config.dtype, self.config.device),
                "push": ensemble.pushes_at(self.step)}

    # -- the iteration ------------------------------------------------------------------------
    def iteration(self, batches, weights=None, push=False):
        """One discriminator step and ``g_steps_per_d`` generator steps, from the minibatches of
        :meth:`batches` (and, with an ensemble, the inputs of :meth:`ensemble_inputs`);
        returns D's loss and the last generator step's loss as tensors."""
        real, noise = batches[0]
        with mg.no_grad():
            fake = self.generator(noise)
        self.d_optimizer.zero_grad()
        own = dict(self.discriminator.named_parameters())
        d_loss = discriminator_loss(*discriminator_logits(self.discriminator, own, real, fake))
        self.with_penalty("D", d_loss).backward()
        self.d_optimizer.step()
        if push:
            self.ensembles["D"].push()
        per_step = len(batches) // self.config.g_steps_per_d
        for first in range(0, len(batches), per_step):
            g_loss = self.generator_step(batches[first:first + per_step], weights)
        for average in self.averages.values():
            average.update()
        return d_loss, g_loss

    def generator_step(self, batches, weights):
        """One Adam step of the generator on f_K (or on the ensemble's loss), from its
        minibatch and those of its unrolled steps; returns the loss."""
        config = self.config
        (real, noise), resampled = batches[0], batches[1:]

        def unrolled_batch(k):
            real_k, noise_k = resampled[k]
            return real_k, self.generator(noise_k)

        if self.ensembles:
            g_loss = self.ensembles["D"].loss(real, self.generator(noise), weights,
                                              config.generator_loss)
        else:
            g_loss = surrogate_loss(self.generator, self.discriminator, self.d_optimizer, real,
                                    noise, config.unroll_steps, config.second_order,
                                    config.generator_loss, unrolled_batch if resampled else None,
                                    config.unroll_objective)
        params = list(self.generator.parameters())
        for p, g in zip(params, mg.grad(self.with_penalty("G", g_loss), params)):
            p.grad = g
        self.g_optimizer.step()
        return g_loss

    def with_penalty(self, player, loss):
        """The player's loss, plus the historical-averaging penalty when that is switched on."""
        return loss + self.averages[player].penalty() if self.averages else loss
