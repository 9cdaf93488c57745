"""Milliseconds per training iteration of the image experiments at their ``fashion`` presets
(stacked: both discriminator sizes; colour: both widths), minigrad compiled as ``python -m ugan``
runs it, against the same networks and the same unrolled iteration in PyTorch eager: functional
parameters (``torch.func.functional_call``), ``torch.autograd.grad(..., create_graph=True)``
through the same Adam math, D's loss on the real and the fake batch in separate passes (batch
norm), the generator's non-saturating loss at the unrolled discriminator.

The PyTorch networks are built from minigrad's, layer for layer, with minigrad's initial weights.
Their batch norm normalises by the batch's statistics and keeps no running statistics (minigrad's
D updates its running statistics in its own step only: two small moving averages per layer).
The minibatches are random arrays of the images' shape: the data's values do not change the
work. Both contenders run in this one process, interleaved, with the same number of threads, in
blocks of a few iterations and one at a time (``common.interleaved_ms``); ratios are to PyTorch
eager.

    python benchmarks/image_step.py [--ks 0 5] [--iterations 12] [--block 4] [--threads 1]
"""

import argparse
import collections
import sys
import tempfile

from common import interleaved_ms  # keeps freed memory, as `python -m ugan` does
from mixture_step import adam_math, set_threads

# (experiment, its option for the network size, the values timed)
CASES = [("stacked", "d_size", (0.25, 0.5)), ("colour", "width", (1.0, 0.25))]


def minigrad_trainer(experiment, option, value, unroll_steps):
    """The GANTrainer of the experiment's fashion preset at ``option=value`` and K."""
    from ugan.experiments import EXPERIMENTS
    from ugan.train import GANTrainer

    experiment_class = EXPERIMENTS[experiment]
    config = experiment_class.config_from("fashion", unroll_steps=unroll_steps, **{option: value})
    return GANTrainer(experiment_class(config), tempfile.mkdtemp(prefix="image_step-"))


def torch_twin(module):
    """A PyTorch module of ``module``'s structure (minigrad's paper networks), without weights."""
    from torch import nn

    name = type(module).__name__
    if name == "Sequential":
        return nn.Sequential(*[torch_twin(layer) for layer in module])
    if name in ("Conv2d", "ConvTranspose2d"):
        weight = module.weight.shape  # PyTorch's layouts: (out, in, ...) and (in, out, ...)
        channels = (weight[1], weight[0]) if name == "Conv2d" else (weight[0], weight[1])
        extra = {"output_padding": module.output_padding} if name == "ConvTranspose2d" else {}
        return getattr(nn, name)(*channels, tuple(weight[2:]), stride=module.stride,
                                 padding=module.padding, bias=module.bias is not None, **extra)
    if name == "BatchNorm2d":
        return nn.BatchNorm2d(module.num_features, eps=module.eps, track_running_stats=False)
    if name == "Linear":
        return nn.Linear(module.weight.shape[1], module.weight.shape[0],
                         bias=module.bias is not None)
    if name == "LeakyReLU":
        return nn.LeakyReLU(module.negative_slope)
    if name in ("ReLU", "Tanh", "Flatten"):
        return getattr(nn, name)()
    if name == "PaperConvGenerator":  # named as minigrad's, so that its weights load by name
        return nn.Sequential(collections.OrderedDict(
            project=torch_twin(module.project), unflatten=nn.Unflatten(1, module.start),
            net=torch_twin(module.net)))
    if name == "PaperConvDiscriminator":
        return nn.Sequential(collections.OrderedDict(net=torch_twin(module.net),
                                                     logits=nn.Flatten(0)))
    raise TypeError(f"image_step: no PyTorch twin for {name}")


def check_same_networks(gan, generator, discriminator, noise_dim):
    """The twins compute what minigrad's networks compute (batch statistics, float32)."""
    import numpy as np
    import torch

    import minigrad as mg

    z = np.random.default_rng(1).standard_normal((16, noise_dim)).astype(np.float32)
    with mg.no_grad(), torch.no_grad():
        ours = gan.generator(mg.tensor(z))
        images = [ours.numpy(), generator(torch.from_numpy(z)).numpy()]
        logits = [gan.discriminator(ours).numpy(),
                  discriminator(torch.from_numpy(images[0])).numpy()]
    for name, (a, b) in (("images", images), ("logits", logits)):
        if not np.allclose(a, b, rtol=1e-3, atol=1e-4):
            raise SystemExit(f"image_step: the PyTorch twin's {name} differ from minigrad's by "
                             f"up to {np.abs(a - b).max():.3g}")


def torch_iteration(trainer, unroll_steps, seed=0):
    """One iteration of ``trainer``'s experiment in PyTorch eager, from a copy of its weights."""
    import numpy as np
    import torch
    from torch.func import functional_call
    from torch.nn.functional import softplus

    gan, config = trainer.gan, trainer.config
    networks = []
    for ours in (gan.generator, gan.discriminator):
        theirs = torch_twin(ours)
        theirs.load_state_dict({name: torch.from_numpy(p.numpy().copy())
                                for name, p in ours.named_parameters()}, strict=False)
        networks.append(theirs)
    generator, discriminator = networks
    check_same_networks(gan, generator, discriminator, config.noise_dim)
    g_params, d_params = list(generator.parameters()), list(discriminator.parameters())
    d_names = [name for name, _ in discriminator.named_parameters()]
    g_state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in g_params]
    d_state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in d_params]
    rng, step = np.random.default_rng(seed), [0]
    n, shape = config.batch_size, trainer.experiment.image_shape

    def d_loss(params, real, fake):
        theta = dict(zip(d_names, params))
        return (softplus(-functional_call(discriminator, theta, (real,))).mean()
                + softplus(functional_call(discriminator, theta, (fake,))).mean())

    def apply_adam(params, grads, state, t, lr):
        with torch.no_grad():
            for p, g, s in zip(params, grads, state):
                new, s[0], s[1] = adam_math(p, g, s[0], s[1], t, lr=lr)
                p.copy_(new)

    def iteration():
        real = torch.from_numpy(rng.uniform(-1, 1, (n, *shape)).astype(np.float32))
        z = torch.from_numpy(rng.standard_normal((n, config.noise_dim)).astype(np.float32))
        step[0] += 1
        t = step[0]
        with torch.no_grad():
            fake = generator(z)
        grads = torch.autograd.grad(d_loss(d_params, real, fake), d_params)
        apply_adam(d_params, grads, d_state, t, config.d_lr)
        fake = generator(z)
        current, moments = list(d_params), [list(s) for s in d_state]
        for k in range(unroll_steps):
            grads = torch.autograd.grad(d_loss(current, real, fake), current, create_graph=True)
            for i, (p, g) in enumerate(zip(current, grads)):
                current[i], moments[i][0], moments[i][1] = adam_math(
                    p, g, moments[i][0], moments[i][1], t + k + 1, lr=config.d_lr)
        theta = dict(zip(d_names, current))
        g_loss = softplus(-functional_call(discriminator, theta, (fake,))).mean()
        apply_adam(g_params, torch.autograd.grad(g_loss, g_params), g_state, t, config.g_lr)

    return iteration


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[0, 5])
    parser.add_argument("--iterations", type=int, default=12,
                        help="timed iterations of each contender, each way")
    parser.add_argument("--block", type=int, default=4,
                        help="iterations in a row per contender in the block timing")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    try:
        import torch
    except ImportError:
        print("PyTorch is not importable (pip install torch==2.13.0): nothing to compare with")
        return 0
    torch.set_num_threads(args.threads)
    print(f"image experiments at their fashion presets, {args.threads} thread(s), median of "
          f"{args.iterations} timed iterations each way; ratios are to torch eager")
    for experiment, option, values in CASES:
        for value in values:
            for k in args.ks:
                trainer = minigrad_trainer(experiment, option, value, k)
                contenders = {"minigrad compiled": trainer.gan.train_step,
                              "torch eager": torch_iteration(trainer, k)}
                for block in (args.block, 1):
                    ms = interleaved_ms(contenders, args.iterations, block=block)
                    ratio = ms["minigrad compiled"] / ms["torch eager"]
                    print(f"{experiment} {option}={value} K={k:<2} "
                          f"{'blocks of ' + str(block) if block > 1 else 'one at a time'}: "
                          f"minigrad compiled {ms['minigrad compiled']:.1f} ms, torch eager "
                          f"{ms['torch eager']:.1f} ms ({ratio:.2f}x)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
