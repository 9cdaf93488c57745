"""Where a PyTorch habit would silently compute something else, minigrad now does what PyTorch
does or refuses with a message that says what to write instead (issue 14)."""

import numpy as np
import pytest

import minigrad as mg


# -- the Tensor constructor -------------------------------------------------------------------

@pytest.mark.parametrize("data", [[1.0, 2.0], 3.0, (1, 2)])
def test_tensor_constructor_refuses_what_is_not_an_array_and_points_to_mg_tensor(data):
    with pytest.raises(TypeError, match=r"minigrad\.tensor\(data\)"):
        mg.Tensor(data)


def test_tensor_constructor_refuses_a_tensor():
    with pytest.raises(TypeError, match="Tensor\\(Tensor\\)"):
        mg.Tensor(mg.zeros(2))


def test_tensor_constructor_wraps_an_array_as_it_is_and_from_numpy_says_so():
    array = np.zeros(3)
    for t in (mg.Tensor(array), mg.from_numpy(array)):
        assert t.dtype == np.float64 and t.device == "cpu"
        array[0] += 1.0
        assert t.numpy()[0] == array[0]  # shares memory
    copied = mg.tensor(array, dtype="float32")
    array[1] = 5.0
    assert copied.dtype == np.float32 and copied.numpy()[1] == 0.0


def test_from_numpy_refuses_a_list():
    with pytest.raises(TypeError, match="from_numpy.*numpy.ndarray.*minigrad.tensor"):
        mg.from_numpy([1.0])
