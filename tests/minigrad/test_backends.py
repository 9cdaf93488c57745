"""``mg.backends``, PyTorch's ``torch.backends`` with minigrad's answers: availability as minigrad
sees it, flags that read back what was set, a warning for a value minigrad does not honour, and a
refusal for a misspelt flag."""

import importlib.util
import warnings

import pytest

import minigrad as mg
import minigrad.backends.cudnn as cudnn  # the DCGAN example's import


@pytest.fixture
def restore_flags():
    """Flags are the process's: forget what a test set (each then reads minigrad's default)."""
    yield
    for flags in (cudnn, mg.backends.cuda.matmul):
        for name in [key for key in vars(flags) if key.startswith("_set_")]:
            del vars(flags)[name]


def test_availability_is_minigrads():
    assert mg.backends.cuda.is_built() == (importlib.util.find_spec("cupy") is not None)
    assert not mg.backends.mps.is_available() and not mg.backends.mps.is_built()
    assert not cudnn.is_available() and cudnn.version() is None
    if not mg.backends.cuda.is_built():
        assert not mg.backends.cuda_available()


@pytest.mark.parametrize("flag", ["benchmark", "enabled", "allow_tf32"])
def test_a_cudnn_flag_set_to_true_warns_and_reads_back(flag, restore_flags):
    assert getattr(cudnn, flag) is False
    with pytest.warns(UserWarning, match=f"cudnn.{flag} = True is not honoured by minigrad"):
        setattr(cudnn, flag, True)
    assert getattr(cudnn, flag) is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        setattr(cudnn, flag, False)  # what minigrad does: nothing to say
    assert getattr(cudnn, flag) is False


def test_deterministic_warns_only_where_a_gpu_could_break_it(restore_flags):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cudnn.deterministic = True
    assert cudnn.deterministic is True
    assert len(caught) == (1 if mg.backends.cuda_available() else 0)
    if caught:
        assert "scatter-add" in str(caught[0].message)


def test_matmul_allow_tf32_is_cupys_environment_variable(monkeypatch, restore_flags):
    monkeypatch.setenv("CUPY_TF32", "0")
    assert mg.backends.cuda.matmul.allow_tf32 is False
    with pytest.warns(UserWarning, match="CUPY_TF32=1"):
        mg.backends.cuda.matmul.allow_tf32 = True
    monkeypatch.setenv("CUPY_TF32", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mg.backends.cuda.matmul.allow_tf32 = True


def test_a_misspelt_or_non_boolean_flag_is_refused():
    with pytest.raises(AttributeError, match="cudnn has no flag 'benchmrk'; its flags are "
                                             r"\['allow_tf32', 'benchmark'"):
        cudnn.benchmrk = True
    with pytest.raises(AttributeError, match="matmul has no flag 'allow_tf33'"):
        mg.backends.cuda.matmul.allow_tf33 = True
    with pytest.raises(TypeError, match="cudnn.benchmark: expected True or False, got 1"):
        cudnn.benchmark = 1
