import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklinear.gradient_check import check_gradient, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert grad.shape == x.shape
    assert_allclose(grad, np.cos(x) * x + np.sin(x), rtol=1e-8)


def test_input_is_not_modified_and_f_sees_a_copy():
    x = np.arange(4.0)
    seen = []
    numerical_gradient(lambda v: seen.append(v) or float(v.sum()), x)
    assert_allclose(x, np.arange(4.0))
    assert all(v is not x for v in seen)


def test_relative_error():
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert_allclose(relative_error([1.0], [3.0]), 0.5)
    with pytest.raises(ValueError, match="same shape"):
        relative_error([1.0], [1.0, 2.0])


def test_check_gradient_finds_a_wrong_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 20))

    def f(v):
        return float(np.sum(v**3))

    assert check_gradient(f, x, 3 * x**2) < 1e-8
    assert check_gradient(f, x, 3 * x**2, n_coords=10, random_state=0) < 1e-8
    wrong = 3 * x**2
    wrong[4, 7] += 1.0
    assert check_gradient(f, x, wrong) > 1e-4
    assert check_gradient(f, x, 2 * x**2, n_coords=10, random_state=0) > 0.1


def test_check_gradient_samples_k_coordinates():
    calls = []

    def f(v):
        calls.append(1)
        return float(np.sum(v**2))

    x = np.ones((100, 100))
    check_gradient(f, x, 2 * x, n_coords=7, random_state=0)
    assert len(calls) == 14  # two evaluations per sampled coordinate
    with pytest.raises(ValueError, match="shape of x"):
        check_gradient(f, x, np.ones(3))
