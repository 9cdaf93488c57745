"""The cost of the engine over raw numpy, measured in one run.

1. A chain of 100 small elementwise ops (vector of 1,000 float64): forward + backward.
2. A 3-layer MLP (784 -> 256 -> 256 -> 10, ReLU, mean squared error) at batch 512, float32:
   forward + backward.

Each is timed against the same computation written by hand in numpy: the forward pass keeping
what the backward needs, and the hand-derived backward; and each runs eagerly and compiled
(``minigrad.compile``: the recorded program replayed on raw arrays). The three contenders run
in one process, interleaved (``common.interleaved_ms``): in blocks of six calls (the first of
each not timed, so each finds its own data in the caches, as a training loop does) and one call
at a time (each finds the caches as another left them). The printed ratio is minigrad / numpy.
Goals (issue 34): the compiled chain within 1.2x of numpy (eagerly, the engine's bookkeeping of
100 small ops costs several times the arithmetic); the MLP step within 1.5x.
The MLP's minibatch enters through ``mg.as_tensor``, without a copy, as the numpy code uses it
in place (``mg.tensor`` would copy 1.6 MB per step).

    python benchmarks/engine_overhead.py
"""

import numpy as np

import minigrad as mg
from common import interleaved_ms, row

CHAIN_LENGTH = 100
ITERATIONS = 60  # timed calls of each contender, per way of interleaving
WAYS = {"blocks of 6": 6, "one at a time": 1}
GOALS = {"chain": ("compiled", 1.2), "MLP": ("minigrad", 1.5)}


def chain_gradient(x):
    """d/dx of sum(chain(x)) for a tensor x that requires grad."""
    y = x
    for i in range(CHAIN_LENGTH // 4):
        y = (y * 1.01 + 0.1).tanh() * y
    return mg.grad(y.sum(), x)[0]


def chain_minigrad(x_data):
    return chain_gradient(mg.tensor(x_data, requires_grad=True))


def chain_numpy(x):
    saved = []
    y = x
    for i in range(CHAIN_LENGTH // 4):
        t = np.tanh(y * 1.01 + 0.1)
        saved.append((y, t))
        y = t * y
    g = np.ones_like(y)
    for y_in, t in reversed(saved):
        g = g * t + g * y_in * (1 - t * t) * 1.01
    return g


def mlp_minigrad(params, x_data, target_data):
    return mlp_gradient(params, mg.as_tensor(x_data), mg.as_tensor(target_data))


def mlp_gradient(params, x, target):
    w1, b1, w2, b2, w3, b3 = params
    h = mg.nn.functional.linear(x, w1, b1).relu()
    h = mg.nn.functional.linear(h, w2, b2).relu()
    out = mg.nn.functional.linear(h, w3, b3)
    loss = ((out - target) ** 2).mean()
    return mg.grad(loss, params)


def mlp_numpy(params, x, target):
    w1, b1, w2, b2, w3, b3 = params
    a1 = x @ w1.T + b1
    h1 = np.maximum(a1, 0)
    a2 = h1 @ w2.T + b2
    h2 = np.maximum(a2, 0)
    out = h2 @ w3.T + b3
    g_out = 2.0 * (out - target) / out.size
    g_w3, g_b3 = g_out.T @ h2, g_out.sum(0)
    g_a2 = (g_out @ w3) * (a2 > 0)
    g_w2, g_b2 = g_a2.T @ h1, g_a2.sum(0)
    g_a1 = (g_a2 @ w2) * (a1 > 0)
    g_w1, g_b1 = g_a1.T @ x, g_a1.sum(0)
    return g_w1, g_b1, g_w2, g_b2, g_w3, g_b3


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000)
    x_tensor = mg.tensor(x, requires_grad=True)
    chain_compiled = mg.compile(chain_gradient)
    for gradient in (chain_minigrad(x), chain_compiled(x_tensor), chain_compiled(x_tensor)):
        np.testing.assert_allclose(gradient.numpy(), chain_numpy(x), rtol=1e-10)
    sizes = [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)]
    arrays = [(rng.standard_normal(s) * 0.05).astype(np.float32) for s in sizes]
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    batch = rng.standard_normal((512, 784)).astype(np.float32)
    target = rng.standard_normal((512, 10)).astype(np.float32)
    mlp_compiled = mg.compile(mlp_gradient)
    batch_tensor, target_tensor = mg.as_tensor(batch), mg.as_tensor(target)
    for _ in range(2):
        mlp_compiled(params, batch_tensor, target_tensor)
    for ours, theirs in zip(mlp_minigrad(params, batch, target), mlp_numpy(arrays, batch, target)):
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=2e-4, atol=1e-6)
    contenders = {
        "chain": {"numpy": lambda: chain_numpy(x), "minigrad": lambda: chain_minigrad(x),
                  "compiled": lambda: chain_compiled(x_tensor)},
        "MLP": {"numpy": lambda: mlp_numpy(arrays, batch, target),
                "minigrad": lambda: mlp_minigrad(params, batch, target),
                "compiled": lambda: mlp_compiled(params, batch_tensor, target_tensor)},
    }
    names = {"chain": f"chain of {CHAIN_LENGTH} elementwise ops", "MLP": "3-layer MLP, batch 512"}
    print("engine overhead over hand-written numpy (forward + backward; median ms per call, "
          "contenders interleaved in one process)")
    for way, block in WAYS.items():
        for case, functions in contenders.items():
            ms = interleaved_ms(functions, ITERATIONS, block=block)
            for contender, value in ms.items():
                baseline = None if contender == "numpy" else ms["numpy"] / 1e3
                print(row(f"{names[case]}, {way}: {contender}", value / 1e3, baseline))
            goal_contender, limit = GOALS[case]
            ratio = ms[goal_contender] / ms["numpy"]
            print(f"goal ({case} {goal_contender} within {limit}x of numpy, {way}): "
                  f"{'met' if ratio <= limit else 'NOT met'}")


if __name__ == "__main__":
    main()
