"""The options of the classification losses, as PyTorch defines them: class weights,
ignore_index, label smoothing and class-probability targets; derivatives of first and second
order (and compiled replays) on every device, the loss modules, and the errors. (Against PyTorch
itself: test_against_torch.py.)"""

import numpy as np
import pytest

import minigrad as mg
import strategies as S
from minigrad import nn
from minigrad.nn import functional as F

LOGITS = np.array([[0.2, -1.0, 0.5], [1.5, 0.3, -0.4], [0.0, 0.7, 1.1], [-0.6, 0.9, 0.1]])
TARGET = [2, 0, 1, 0]
WEIGHT = [0.5, 2.0, 1.5]


def _log_softmax(x):
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("device", S.DEVICES)
def test_options_are_differentiable_twice_and_compile(device):
    logits = S.leaf(LOGITS, device)
    target = mg.tensor(TARGET, device=device)
    weight = mg.tensor(WEIGHT, dtype="float64", device=device)
    S.check_derivatives(lambda x, t, w: F.cross_entropy(x, t, w, ignore_index=1,
                                                        label_smoothing=0.25),
                        logits, target, weight)
    S.check_derivatives(lambda x, t, w: F.nll_loss(x, t, w, reduction="none"), logits, target,
                        weight)
    labels = mg.tensor(np.linspace(0.0, 1.0, 12).reshape(4, 3), device=device)
    S.check_derivatives(lambda x, t, w, p: F.binary_cross_entropy_with_logits(
        x, t, w, pos_weight=p), logits, labels, weight, weight * 2.0)
    S.check_derivatives(lambda x, t, w: F.binary_cross_entropy(x.sigmoid(), t, w), logits,
                        labels, weight)
    probabilities = S.leaf(np.full((4, 3), 1.0 / 3.0), device)
    S.check_derivatives(lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1), logits,
                        probabilities)


def test_the_mean_divides_by_the_weights_of_the_targets_not_ignored():
    log_p = _log_softmax(LOGITS)
    picked = log_p[np.arange(4), TARGET]
    w = np.array(WEIGHT)[TARGET]
    counted = np.array(TARGET) != 0  # ignore_index=0 drops rows 1 and 3
    x, t, weight = mg.tensor(LOGITS), mg.tensor(TARGET), mg.tensor(WEIGHT, dtype="float64")
    mean = F.cross_entropy(x, t, weight, ignore_index=0).item()
    assert mean == pytest.approx(-(w * picked)[counted].sum() / w[counted].sum(), rel=1e-12)
    none = F.nll_loss(mg.tensor(log_p), t, weight, ignore_index=0, reduction="none").numpy()
    np.testing.assert_allclose(none, np.where(counted, -w * picked, 0.0), rtol=1e-12)
    smoothed = F.cross_entropy(x, t, label_smoothing=0.3, reduction="sum").item()
    expected = -(0.7 * picked + 0.3 * log_p.mean(axis=1)).sum()
    assert smoothed == pytest.approx(expected, rel=1e-12)
    with np.errstate(invalid="ignore"):  # 0 / 0, as PyTorch gives when every target is ignored
        assert np.isnan(F.cross_entropy(x, mg.tensor([1, 1, 1, 1]), ignore_index=1).item())


def test_loss_modules_pass_their_options_and_keep_the_weight_as_a_buffer():
    x, t, weight = mg.tensor(LOGITS), mg.tensor(TARGET), mg.tensor(WEIGHT, dtype="float64")
    module = nn.CrossEntropyLoss(weight, ignore_index=2, label_smoothing=0.1, reduction="sum")
    assert module(x, t).item() == F.cross_entropy(x, t, weight, ignore_index=2,
                                                  label_smoothing=0.1, reduction="sum").item()
    assert dict(module.named_buffers())["weight"] is weight
    assert repr(module) == ("CrossEntropyLoss(reduction='sum', ignore_index=2, "
                            "label_smoothing=0.1)")
    log_p = mg.tensor(_log_softmax(LOGITS))
    assert nn.NLLLoss(ignore_index=0)(log_p, t).item() == F.nll_loss(log_p, t,
                                                                      ignore_index=0).item()
    assert not list(nn.NLLLoss().named_buffers())
    labels = mg.tensor(np.eye(4, 3))
    bce = nn.BCEWithLogitsLoss(weight, pos_weight=weight * 3.0, reduction="none")
    np.testing.assert_array_equal(bce(x, labels).numpy(), F.binary_cross_entropy_with_logits(
        x, labels, weight, reduction="none", pos_weight=weight * 3.0).numpy())
    assert sorted(dict(bce.named_buffers())) == ["pos_weight", "weight"]
    assert nn.BCELoss(weight)(x.sigmoid(), labels).item() == F.binary_cross_entropy(
        x.sigmoid(), labels, weight).item()


def test_options_refused_with_a_message():
    x, t = mg.tensor(LOGITS), mg.tensor(TARGET)
    with pytest.raises(ValueError, match=r"cross_entropy: weight has shape \(2,\), expected "
                       r"\(3,\), one per class"):
        F.cross_entropy(x, t, mg.tensor([1.0, 2.0], dtype="float64"))
    with pytest.raises(TypeError, match="nll_loss: input is float64 but weight is float32"):
        F.nll_loss(x, t, mg.tensor(WEIGHT))
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        F.cross_entropy(x, t, label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'max'"):
        F.cross_entropy(x, t, reduction="max")
    for loss in (F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        with pytest.raises(TypeError, match=f"{loss.__name__}: the third argument is weight, as "
                           "in PyTorch; give the reduction by name: reduction='sum'"):
            loss(x.sigmoid(), x.sigmoid(), "sum")


@pytest.mark.parametrize("device", S.DEVICES)
def test_a_class_index_out_of_range_is_refused_in_eager_and_compiled_calls(device):
    x = mg.tensor(LOGITS, device=device)
    with pytest.raises(IndexError, match=r"cross_entropy: index 3 is out of range; expected "
                       r"0..2 \(or -100, ignored\)"):
        F.cross_entropy(x, mg.tensor([0, 3, 1, -100], device=device))
    with pytest.raises(IndexError, match="nll_loss: index -1 is out of range"):
        F.nll_loss(x, mg.tensor([0, -1, 1, 2], device=device), ignore_index=1)
    loss = mg.compile(lambda x, t: F.cross_entropy(x, t))
    loss(x, mg.tensor(TARGET, device=device))
    loss(x, mg.tensor(TARGET, device=device))  # replayed
    with pytest.raises(IndexError, match="cross_entropy: index 7 is out of range"):
        loss(x, mg.tensor([0, 1, 7, 0], device=device))
