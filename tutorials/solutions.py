"""Reference solutions of the tutorials' exercises, one function per exercise.

A notebook's exercise cell holds a stub decorated with :func:`exercise`. A reader runs the stub
(it raises NotImplementedError until they write their own answer). Only where
``TUTORIALS_SOLUTIONS=1`` (``run_tutorials.py --solutions`` or ``--write-outputs``, and the tests
that execute the notebooks) does the decorator hand back the function of the same name below, so
that every check cell runs in CI. Read this file only after trying: the solution of an exercise
is the function of its name.
"""

import os

import numpy as np

import minigrad as mg
from ugan.unroll import surrogate_loss


def exercise(stub):
    """``stub`` itself, or the reference solution of the same name when TUTORIALS_SOLUTIONS=1."""
    if os.environ.get("TUTORIALS_SOLUTIONS") == "1":
        return globals()[stub.__name__]
    return stub


# 01 · a gradient tape from scratch

def topological_order(root):
    order, placed, stack = [], set(), [(root, False)]
    while stack:
        node, parents_placed = stack.pop()
        if parents_placed:             # its parents were popped, and placed, after it was pushed
            order.append(node)
        elif id(node) not in placed:
            placed.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents)
    return order


def backward(root):
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):       # each node after every node that uses it
        if node.vjp is not None:
            for parent, contribution in zip(node.parents, node.vjp(node.grad)):
                parent.grad += contribution


def sigmoid(self):
    s = 1.0 / (1.0 + np.exp(-self.data))
    return type(self)(s, (self,), lambda g: (g * s * (1.0 - s),), "sigmoid")


def broadcast_gradients(A, w, c):
    residual = A * w + c                                 # (5, 3)
    dL_dw = (2 * residual * A).sum(axis=0)               # w_j is used once per row
    dL_dc = (2 * residual).sum(axis=1, keepdims=True)    # c_i is used once per column
    return dL_dw, dL_dc


def unbroadcast(grad, shape):
    grad = np.sum(grad, axis=tuple(range(np.ndim(grad) - len(shape))))  # the axes put in front
    stretched = tuple(axis for axis, n in enumerate(shape) if n == 1 and grad.shape[axis] != 1)
    return grad.sum(axis=stretched, keepdims=True)


def fit_linear(X, y, steps=300, lr=0.1):
    w = mg.zeros(X.shape[1], dtype=mg.float64, requires_grad=True)
    b = mg.zeros((), dtype=mg.float64, requires_grad=True)
    opt = mg.optim.SGD([w, b], lr=lr)
    X_t, y_t = mg.tensor(X), mg.tensor(y)
    for _ in range(steps):
        opt.zero_grad()
        error = X_t @ w + b - y_t
        (error * error).mean().backward()
        opt.step()
    return w.numpy(), b.item()


# 02 · gradients of gradients

def nth_derivative(f, x, n):
    out = f(x)
    for _ in range(n):
        (out,) = mg.grad(out.sum(), x, create_graph=True)
    return out


def top_eigenvalue(product, size, iterations=100, seed=0):
    v = np.random.default_rng(seed).normal(size=size)
    v /= np.linalg.norm(v)
    for _ in range(iterations):
        w = product(v)
        eigenvalue = v @ w
        v = w / np.linalg.norm(w)
    return eigenvalue


class Swish(mg.Function):
    def forward(self, x):
        return x / (1.0 + np.exp(-x))

    def backward(self, g):
        x = self.inputs[0]
        s = x.sigmoid()
        return (g * s * (1.0 + x * (1.0 - s)),)


def jvp(f, x, v):
    x = x.detach().requires_grad_()
    y = f(x)
    u = mg.zeros_like(y, requires_grad=True)  # any value: J^T u is linear in u
    (pulled,) = mg.grad(y, x, grad_outputs=u, create_graph=True)     # J^T u, recorded
    (pushed,) = mg.grad(pulled, u, grad_outputs=v)                  # d<J^T u, v>/du = J v
    return pushed


# 03 · differentiating through optimization

def lr_hypergradient(train_loss, val_loss, size, lr, K, lam=0.5):
    lr = mg.tensor(lr, dtype=mg.float64, requires_grad=True)
    w = mg.zeros(size, dtype=mg.float64, requires_grad=True)
    for _ in range(K):
        (g,) = mg.grad(train_loss(w, lam), w, create_graph=True)
        w = w - lr * g
    (derivative,) = mg.grad(val_loss(w), lr)
    return derivative.item()


def closed_form_gradient(Q, c, step, x0, K):
    x_star = np.linalg.solve(Q, c)
    M = np.linalg.matrix_power(np.eye(len(c)) - step * Q, K)
    x_K = x_star + M @ (x0 - x_star)
    return M.T @ (Q @ x_K - c)  # chain rule: (dx_K/dx0)^T times the gradient of q at x_K


def tune_lambda(hyperobjective, lam0, steps, rate=2.0):
    s = np.log(lam0)
    for _ in range(steps):
        s_t = mg.tensor(s, dtype=mg.float64, requires_grad=True)
        (dF_ds,) = mg.grad(hyperobjective(s_t.exp()), s_t)
        s -= rate * dF_ds.item()
    return float(np.exp(s))


# 04 · the missing gradient term

def max_gradient(x):
    t = np.tanh(x)
    return t * (1 - t * t)  # best response y* = tanh x, so max_y f = tanh(x)^2 / 2


def term_one(mu, a, b, noise):
    # only log(1 - D(mu + z)) depends on mu: d/dmu of -softplus(logit) is -a sigmoid(logit)
    return -a * np.mean(1.0 / (1.0 + np.exp(-(a * (mu + noise) + b))))


# 05 · what each term does

def unrolled_gradient(x, y, K, step):
    return y + 2 * K * step * x  # term 1: y_K = y + K step x;  term 2: x * K step


def growth_factor(K, step, second_order=True):
    curvature = (2 if second_order else 1) * K * step
    M = np.array([[1 - step * curvature, -step],
                  [step, 1.0]])
    return np.max(np.abs(np.linalg.eigvals(M)))


# 06 · the unrolled GAN on the ring

def high_quality_fraction(samples, centers, std):
    distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
    return np.mean(distances.min(axis=1) <= 3 * std)


def top_mode_changes(tops):
    return sum(a != b for a, b in zip(tops, tops[1:]))


def missing_term_share(generator, discriminator, d_optimizer, real, noise, K):
    def gradient(second_order):
        loss = surrogate_loss(generator, discriminator, d_optimizer, real, noise, K,
                              second_order=second_order)
        return np.concatenate([g.numpy().ravel() for g in mg.grad(loss, generator.parameters())])

    full, first_term = gradient(True), gradient(False)
    return np.linalg.norm(full - first_term) / np.linalg.norm(full)


# 07 · devices and the paper's scale

def runs_agree(reference, candidate, rtol):
    return len(reference) == len(candidate) and all(
        a.shape == b.shape and np.all(np.abs(a - b) <= rtol * np.abs(a))
        for a, b in zip(reference, candidate))


def cost_model(ks, ms):
    slope, intercept = np.polyfit(ks, ms, 1)
    return intercept, slope


# 08 · from a tape to a program

def trace(f, n_inputs):
    instructions = []

    class Symbol:
        def __init__(self, name):
            self.name = name

        def record(self, op, *args):
            out = Symbol(f"t{n_inputs + len(instructions)}")
            names = tuple(a.name if isinstance(a, Symbol) else float(a) for a in args)
            instructions.append((out.name, op, names))
            return out

        __add__ = lambda self, other: self.record("add", self, other)
        __radd__ = lambda self, other: self.record("add", other, self)
        __sub__ = lambda self, other: self.record("sub", self, other)
        __rsub__ = lambda self, other: self.record("sub", other, self)
        __mul__ = lambda self, other: self.record("mul", self, other)
        __rmul__ = lambda self, other: self.record("mul", other, self)
        tanh = lambda self: self.record("tanh", self)
        exp = lambda self: self.record("exp", self)

    inputs = [Symbol(f"t{i}") for i in range(n_inputs)]
    result = f(*inputs)
    results = result if isinstance(result, tuple) else (result,)
    return [s.name for s in inputs], instructions, [s.name for s in results]


def eliminate_dead_code(program):
    inputs, instructions, outputs = program
    needed, kept = set(outputs), []
    for out, op, args in reversed(instructions):   # every reader comes after what it reads
        if out in needed:
            kept.append((out, op, args))
            needed.update(a for a in args if isinstance(a, str))
    return list(inputs), kept[::-1], list(outputs)
