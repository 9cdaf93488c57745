"""Forward + backward time of convolutional GAN networks, minigrad vs PyTorch (if importable),
in one run, with the same shapes, float32 and the same number of threads.

* The discriminator of the paper's MNIST experiments: three stride-2 convolutions with 16, 32
  and 32 channels (kernel 3, padding 1), batch norm, leaky ReLU 0.3, then a linear logit; batch
  64 of 28x28 images.
* A transposed-convolution generator in the style of the paper's convolutional GANs, at reduced
  width: z (64) -> linear 7x7x64 -> batch norm, ReLU -> ConvTranspose(64->32, k4, s2, p1)
  -> 14x14, batch norm, ReLU -> ConvTranspose(32->1, k4, s2, p1) -> 28x28, tanh; batch 64.

Goal: within 2x of PyTorch's CPU time.      python benchmarks/conv.py [--threads 1] [--iterations 20]

Both run in this one process, interleaved (``common.interleaved_ms``): in blocks of six calls
(the first of each not timed) and one call at a time; the median of each.

``import minigrad`` keeps freed memory in the process (``minigrad.allocator``; it applies to
the PyTorch models in this process too). ``MINIGRAD_KEEP_FREED_MEMORY=0`` shows minigrad
without it: each step then page-faults its arrays back in, and the discriminator takes ~2x.
"""

import argparse
import os
import sys

import numpy as np

from common import interleaved_ms, row

BATCH = 64


def paper_discriminator(nn):
    """The MNIST discriminator, built from either framework's ``nn`` (the names are the same)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.LeakyReLU(0.3),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.LeakyReLU(0.3),
        nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.LeakyReLU(0.3),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 1))


def minigrad_models():
    from minigrad import nn

    return paper_discriminator(nn), GeneratorMG(nn)


class GeneratorMG:
    """The generator in minigrad (which has no Unflatten module: the reshape is done here)."""

    def __init__(self, nn):
        self.linear = nn.Linear(64, 7 * 7 * 64)
        self.body = nn.Sequential(
            nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh())

    def __call__(self, z):
        return self.body(self.linear(z).reshape(-1, 64, 7, 7))

    def parameters(self):
        return [*self.linear.parameters(), *self.body.parameters()]


def torch_models():
    from torch import nn

    generator = nn.Sequential(
        nn.Linear(64, 7 * 7 * 64), nn.Unflatten(1, (64, 7, 7)), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh())
    return paper_discriminator(nn), generator


def step_minigrad(model, inputs):
    import minigrad as mg

    params = model.parameters()
    out = model(mg.as_tensor(inputs))
    return mg.grad((out * out).mean(), params)


def step_torch(model, inputs):
    import torch

    out = model(torch.from_numpy(inputs))
    return torch.autograd.grad((out * out).mean(), list(model.parameters()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
        os.environ.update(OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
        os.execv(sys.executable, [sys.executable] + sys.argv)  # BLAS reads it at import time
    rng = np.random.default_rng(0)
    images = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    noise = rng.standard_normal((BATCH, 64)).astype(np.float32)
    d_mg, g_mg = minigrad_models()
    cases = [("discriminator (3 stride-2 convs, BN)", d_mg, images),
             ("generator (2 transposed convs, BN)", g_mg, noise)]
    try:
        import torch

        torch.set_num_threads(args.threads)
        d_torch, g_torch = torch_models()
        theirs = {cases[0][0]: d_torch, cases[1][0]: g_torch}
    except ImportError:
        theirs = {}
        print("PyTorch is not importable: timing minigrad alone", file=sys.stderr)
    print(f"forward + backward, batch {BATCH}, float32, {args.threads} thread(s), median of "
          f"{args.iterations} calls, interleaved in blocks of 6 / one at a time")
    for name, model, inputs in cases:
        contenders = {"minigrad": lambda: step_minigrad(model, inputs)}
        if name in theirs:
            contenders["torch"] = lambda: step_torch(theirs[name], inputs)
        for way, block in (("blocks", 6), ("one at a time", 1)):
            ms = interleaved_ms(contenders, args.iterations, block=block)
            reference = ms.get("torch")
            for contender, value in ms.items():
                print(row(f"{name}, {way}: {contender}", value / 1e3,
                          reference / 1e3 if reference and contender != "torch" else None))


if __name__ == "__main__":
    main()
