"""The unrolled surrogate objective f_K (paper Sec. 2.2-2.4).

    theta_D^0 = theta_D,   theta_D^{k+1} = theta_D^k + eta^k df(theta_G, theta_D^k)/dtheta_D^k
                                                    (Eq. 6-7; their limit is theta_D^*, Eq. 8)
    f_K(theta_G, theta_D) = f(theta_G, theta_D^K(theta_G, theta_D))                  (Eq. 9)

Here each step k is one Adam update of the discriminator's loss (``adam_update``), starting from
the discriminator's current parameters *and its Adam state*. Because every update is recorded
(``create_graph=True``), theta_D^K is a differentiable function of theta_G, and the generator's
gradient of f_K has two terms (Eq. 12):

    df_K/dtheta_G = df/dtheta_G (theta_D^K held fixed)
                    + df/dtheta_D^K * dtheta_D^K/dtheta_G      <- the "missing gradient term"

K = 0 is the standard GAN. ``second_order=False`` computes theta_D^K without recording the
updates, so theta_D^K is a constant and only the first term remains: the "stop gradient" ablation
of the ICLR version's Appendix B, "effect of the second gradient". Sec. 2.3 makes the same
point about K discriminator steps per generator step: that trains the generator on the first term
alone. The discriminator's own parameters and optimizer state are never changed.

The same appendix's other stop-gradient variant takes "the average of the K unrolled steps
instead of the final value" (``objective="average"``, ``--unroll-objective average``):

    f_K^avg(theta_G, theta_D) = (1/K) sum_{k=1..K} f(theta_G, theta_D^k(theta_G, theta_D))

the mean of the generator's loss at each of the K unrolled discriminators theta_D^1 .. theta_D^K
(theta_D^0, the current one, is not among them). K = 1 gives f_1 exactly; K = 0, where no step
is unrolled, gives the standard GAN's f like ``final``. With the second gradient on, each term
is differentiated through its own k updates (the same Eq. 12 split per term): the paper ran the
average only with the stop gradient, but the mean is as well defined with it, so it is allowed.

Batch norm in D (the paper's discriminators have it after every layer): D sees the real and the
fake batch in separate passes, as DCGAN implementations do, each normalised by its own batch
statistics, and f_K differentiates through those statistics in every unrolled step. Its running
statistics are moved only by D's own training step (``discriminator_logits`` with D's own
parameters: twice, once per batch); the unrolled copies and the final evaluation of f run with
them left out, so computing f_K leaves them as they were.
"""

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional_call
from minigrad.optim import adam_update

from ugan.losses import discriminator_loss, generator_loss


def discriminator_logits(discriminator, params, real, fake):
    """D's logits on the real and on the fake batch: a pass for each if D has batch norm (whose
    batch statistics would otherwise mix the two batches), else one pass over both (half the
    ops of two; nothing else in D mixes samples within a batch)."""
    if any(isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) for m in discriminator.modules()):
        return (functional_call(discriminator, params, real),
                functional_call(discriminator, params, fake))
    logits = functional_call(discriminator, params, mg.concatenate([real, fake]))
    return logits[:real.shape[0]], logits[real.shape[0]:]


def untracked_statistics(discriminator):
    """None for the running statistics of each batch norm layer in training mode, to add to the
    parameters given to ``functional_call``: the layer then normalises by its batch's
    statistics and updates nothing. (In eval mode it reads them and updates nothing anyway.)"""
    return {prefix + name: None for prefix, m in discriminator.named_modules()
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.training
            for name in ("running_mean", "running_var")}


UNROLL_OBJECTIVES = ("final", "average")


def unrolled_discriminators(discriminator, d_optimizer, real, fake, unroll_steps,
                            second_order=True, batches=None):
    """[theta_D^1, ..., theta_D^K], each a dict name -> tensor: the discriminator after each of K
    differentiable Adam steps from the current parameters and Adam state of
    ``discriminator``.

    ``batches(k)``, if given, returns the (real, fake) minibatch of step k (resampled
    minibatches); otherwise every step uses (real, fake). With ``second_order=False`` the steps
    are not recorded and every theta_D^k is a constant."""
    names, params = zip(*discriminator.named_parameters())
    untracked = untracked_statistics(discriminator)
    states = [d_optimizer.state_view(p) for p in params]
    current = list(params)
    moments = [(state.m, state.v) for state in states]
    thetas = []
    for k in range(unroll_steps):
        real_k, fake_k = batches(k) if batches is not None else (real, fake)
        if not second_order:  # a fresh constant copy: nothing recorded leads back to theta_G
            current = [p.detach().requires_grad_() for p in current]
            fake_k = fake_k.detach()
        theta = {**untracked, **dict(zip(names, current))}
        loss = discriminator_loss(*discriminator_logits(discriminator, theta, real_k, fake_k))
        grads = mg.grad(loss, current, create_graph=second_order)
        with mg.set_grad_enabled(second_order):
            for position, (g, state) in enumerate(zip(grads, states)):
                m, v = moments[position]
                current[position], m, v = adam_update(
                    current[position], g, m, v, state.step + (k + 1), lr=state.lr,
                    betas=state.betas, eps=state.eps)
                moments[position] = (m, v)
        thetas.append(dict(zip(names, current if second_order
                               else [p.detach() for p in current])))
    return thetas


def surrogate_loss(generator, discriminator, d_optimizer, real, z, unroll_steps,
                   second_order=True, loss_kind="minimax", batches=None, objective="final"):
    """f_K for the generator: the generator's loss evaluated at theta_D^K (Eq. 9); with
    ``objective="average"``, its mean over theta_D^1 .. theta_D^K (see the module docstring)."""
    if objective not in UNROLL_OBJECTIVES:
        raise ValueError(f"surrogate_loss: objective must be one of {UNROLL_OBJECTIVES}, got "
                         f"{objective!r}")
    fake = generator(z)
    if unroll_steps == 0:
        thetas = [dict(discriminator.named_parameters())]
    else:
        thetas = unrolled_discriminators(discriminator, d_optimizer, real, fake, unroll_steps,
                                         second_order, batches)
    if objective == "final":
        thetas = thetas[-1:]
    untracked = untracked_statistics(discriminator)
    losses = [generator_loss(*discriminator_logits(discriminator, {**untracked, **theta}, real,
                                                   fake), loss_kind)
              for theta in thetas]
    return losses[0] if len(losses) == 1 else sum(losses[1:], losses[0]) / len(losses)
