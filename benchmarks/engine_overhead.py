"""The cost of the engine over raw numpy, measured in one run.

1. A chain of 100 small elementwise ops (vector of 1,000 float64): forward + backward.
2. A 3-layer MLP (784 -> 256 -> 256 -> 10, ReLU, mean squared error) at batch 512, float32:
   forward + backward.

Each is timed against the same computation written by hand in numpy: the forward pass keeping
what the backward needs, and the hand-derived backward; and each runs eagerly and compiled
(``minigrad.compile``: the recorded program replayed on raw arrays). The printed ratio is
minigrad / numpy. Goals: the compiled chain within 1.5x of numpy (eagerly, the engine's
bookkeeping of 100 small ops costs several times the arithmetic).
The MLP's minibatch enters through ``mg.as_tensor``, without a copy, as the numpy code uses it
in place (``mg.tensor`` would copy 1.6 MB per step, and with it the ratio rises to about 1.6x).
Goal: the MLP step within 1.5x of hand-written numpy.

    python benchmarks/engine_overhead.py
"""

import numpy as np

import minigrad as mg
from common import best_time, row

CHAIN_LENGTH = 100


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
    chain_np = best_time(lambda: chain_numpy(x))
    chain_mg = best_time(lambda: chain_minigrad(x))
    chain_c = best_time(lambda: chain_compiled(x_tensor))

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
    mlp_np = best_time(lambda: mlp_numpy(arrays, batch, target))
    mlp_mg = best_time(lambda: mlp_minigrad(params, batch, target))
    mlp_c = best_time(lambda: mlp_compiled(params, batch_tensor, target_tensor))

    print("engine overhead over hand-written numpy (forward + backward, best of 7)")
    print(row(f"chain of {CHAIN_LENGTH} elementwise ops: numpy", chain_np))
    print(row(f"chain of {CHAIN_LENGTH} elementwise ops: minigrad", chain_mg, chain_np))
    print(row(f"chain of {CHAIN_LENGTH} elementwise ops: compiled", chain_c, chain_np))
    print(row("3-layer MLP, batch 512: numpy", mlp_np))
    print(row("3-layer MLP, batch 512: minigrad", mlp_mg, mlp_np))
    print(row("3-layer MLP, batch 512: compiled", mlp_c, mlp_np))
    for goal, ratio, limit in (("MLP within 1.5x of numpy", mlp_mg / mlp_np, 1.5),
                               ("compiled chain within 1.5x of numpy", chain_c / chain_np, 1.5)):
        print(f"goal ({goal}): {'met' if ratio <= limit else 'NOT met'}")


if __name__ == "__main__":
    main()
