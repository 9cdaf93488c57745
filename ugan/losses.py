"""The GAN objective f(theta_G, theta_D) of the paper (Eq. 4), on discriminator logits.

    f = E_x[log D(x)] + E_z[log(1 - D(G(z)))],   D = sigmoid(logit)

The discriminator maximises f, i.e. minimises  L_D = -f.  With  -log sigmoid(s) = softplus(-s)
and  -log(1 - sigmoid(s)) = softplus(s)  (softplus computed without overflow):

    L_D = mean softplus(-logit_real) + mean softplus(logit_fake)

The generator minimises f ("minimax", the paper's choice: a zero-sum game), or, as a common
alternative, the non-saturating  mean softplus(-logit_fake)."""

from minigrad.nn import functional as F

GENERATOR_LOSSES = ("minimax", "nonsaturating")


def discriminator_loss(logits_real, logits_fake):
    return F.softplus(-logits_real).mean() + F.softplus(logits_fake).mean()


def generator_loss(logits_real, logits_fake, kind="minimax"):
    if kind == "minimax":
        return -discriminator_loss(logits_real, logits_fake)
    if kind == "nonsaturating":
        return F.softplus(-logits_fake).mean()
    raise ValueError(f"generator_loss: kind must be one of {GENERATOR_LOSSES}, got {kind!r}")
