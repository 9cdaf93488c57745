"""The checks of the tutorials' exercises: each raises AssertionError, with a hint, on a wrong
answer.

The notebooks call them from their check cells; tests/test_tutorial_checks.py makes sure that
each one passes the reference solution (tutorials/solutions.py) and fails a known wrong answer.
"""

import sys

import numpy as np

import minigrad as mg
from ugan.losses import discriminator_loss, generator_loss
from ugan.unroll import discriminator_logits, surrogate_loss, unrolled_discriminators

f64 = mg.float64


def _stub_answered(value, name):
    assert value is not None, f"{name} returned None: write your answer in the exercise cell"


# 01 · a gradient tape from scratch

def _tape(Value):
    """add, mul and tanh that build ``Value`` nodes through the constructor of notebook 01,
    ``Value(data, parents, vjp, op)``, so that a check needs nothing of the class but its
    fields."""
    add = lambda a, b: Value(a.data + b.data, (a, b), lambda g: (g, g), "+")
    mul = lambda a, b: Value(a.data * b.data, (a, b), lambda g: (g * b.data, g * a.data), "*")

    def tanh(a):
        y = np.tanh(a.data)
        return Value(y, (a,), lambda g: (g * (1.0 - y * y),), "tanh")

    return add, mul, tanh


def _graphs(Value):
    """(name, root, leaves, d root / d leaves) for three small graphs: a node used twice by one
    operation, values used twice by different operations, and a node reached by a short path
    and by a longer one, where an order in which the nodes were found is not a topological
    one."""
    add, mul, tanh = _tape(Value)
    x = Value(0.5, op="x")
    square = mul(x, x)
    yield "x·x", square, [x], [1.0]
    x, y = Value(0.5, op="x"), Value(-1.5, op="y")
    u = add(mul(x, y), x)
    t = np.tanh(u.data)
    yield "y·tanh(x·y + x)", mul(y, tanh(u)), [x, y], [-1.5 * (1 - t * t) * (-1.5 + 1),
                                                         t + -1.5 * (1 - t * t) * 0.5]
    x = Value(0.3, op="x")
    short = tanh(x)                          # read by the root and by the longer path
    longer = mul(tanh(short), Value(3.0, op="3"))
    t1 = np.tanh(0.3)
    t2 = np.tanh(t1)
    yield "tanh(x) + 3 tanh(tanh(x))", add(short, longer), [x], [(1 - t1 * t1)
                                                                 * (1 + 3 * (1 - t2 * t2))]


def _chain(Value, length=5000):
    """x, then ``length`` steps z <- z - 0.001 tanh(z): a graph far deeper than Python's
    recursion limit."""
    add, mul, tanh = _tape(Value)
    x = z = Value(0.3, op="x")
    for _ in range(length):
        z = add(z, mul(Value(-0.001), tanh(z)))
    return x, z


def _chain_end(v, length=5000):
    """The last value of ``_chain``, on floats."""
    for _ in range(length):
        v = v - 0.001 * np.tanh(v)
    return v


def _ancestors(root):
    found, stack = {id(root): root}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in found:
                found[id(parent)] = parent
                stack.append(parent)
    return found


def _assert_topological(order, root, name):
    """Every node that ``root`` depends on, each once, each after all its parents."""
    expected = _ancestors(root)
    assert len({id(node) for node in order}) == len(order), (
        f"{name}: a node appears more than once: remember which nodes you have already placed")
    assert {id(node) for node in order} == set(expected), (
        f"{name}: the order has {len(order)} nodes, the root depends on {len(expected)} (the "
        "root and the leaves included)")
    position = {id(node): i for i, node in enumerate(order)}
    assert all(position[id(parent)] < position[id(node)]
               for node in order for parent in node.parents), (
        f"{name}: a node comes before one of its parents. The order in which a search first "
        "meets the nodes is not enough: a node may be met by a short path before a longer one "
        "reaches it; place a node only once all its parents are placed")


def check_topological_order(topological_order, Value):
    """On small graphs and on a chain 5,000 steps deep: every node that the root depends on,
    each once, each after all its parents; and the same list when asked twice."""
    for name, root, _, _ in _graphs(Value):
        order = topological_order(root)
        _stub_answered(order, "topological_order")
        order = list(order)
        _assert_topological(order, root, name)
        assert [id(node) for node in topological_order(root)] == [id(node) for node in order], (
            f"{name}: asked twice, topological_order gave two different answers: keep no state "
            "between calls (a default argument such as seen=set() lives as long as the function)")
    _, z = _chain(Value)
    try:
        order = topological_order(z)
    except RecursionError:
        raise AssertionError("a chain 5,000 operations deep exceeds Python's recursion limit: "
                             "keep the nodes still to visit on a list of your own (a stack) "
                             "instead of calling the function on each parent") from None
    _assert_topological(list(order), z, "a chain 5,000 operations deep")


def check_backward(backward, Value):
    """d root / d leaf on small graphs against the chain rule by hand, twice in a row (the
    second call must not add to the first), and on a chain 5,000 steps deep against central
    differences."""
    for name, root, leaves, expected in _graphs(Value):
        for attempt in ("", " (called a second time)"):
            backward(root)
            found = [leaf.grad for leaf in leaves]
            assert all(np.isclose(g, e, rtol=1e-12, atol=1e-15)
                       for g, e in zip(found, expected)), (
                f"{name}{attempt}: expected d root/d leaves {np.round(expected, 6)}, found "
                f"{np.round(found, 6)}. "
                + ("Set every node's grad to 0 before the sweep, as the first call starts from"
                   if attempt else
                   "Is the root's grad 1? Does each contribution add to the parent's grad "
                   "(+=, a value may have several users)? Is every user of a node swept before "
                   "the node (reverse topological order)?"))
    x, z = _chain(Value)
    try:
        backward(z)
    except RecursionError:
        raise AssertionError("a chain 5,000 operations deep exceeds Python's recursion limit: "
                             "order the nodes without recursion (Exercise 1)") from None
    numeric = (_chain_end(0.3 + 1e-6) - _chain_end(0.3 - 1e-6)) / 2e-6
    assert np.isclose(x.grad, numeric, rtol=1e-6), (
        f"on a chain 5,000 operations deep: dz/dx = {x.grad}, central differences {numeric}")


def unbroadcast_by_loops(grad, shape):
    """The sum of every entry of ``grad`` into the entry of an array of ``shape`` that numpy's
    broadcasting copied there: one use at a time, nothing clever."""
    out = np.zeros(shape)
    skipped = grad.ndim - len(shape)
    for index in np.ndindex(grad.shape):
        kept = index[skipped:]
        out[tuple(0 if n == 1 else i for i, n in zip(kept, shape))] += grad[index]
    return out


def check_unbroadcast(unbroadcast):
    """Against a loop over every entry, for broadcasts that add axes in front, stretch axes of
    size 1 (kept, of size 1, in the answer), both at once, or none."""
    rng = np.random.default_rng(5)
    for grad_shape, shape in [((4, 3), (3,)), ((4, 3), (4, 1)), ((4, 3), ()), ((4, 3), (1, 3)),
                              ((2, 4, 3), (4, 1)), ((5, 2, 4, 3), (2, 1, 3)), ((4, 3), (4, 3)),
                              ((3, 1, 2), (1, 1, 2))]:
        grad = rng.normal(size=grad_shape)
        copy = grad.copy()
        mine = unbroadcast(grad, shape)
        _stub_answered(mine, "unbroadcast")
        assert np.array_equal(grad, copy), "unbroadcast changed the gradient it was given"
        assert np.shape(mine) == shape, (
            f"a gradient of shape {grad_shape} for an input of shape {shape}: your answer has "
            f"shape {np.shape(mine)}. Sum away the axes broadcasting added in front; an axis of "
            "size 1 that it stretched is summed but stays, of size 1 (keepdims)")
        assert np.allclose(mine, unbroadcast_by_loops(grad, shape), rtol=1e-12, atol=1e-12), (
            f"a gradient of shape {grad_shape} for an input of shape {shape}: the shape is "
            "right, the values are not. Each entry of the input was used once for every entry "
            "broadcasting copied it to: its gradient is the sum of those, not their mean or "
            "one of them")
def check_sigmoid(sigmoid_expression):
    """``sigmoid_expression(x)`` returns (value, d value/dx) of sigmoid(x^2) sigmoid(x) from the
    reader's tape: the value against math, the derivative against central differences, at points
    of both signs."""
    f = lambda v: 1 / (1 + np.exp(-v * v)) / (1 + np.exp(-v))
    for point in np.linspace(-6, 6, 13):
        value, derivative = sigmoid_expression(point)
        assert np.isclose(value, f(point), rtol=1e-12), f"the value is off at x={point}"
        numeric = (f(point + 1e-6) - f(point - 1e-6)) / 2e-6
        assert np.isclose(derivative, numeric, rtol=1e-6, atol=1e-9), (
            f"gradient at x={point}: tape {derivative}, finite differences {numeric}")


def check_broadcast_gradients(broadcast_gradients):
    rng = np.random.default_rng(3)
    A, w, c = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(5, 1))
    answer = broadcast_gradients(A, w, c)
    _stub_answered(answer, "broadcast_gradients")
    w_t, c_t = mg.tensor(w, requires_grad=True), mg.tensor(c, requires_grad=True)
    r_t = mg.tensor(A) * w_t + c_t
    (r_t * r_t).sum().backward()
    for mine, leaf, name in zip(answer, (w_t, c_t), ("dL/dw", "dL/dc")):
        assert np.shape(mine) == leaf.grad.shape, f"{name} should have shape {leaf.grad.shape}"
        assert np.allclose(mine, leaf.grad.numpy()), f"{name} differs from minigrad's"


def check_fit_linear(fit_linear, X, y):
    """The fitted (w, b) against numpy's least-squares solution; and every number returned must
    be one that ``mg.optim.SGD`` trained (its parameters after its last step), so an answer that
    solves the least-squares problem without the training loop fails."""
    trained = []  # the values of the parameters after each SGD step
    sgd_step = mg.optim.SGD.step

    def recorded_step(optimizer):
        sgd_step(optimizer)
        trained.append(np.concatenate([np.ravel(p.numpy()) for p in optimizer.params]))

    mg.optim.SGD.step = recorded_step
    try:
        answer = fit_linear(X, y)
    finally:
        mg.optim.SGD.step = sgd_step
    _stub_answered(answer, "fit_linear")
    w, b = answer
    assert trained, "train w and b with mg.optim.SGD: opt.step() was never called"
    assert all(np.isclose(trained[-1], value, rtol=1e-12, atol=0).any()
               for value in np.append(np.ravel(w), b)), (
        "return the w and b that SGD trained (the parameters after its last step)")
    best, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)
    assert np.allclose(w, best[:-1], atol=1e-4) and np.isclose(b, best[-1], atol=1e-4), (
        f"not at the least-squares solution {best.round(4)} yet: more steps, or check zero_grad")
    return w, b


# 02 · gradients of gradients

def sigmoid_derivatives(s):
    """The sigmoid's derivatives of orders 0 to 3, written with its value s."""
    return [s, s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s**2)]


def tanh_derivatives(t):
    """tanh's derivatives of orders 0 to 3, written with its value t."""
    return [t, 1 - t * t, -2 * t * (1 - t * t), (1 - t * t) * (6 * t * t - 2)]


def check_nth_derivative(nth_derivative):
    """Orders 0 to 3 of the sigmoid and of tanh against closed forms, order 4 of the sigmoid
    against finite differences: an answer must differentiate the ``f`` it is given."""
    probe = mg.tensor(np.linspace(-4, 4, 17), requires_grad=True)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))
    for f, values_of, closed_forms, hint in [
            (mg.sigmoid, sigmoid, sigmoid_derivatives, ""),
            (mg.tanh, np.tanh, tanh_derivatives, ": differentiate the f you are given")]:
        for n, values in enumerate(closed_forms(values_of(probe.numpy()))):
            mine = nth_derivative(f, probe, n)
            _stub_answered(mine, "nth_derivative")
            assert np.allclose(mine.numpy(), values, rtol=1e-10, atol=1e-12), (
                f"order {n} of {f.__name__} is off{hint}")
    h = 1e-5
    fourth = (sigmoid_derivatives(sigmoid(probe.numpy() + h))[3]
              - sigmoid_derivatives(sigmoid(probe.numpy() - h))[3]) / (2 * h)
    assert np.allclose(nth_derivative(mg.sigmoid, probe, 4).numpy(), fourth, atol=1e-8), (
        "order 4 is off")


def check_top_eigenvalue(top_eigenvalue, product, size, eigenvalues):
    """``top_eigenvalue(product, size)`` must find the eigenvalue of largest magnitude among
    ``eigenvalues`` (the network's Hessian), and also that of a matrix it never sees except
    through a product, so an answer that reads the notebook's matrix ``H`` fails."""
    largest = eigenvalues[np.argmax(np.abs(eigenvalues))]
    found = top_eigenvalue(product, size)
    _stub_answered(found, "top_eigenvalue")
    assert np.isclose(found, largest, rtol=1e-4), f"expected about {largest:.6f}, got {found:.6f}"
    rng = np.random.default_rng(12)
    basis, _ = np.linalg.qr(rng.normal(size=(size, size)))
    spectrum = np.linspace(-1.0, 1.0, size)
    spectrum[0] = -3.0  # the largest in magnitude is negative, and well separated
    hidden = basis @ np.diag(spectrum) @ basis.T
    calls = []

    def hidden_product(v):
        calls.append(1)
        return hidden @ v

    found = top_eigenvalue(hidden_product, size)
    assert calls, "top_eigenvalue must use the product it is given, not a matrix"
    assert not np.isclose(found, 3.0, rtol=1e-4), (
        "on another symmetric matrix whose eigenvalue of largest magnitude is -3 you found +3: "
        "the sign is lost (|Hv| is the magnitude only); read lambda as v^T H v")
    assert np.isclose(found, -3.0, rtol=1e-4), (
        f"on another symmetric matrix with top eigenvalue -3 you found {found:.6f}: use only "
        "the product you are given")


def check_swish(Swish):
    """First and second derivatives of Swish against finite differences and the closed form."""
    at = mg.tensor(np.linspace(-4, 4, 9), requires_grad=True)
    try:
        mg.testing.gradcheck(Swish.apply, (at,), order=2)
    except mg.testing.GradcheckError as report:
        raise AssertionError(f"gradcheck fails:\n{report}") from None
    sx = 1 / (1 + np.exp(-at.numpy()))
    second_closed = sx * (1 - sx) * (2 + at.numpy() * (1 - 2 * sx))
    (first,) = mg.grad(Swish.apply(at).sum(), at, create_graph=True)
    (second,) = mg.grad(first.sum(), at)
    assert np.allclose(second.numpy(), second_closed, rtol=1e-10, atol=1e-12), (
        "the second derivative differs from the closed form")



def _jvp_cases():
    """(name, f, x, v): maps whose Jacobians are not symmetric (3 to 3) or not square (3 to 2),
    where J v, J^T v and J 1 all differ."""
    rng = np.random.default_rng(4)
    A, B = mg.tensor(rng.normal(size=(3, 3))), mg.tensor(rng.normal(size=(2, 3)))
    x = mg.tensor(rng.normal(size=3))
    yield "tanh(A x) * x", lambda z: (A @ z).tanh() * z, x, mg.tensor(rng.normal(size=3))
    yield "B exp(x) + sum(x)^2", lambda z: B @ z.exp() + z.sum() * z.sum(), x, \
        mg.tensor(rng.normal(size=3))


def jacobian_by_vjps(f, x):
    """The Jacobian of ``f`` at ``x``, one reverse sweep per row (row i: e_i^T J)."""
    leaf = x.detach().requires_grad_()
    y = f(leaf)
    rows = [mg.grad(y, leaf, grad_outputs=mg.tensor(e))[0].numpy() for e in np.eye(y.shape[0])]
    return np.stack(rows)


def check_jvp(jvp):
    """J v against the Jacobian built row by row from VJPs (to 1e-12) and against central
    differences of f along v; ``mg.jvp`` is switched off while the answer runs."""
    import minigrad.forward_mode as forward_mode

    def refused(*args, **kwargs):
        raise AssertionError("mg.jvp is what you are writing: build it from two mg.grad calls")

    library = forward_mode.jvp
    holders = [module for name, module in list(sys.modules.items())  # mg, mg.autograd, ...
               if name.split(".")[0] == "minigrad" and getattr(module, "jvp", None) is library]
    for module in holders:
        module.jvp = refused
    try:
        for name, f, x, v in _jvp_cases():
            try:
                mine = jvp(f, x, v)
            except RuntimeError as error:
                raise AssertionError(
                    f"{name}: minigrad raised {error}. The second sweep differentiates the "
                    "first one's result, so the first must be recorded (create_graph=True)") \
                    from error
            _stub_answered(mine, "jvp")
            mine = mine.numpy() if isinstance(mine, mg.Tensor) else np.asarray(mine)
            J = jacobian_by_vjps(f, x)
            expected = J @ v.numpy()
            assert mine.shape == expected.shape, (
                f"{name}: J v has the shape of f(x), {expected.shape}; yours has "
                f"{mine.shape}" + (", the shape of x: is it J^T v, a VJP?"
                                   if mine.shape == x.shape else ""))
            numeric = (f(x + 1e-6 * v).numpy() - f(x - 1e-6 * v).numpy()) / 2e-6
            assert np.allclose(mine, numeric, rtol=1e-5, atol=1e-7), (
                f"{name}: your JVP {mine.round(6)}, central differences of f along v "
                f"{numeric.round(6)}" + (": that is J^T v, a VJP, not J v"
                                         if J.shape[0] == J.shape[1]
                                         and np.allclose(mine, J.T @ v.numpy()) else ""))
            assert np.allclose(mine, expected, rtol=1e-12, atol=1e-14), (
                f"{name}: close to central differences but not to J v to 12 digits: an "
                "exact answer, two reverse sweeps, is expected here")
    finally:
        for module in holders:
            module.jvp = library


# 03 · differentiating through optimization

def check_lr_hypergradient(lr_hypergradient, train_loss, val_loss, size, F_of_alpha):
    """dF/dalpha after 30 steps at two learning rates against central differences of the numpy
    ``F_of_alpha``; returns the value at 0.1."""
    found = {}
    for lr in (0.1, 0.05):
        found[lr] = lr_hypergradient(train_loss, val_loss, size, lr, 30)
        _stub_answered(found[lr], "lr_hypergradient")
        expected = (F_of_alpha(lr + 1e-6) - F_of_alpha(lr - 1e-6)) / 2e-6
        assert np.isclose(found[lr], expected, rtol=1e-5), (
            f"at alpha = {lr}: expected about {expected:.6f}, got {found[lr]:.6f}")
    return found[0.1], (F_of_alpha(0.1 + 1e-6) - F_of_alpha(0.1 - 1e-6)) / 2e-6


def check_closed_form_gradient(closed_form_gradient, Q, c, step):
    """The closed form against minigrad differentiating through the unrolled descent."""
    Q_t, c_t = mg.tensor(Q), mg.tensor(c)
    q = lambda x: 0.5 * (x * (Q_t @ x)).sum() - (c_t * x).sum()
    for K in [0, 1, 7, 25]:
        for x0_value in ([2.0, -1.0], [-0.5, 3.0]):
            x0 = mg.tensor(np.array(x0_value), requires_grad=True)
            x = x0
            for _ in range(K):
                (g,) = mg.grad(q(x), x, create_graph=True)
                x = x - step * g
            (autodiff,) = mg.grad(q(x), x0)
            mine = closed_form_gradient(Q, c, step, np.array(x0_value), K)
            _stub_answered(mine, "closed_form_gradient")
            assert np.allclose(mine, autodiff.numpy(), rtol=1e-10, atol=1e-12), (
                f"K={K}, x0={x0_value}: closed form {mine}, autodiff {autodiff.numpy()}")


def check_tuned_lambda(lam_tuned, loss_at, grid):
    """The tuned lambda's validation loss is no worse than the best of a grid search (to 1e-4);
    returns (the tuned loss, the grid's best lambda and loss)."""
    _stub_answered(lam_tuned, "tune_lambda")
    losses = [loss_at(lam) for lam in grid]
    best = int(np.argmin(losses))
    tuned_loss = loss_at(lam_tuned)
    assert tuned_loss <= losses[best] + 1e-4, (
        f"validation loss {tuned_loss:.5f} at lambda={lam_tuned:.3f}; the grid search reaches "
        f"{losses[best]:.5f} at lambda={grid[best]:.3f}")
    return tuned_loss, grid[best], losses[best]


# 04 · the missing gradient term

def toy_game(x, y):
    return y * x.tanh() - 0.5 * y * y


def toy_terms(x_value, K, step=0.5):
    """(df_K/dx, term 2) for f = y tanh x - y^2/2 after K recorded ascent steps in y from 0."""
    x = mg.tensor(x_value, dtype=f64, requires_grad=True)
    y = mg.tensor(0.0, dtype=f64, requires_grad=True)
    for _ in range(K):
        (g,) = mg.grad(toy_game(x, y), y, create_graph=True)
        y = y + step * g
    (full,) = mg.grad(toy_game(x, y), x)
    (term1,) = mg.grad(toy_game(x, y.detach()), x)
    return full.item(), full.item() - term1.item()


def check_max_gradient(max_gradient):
    for x_value in [-1.2, 0.4, 0.9]:
        full, _ = toy_terms(x_value, 60)
        mine = max_gradient(x_value)
        _stub_answered(mine, "max_gradient")
        assert np.isclose(full, mine, rtol=1e-10, atol=1e-12), (
            f"at x = {x_value}: the unrolled gradient is {full:.8f}, your formula gives "
            f"{mine:.8f}")


def term_one_by_minigrad(mu_value, a_value, b_value, real, noise):
    """d f / d mu with theta_D = (a, b) held fixed, for notebook 04's game f (its penalty on D
    does not depend on mu, so it is left out)."""
    mu = mg.tensor(mu_value, dtype=f64, requires_grad=True)
    real_t, fake = mg.tensor(real), mu + mg.tensor(noise)
    f = -discriminator_loss(a_value * real_t + b_value, a_value * fake + b_value)
    return mg.grad(f, mu)[0].item()


def check_term_one(term_one):
    rng = np.random.default_rng(11)
    for _ in range(8):
        real, noise = rng.normal(1.0, 0.5, size=64), rng.normal(0.0, 0.5, size=64)
        mu_value, a_value, b_value = rng.normal(size=3) * [1.0, 2.0, 1.0]
        expected = term_one_by_minigrad(mu_value, a_value, b_value, real, noise)
        mine = term_one(mu_value, a_value, b_value, noise)
        _stub_answered(mine, "term_one")
        assert np.isclose(mine, expected, rtol=1e-10, atol=1e-12), (
            f"mu={mu_value:.3f}, a={a_value:.3f}, b={b_value:.3f}: minigrad's term 1 is "
            f"{expected:.6f}, yours {mine:.6f}. The fake samples are mu + noise; only the "
            f"fake half of f depends on mu, through D's logit a (mu + z) + b")


# 05 · what each term does

def unrolled_bilinear_gradient(x_value, y_value, K, step):
    """df_K/dx for f = x y, by minigrad through K recorded ascent steps of y."""
    x = mg.tensor(x_value, dtype=f64, requires_grad=True)
    y_k = mg.tensor(y_value, dtype=f64, requires_grad=True)
    for _ in range(K):
        (g,) = mg.grad(x * y_k, y_k, create_graph=True)
        y_k = y_k + step * g
    (gradient,) = mg.grad(x * y_k, x)
    return gradient.item()


def check_unrolled_gradient(unrolled_gradient):
    rng = np.random.default_rng(7)
    for _ in range(10):
        x_value, y_value = rng.normal(size=2)
        K, step = int(rng.integers(1, 8)), float(rng.uniform(0.01, 0.5))
        expected = unrolled_bilinear_gradient(x_value, y_value, K, step)
        mine = unrolled_gradient(x_value, y_value, K, step)
        _stub_answered(mine, "unrolled_gradient")
        assert np.isclose(mine, expected, rtol=1e-12), (
            f"x={x_value:.3f}, y={y_value:.3f}, K={K}, step={step:.3f}: minigrad says "
            f"{expected:.6f}, you say {mine:.6f}")


def check_growth_factor(growth_factor, play, steps):
    """The predicted factor against the one measured on ``play``'s trajectories (simultaneous
    play on f = x y with step 0.1): the slope of log(distance) against the step, fitted over the
    whole run (which averages out the wobble of an elliptical orbit), is its logarithm. At K = 20
    the eigenvalues are real (0.973 and 0.627), so sqrt(det M), which is the modulus of a complex
    pair, is not the answer there."""
    measured_and_predicted = []
    for K, second_order in [(0, True), (1, False), (1, True), (3, True), (20, True)]:
        path = play(steps, K=K, second_order=second_order)
        slope = np.polyfit(np.arange(steps + 1), np.log(np.hypot(path[:, 0], path[:, 1])), 1)[0]
        measured, predicted = np.exp(slope), growth_factor(K, 0.1, second_order)
        _stub_answered(predicted, "growth_factor")
        assert abs(measured - predicted) < 1e-3, (
            f"K={K}, second_order={second_order}: measured {measured:.5f} per step, you "
            f"predict {predicted:.5f}")
        measured_and_predicted.append((K, second_order, measured, predicted))
    return measured_and_predicted


# 06 · the unrolled GAN on the ring

def check_high_quality_fraction(high_quality_fraction, samples, centers, std, logged):
    mine = high_quality_fraction(samples, centers, std)
    _stub_answered(mine, "high_quality_fraction")
    assert abs(mine - logged) < 1e-12, f"you found {mine:.4%}, the metric logged {logged:.4%}"
    # four samples just inside 3 standard deviations of a centre, two just outside; two of each
    # off the axes, where a box or a diamond around the centre is not the circle of radius 3 std
    offsets = std * np.array([[2.9, 0.0], [0.0, -2.99], [2.0, -2.0], [-2.1, 2.1], [3.1, 0.0],
                              [2.5, 2.5]])
    made = centers[[0, 3, 5, 6, 1, 2]] + offsets
    assert np.isclose(high_quality_fraction(made, centers, std), 4 / 6), (
        "samples within 3 standard deviations of their nearest mode, in Euclidean distance, are "
        "high quality, the others are not")


def check_top_mode_changes(top_mode_changes, tops):
    mine = top_mode_changes(tops)
    _stub_answered(mine, "top_mode_changes")
    expected = int(np.count_nonzero(np.diff(tops))) if len(tops) > 1 else 0
    assert mine == expected, f"you count {mine} changes in {tops}, there are {expected}"
    assert top_mode_changes([3, 1, 3, 1, 1]) == 3, "in [3, 1, 3, 1, 1] the mode changes 3 times"


def missing_term_by_product(generator, discriminator, d_optimizer, real, noise, K):
    """Term 2 of Eq. 12 as the product itself, (df/dtheta_D^K) (dtheta_D^K/dtheta_G): one
    reverse sweep of <theta_D^K(theta_G), c> with c = df/dtheta_D^K held constant."""
    fake = generator(noise)
    theta = unrolled_discriminators(discriminator, d_optimizer, real, fake, K)[-1]
    frozen = {name: value.detach().requires_grad_() for name, value in theta.items()}
    loss = generator_loss(*discriminator_logits(discriminator, frozen, real, fake.detach()))
    slopes = dict(zip(frozen, mg.grad(loss, list(frozen.values()))))
    inner = sum((theta[name] * slopes[name]).sum() for name in theta)
    terms = mg.grad(inner, generator.parameters(), allow_unused=True)
    return np.concatenate([np.zeros(p.shape).ravel() if t is None else t.numpy().ravel()
                           for p, t in zip(generator.parameters(), terms)])


def check_missing_term_share(missing_term_share, generator, discriminator, d_optimizer, real,
                             noise, K):
    """The share against |term 2| / |full gradient| with term 2 computed as Eq. 12's product."""
    mine = missing_term_share(generator, discriminator, d_optimizer, real, noise, K)
    _stub_answered(mine, "missing_term_share")
    loss = surrogate_loss(generator, discriminator, d_optimizer, real, noise, K)
    full = np.concatenate([g.numpy().ravel() for g in mg.grad(loss, generator.parameters())])
    term2 = missing_term_by_product(generator, discriminator, d_optimizer, real, noise, K)
    expected = np.linalg.norm(term2) / np.linalg.norm(full)
    assert np.isclose(mine, expected, rtol=1e-6), (
        f"you found {mine:.6f}; |term 2| / |full gradient| is {expected:.6f}")
    assert missing_term_share(generator, discriminator, d_optimizer, real, noise, 0) == 0, (
        "at K = 0 there is no missing term")
    return expected


# 07 · devices and the paper's scale

def agree_entrywise(reference, candidate, rtol):
    """Whether two lists of arrays have the same length and shapes, and every entry of
    ``candidate`` is within ``rtol`` of ``reference``'s, relative to that entry."""
    return len(reference) == len(candidate) and all(
        a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.abs(a)))
        for a, b in zip(reference, candidate))


def check_runs_agree(runs_agree, reference, candidate):
    """Whatever the two runs here do, the answer must say so; then made-up pairs that differ in
    one small entry, in one entry near zero (where a tolerance added to the relative one, as
    np.allclose's atol, lets a large relative difference through), or in shape."""
    verdict = runs_agree(reference, candidate, 1e-6)
    assert verdict is not None, "runs_agree returned None"
    expected = agree_entrywise(reference, candidate, 1e-6)
    assert bool(verdict) == expected, (
        f"the two runs here {'do' if expected else 'do not'} agree to 1e-6, entry by entry")
    base = [np.array([[1.0, -2.0], [3e-3, 4.0]]), np.array([0.5, -1e4])]
    assert runs_agree(base, [b * (1 + 1e-8) for b in base], 1e-6), (
        "a relative difference of 1e-8 everywhere is within 1e-6")
    scaled = [base[0].copy(), base[1].copy()]
    scaled[0][1, 0] *= 1 + 1e-4  # a small entry, wrong in its fourth digit
    assert not runs_agree(base, scaled, 1e-6), (
        "every entry counts relative to its own size: 3e-3 vs 3.0003e-3 differs by 1e-4")
    assert not runs_agree(base, [base[0], base[1] + 1e-3], 1e-6), (
        "-1e4 + 1e-3 is within 1e-6, but 0.5 + 1e-3 is not")
    tiny = [np.array([1.0, 2e-9]), np.array([0.0, 1.0])]
    assert runs_agree(tiny, [t.copy() for t in tiny], 1e-6), "identical runs agree, zeros too"
    assert not runs_agree(tiny, [np.array([1.0, 5e-9]), tiny[1]], 1e-6), (
        "2e-9 against 5e-9 differs by 150% of the entry: no absolute tolerance, only rtol")
    rows = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert not runs_agree([rows, base[1]], [rows[:1], base[1]], 1e-6), (
        "an array of shape (1, 3) against one of shape (2, 3): the shapes must be the same, "
        "even where numpy would broadcast them")
    assert not runs_agree(base, base[:1], 1e-6), "a list with one array fewer does not agree"


def check_cost_model(cost_model):
    ks = np.array([0, 1, 2, 5, 10])
    ms = 12.0 + 3.5 * ks + np.array([0.4, -0.3, 0.2, -0.6, 0.3])
    found = cost_model(ks, ms)
    _stub_answered(found, "cost_model")
    intercept, slope = np.polynomial.polynomial.polyfit(ks, ms, 1)
    assert np.allclose(found, (intercept, slope), rtol=1e-9), (
        f"the least-squares line through these points is {intercept:.4f} + {slope:.4f} K, you "
        f"found {found[0]:.4f} + {found[1]:.4f} K")


# 08 · from a tape to a program

PROGRAM_OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "tanh": np.tanh,
               "exp": np.exp}


def replay(program, arrays):
    """Run ``program`` = (inputs, instructions, outputs) on numpy ``arrays``, one per input:
    each instruction (out, op, args) calls PROGRAM_OPS[op] on its arguments, names or numbers.
    Returns the list of the outputs' arrays."""
    inputs, instructions, outputs = program
    slots = dict(zip(inputs, arrays))
    for out, op, args in instructions:
        slots[out] = PROGRAM_OPS[op](*(slots[a] if isinstance(a, str) else a for a in args))
    return [slots[name] for name in outputs]


def _three_steps(x):
    for _ in range(3):
        x = x - 0.1 * x.tanh()
    return x


# (source, f, number of inputs, number of operations it performs)
TRACED = [("(x * y + x).tanh() * y", lambda x, y: (x * y + x).tanh() * y, 2, 4),
          ("1.0 - 2.0 * x.exp()", lambda x: 1.0 - 2.0 * x.exp(), 1, 3),
          ("three steps x - 0.1 * x.tanh()", _three_steps, 1, 9),
          ("(x + y, (x - y) * 3.0 + 0.5)", lambda x, y: (x + y, (x - y) * 3.0 + 0.5), 2, 4)]


def _well_formed(program, name, n_inputs):
    """Hints for a program whose three lists are not of the agreed form."""
    inputs, instructions, outputs = program
    assert len(inputs) == n_inputs, f"{name}: f takes {n_inputs} inputs, you list {len(inputs)}"
    defined = set(inputs)
    for instruction in instructions:
        assert len(instruction) == 3 and instruction[1] in PROGRAM_OPS, (
            f"{name}: {instruction!r} is not (out, op, args) with op one of "
            f"{', '.join(PROGRAM_OPS)}")
        out, _, args = instruction
        unknown = [a for a in args if isinstance(a, str) and a not in defined]
        assert not unknown, (f"{name}: {out} reads {unknown[0]}, which no earlier instruction "
                             "or input defines")
        assert all(isinstance(a, (str, int, float)) for a in args), (
            f"{name}: the arguments of {out} should be names (str) or numbers")
        assert out not in defined, f"{name}: the name {out} is given twice: one name per result"
        defined.add(out)
    assert all(name_ in defined for name_ in outputs), (
        f"{name}: an output names no input and no instruction")


def check_trace(trace):
    """Traces functions of one to nine operations (a value read twice, a number on the left of
    - and *, a Python loop, two outputs): the program must be well formed, hold one instruction
    per operation, and, replayed on new inputs, give what the function gives on tensors."""
    rng = np.random.default_rng(8)
    for name, f, n_inputs, n_operations in TRACED:
        try:
            program = trace(f, n_inputs)
        except TypeError as error:
            raise AssertionError(
                f"tracing {name}: {error}. A number on the left (2.0 * x, 1.0 - x) calls the "
                "reflected method of your value (__rmul__, __rsub__, __radd__)") from error
        _stub_answered(program, "trace")
        assert isinstance(program, (tuple, list)) and len(program) == 3, (
            f"{name}: return a tuple (inputs, instructions, outputs)")
        found = len(program[1])
        assert found == n_operations, (
            f"{name}: f performs {n_operations} operations, your program has {found} "
            "instructions: one per operation, a value read twice is one name read twice"
            + (" (are instructions left over from an earlier trace?)" if found > n_operations
               else ""))
        _well_formed(program, name, n_inputs)
        for _ in range(3):
            arrays = [rng.normal(size=4) for _ in range(n_inputs)]
            result = f(*(mg.tensor(a) for a in arrays))
            eager = [t.numpy() for t in (result if isinstance(result, tuple) else (result,))]
            replayed = replay(program, arrays)
            assert len(replayed) == len(eager), (
                f"{name}: f returns {len(eager)} value(s), your program {len(replayed)}")
            assert all(np.allclose(r, e, rtol=1e-12, atol=1e-14)
                       for r, e in zip(replayed, eager)), (
                f"{name}: replayed on new inputs, your program gives other numbers than f: "
                "are the arguments in the order of the operation (1.0 - x is sub(1.0, x))?")


def _program(lines, inputs, outputs):
    """A program from lines "t2 = mul t0 t1" (numbers are constants)."""
    instructions = []
    for line in lines:
        out, _, op, *args = line.split()
        instructions.append((out, op, tuple(a if a.startswith("t") else float(a)
                                            for a in args)))
    return list(inputs), instructions, list(outputs)


DEAD_CODE = [  # (program, the names of the instructions that stay)
    (_program(["t2 = mul t0 t1", "t3 = exp t2", "t4 = mul t3 2.0", "t5 = add t2 t0",
               "t6 = tanh t5"], ["t0", "t1"], ["t6"]), ["t2", "t5", "t6"]),
    (_program(["t2 = tanh t1", "t3 = mul t0 t0", "t4 = sub 1.0 t3", "t5 = add t3 t4",
               "t6 = exp t5", "t7 = mul t4 t3"], ["t0", "t1"], ["t4", "t0"]), ["t3", "t4"]),
    (_program(["t1 = exp t0", "t2 = mul t1 t1", "t3 = add t2 0.5"], ["t0"], ["t3", "t1"]),
     ["t1", "t2", "t3"]),
]


def check_dead_code(eliminate_dead_code):
    """Each program must come back with the instructions that its outputs need, and only those,
    in their order, with its inputs and outputs as they were; the program given must not
    change."""
    rng = np.random.default_rng(9)
    for program, kept in DEAD_CODE:
        before = repr(program)
        result = eliminate_dead_code(program)
        _stub_answered(result, "eliminate_dead_code")
        assert repr(program) == before, (
            "the program you were given has changed: build a new list of instructions and "
            "return a new program, as a compiler pass does")
        inputs, instructions, outputs = result
        assert list(inputs) == program[0] and list(outputs) == program[2], (
            "keep the program's inputs and outputs as they are")
        names = [instruction[0] for instruction in instructions]
        needed = [name for name in kept if name not in names]
        assert not needed, (
            f"{needed[0]} was removed, but an output needs it (perhaps through another "
            "instruction)")
        dead = [name for name in names if name not in kept]
        assert not dead, (
            f"{dead[0]} is kept, but no output depends on it, although another dead "
            "instruction may read it: decide from the outputs backwards")
        assert [tuple(i) for i in instructions] == [i for i in program[1] if i[0] in kept], (
            "keep the instructions as they were, in the program's order (each after the "
            "instructions it reads)")
        arrays = [rng.normal(size=3) for _ in inputs]
        assert all(np.array_equal(a, b) for a, b in zip(replay(result, arrays),
                                                        replay(program, arrays)))
