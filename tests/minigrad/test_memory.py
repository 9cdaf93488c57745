"""Training does not leak: memory stays flat over 1,000 iterations, and a loss's graph is freed
(by reference counting alone, so it holds no reference cycles) once the loss goes out of scope."""

import gc
import tracemalloc
import weakref

import numpy as np

import minigrad as mg


def make_mlp(rng, sizes=(4, 16, 1)):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(mg.tensor(rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in),
                                requires_grad=True))
        params.append(mg.zeros(fan_out, requires_grad=True))
    return params


def mlp_loss(params, x, y):
    w1, b1, w2, b2 = params
    prediction = mg.tanh(x @ w1 + b1) @ w2 + b2
    return ((prediction - y) ** 2).mean()


def graph_tensors(root):
    """Weak references to every tensor made by an op in root's graph."""
    refs, seen, stack = [], set(), [root]
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen or tensor.is_leaf:
            continue
        seen.add(id(tensor))
        refs.append(weakref.ref(tensor))
        stack.extend(tensor._node.inputs)
    return refs


def test_memory_is_flat_over_1000_training_iterations():
    rng = np.random.default_rng(0)
    params = make_mlp(rng)
    x = mg.tensor(rng.standard_normal((32, 4)))
    y = mg.tensor(rng.standard_normal((32, 1)))

    def train_step(lr=0.05):
        loss = mlp_loss(params, x, y)
        loss.backward()
        with mg.no_grad():
            for p in params:
                p.data = p.data - lr * p.grad.data
                p.grad.zero_()
        return loss.item()

    first_loss = train_step()
    gc.collect()
    tracemalloc.start()
    try:
        for iteration in range(1, 1001):
            last_loss = train_step()
            if iteration == 100:
                gc.collect()
                after_100 = tracemalloc.get_traced_memory()[0]
        gc.collect()
        after_1000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    growth = after_1000 - after_100
    assert growth < 64 * 1024, f"memory grew by {growth} bytes over 900 iterations"
    assert last_loss < first_loss  # the loop did train


def test_a_loss_graph_is_freed_when_the_loss_goes_out_of_scope():
    rng = np.random.default_rng(1)
    params = make_mlp(rng)
    x, y = mg.tensor(rng.standard_normal((8, 4))), mg.tensor(rng.standard_normal((8, 1)))
    gc.collect()
    gc.disable()  # only reference counting may free the graph
    try:
        loss = mlp_loss(params, x, y)
        refs = graph_tensors(loss)
        assert len(refs) > 5
        loss.backward()
        assert all(ref() is not None for ref in refs)  # the loss still holds its graph
        del loss
        assert [ref for ref in refs if ref() is not None] == []
    finally:
        gc.enable()


def test_a_graph_of_gradients_is_freed_too():
    """create_graph=True records the backward pass; dropping the loss and the gradients frees
    both graphs."""
    rng = np.random.default_rng(2)
    params = make_mlp(rng)
    x, y = mg.tensor(rng.standard_normal((8, 4))), mg.tensor(rng.standard_normal((8, 1)))
    gc.collect()
    gc.disable()
    try:
        loss = mlp_loss(params, x, y)
        grads = mg.grad(loss, params, create_graph=True)
        penalty = sum((g * g).sum() for g in grads)
        refs = graph_tensors(penalty)
        del loss, grads
        assert mg.grad(penalty, params[0])[0].shape == params[0].shape
        del penalty
        assert [ref for ref in refs if ref() is not None] == []
    finally:
        gc.enable()
