"""Augmentation as a sampler: mirror images and shifts, for training data only."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import cross_val_score

from sklinear import HoG, SoftmaxClassifier
from sklinear.augmentation import ImageAugmenter, flip_images, shift_images


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 9, 10, 3), dtype=np.uint8)


def test_flip_mirrors_each_row_and_twice_is_the_identity(images):
    flipped = flip_images(images)
    assert flipped.dtype == images.dtype
    assert_array_equal(flipped[:, :, 0], images[:, :, -1])
    assert_array_equal(flip_images(flipped), images)


@pytest.mark.parametrize("padding", ["constant", "reflect", "edge"])
def test_each_shift_is_a_translation_within_max_shift(images, padding):
    s = 2
    shifted = shift_images(images, s, padding=padding, random_state=0)
    assert shifted.shape == images.shape and shifted.dtype == images.dtype
    height, width = images.shape[1:3]
    for original, moved in zip(images, shifted, strict=True):
        # The one translation (dy, dx), |dy|, |dx| <= s, that puts the original
        # where the shifted image has it.
        def overlap(image, dy, dx):
            return image[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)]

        found = [(dy, dx) for dy in range(-s, s + 1) for dx in range(-s, s + 1)
                 if np.array_equal(overlap(moved, dy, dx), overlap(original, -dy, -dx))]
        assert found, "no translation within max_shift explains the image"
    # Seeded: the same shifts again; another seed, others.
    assert_array_equal(shift_images(images, s, padding=padding, random_state=0),
                       shifted)
    assert not np.array_equal(shift_images(images, s, random_state=1), shifted)


def test_zero_padding_brings_in_zeros():
    image = np.ones((1, 5, 5))
    shifted = shift_images(np.repeat(image, 50, axis=0), 1, random_state=0)
    # Some image moved: a row or column of zeros came in at its border.
    assert (shifted == 0).any() and set(np.unique(shifted)) <= {0.0, 1.0}


@pytest.mark.parametrize("max_shift", [-1, 9, 1.5, "2"])
def test_shift_refuses_impossible_shifts(images, max_shift):
    with pytest.raises(ValueError, match="max_shift must be an integer from 0 to 8"):
        shift_images(images, max_shift)


def test_augmenter_returns_originals_then_copies_with_their_labels(images):
    y = np.arange(12) % 3
    X_res, y_res = ImageAugmenter(max_shift=1, n_shifted=2,
                                  random_state=0).fit_resample(images, y)
    # Originals, mirror images, then two shifted copies of each: 6 batches.
    assert X_res.shape == (72, 9, 10, 3) and X_res.dtype == np.uint8
    assert_array_equal(X_res[:12], images)
    assert_array_equal(X_res[12:24], flip_images(images))
    assert_array_equal(y_res, np.tile(y, 6))
    X_plain, y_plain = ImageAugmenter(flip=False).fit_resample(images, y)
    assert_array_equal(X_plain, images)


def test_augmenter_keeps_flat_rows_flat_and_changes_nothing_it_is_given(images):
    flat = images.reshape(12, -1).astype(np.float32)
    before = flat.copy()
    augmenter = ImageAugmenter(image_shape=(9, 10, 3))
    X_res, y_res = augmenter.fit_resample(flat, [0, 1] * 6)
    assert X_res.shape == (24, 270) and X_res.dtype == np.float32
    assert_array_equal(X_res[12:].reshape(12, 9, 10, 3),
                       flip_images(images).astype(np.float32))
    assert_array_equal(flat, before)
    assert augmenter.image_shape_ == (9, 10, 3) and augmenter.n_features_in_ == 270
    # A list of labels, and a column of them, are labels too.
    _, y_col = ImageAugmenter().fit_resample(images, np.arange(12)[:, None] % 2)
    assert y_col.shape == (24,)


@pytest.mark.parametrize(
    "y, message",
    [
        (np.linspace(0, 1, 12), "Unknown label type"),
        (np.zeros((12, 3), dtype=int), "Unknown label type"),
        (np.arange(5) % 2, "X holds 12 images and y 5 labels"),
    ],
)
def test_augmenter_refuses_targets_that_are_not_labels(images, y, message):
    # imbalanced-learn's check_target_type asks this of every sampler.
    with pytest.raises(ValueError, match=message):
        ImageAugmenter().fit_resample(images, y)


def test_augmenter_refuses_bad_parameters_and_flat_rows_without_a_shape(images):
    with pytest.raises(ValueError, match="max_shift"):
        ImageAugmenter(max_shift=-1).fit_resample(images, np.arange(12) % 2)
    with pytest.raises(ValueError, match="image_shape"):
        ImageAugmenter().fit_resample(images.reshape(12, -1), np.arange(12) % 2)
    augmenter = ImageAugmenter(max_shift=3, padding="edge", random_state=2)
    assert clone(augmenter).get_params() == augmenter.get_params()


class SizeRecorder(ClassifierMixin, BaseEstimator):
    """Remembers how many samples it was fitted on, predicts class 0."""

    def fit(self, X, y):
        self.n_fitted_ = len(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_in_an_imblearn_pipeline_only_the_training_data_is_augmented():
    imblearn = pytest.importorskip(
        "imblearn",
        reason='the pipeline needs imbalanced-learn: pip install ".[augment]"',
    )
    images = np.random.default_rng(0).integers(0, 256, size=(12, 24, 24, 3),
                                               dtype=np.uint8)
    y = np.arange(12) % 2
    model = imblearn.pipeline.make_pipeline(
        ImageAugmenter(max_shift=1, random_state=0), HoG(), SizeRecorder())
    model.fit(images, y)
    assert model[-1].n_fitted_ == 48
    assert model.predict(images).shape == (12,)
    # Cross-validation fits on augmented folds and scores on plain ones.
    model = imblearn.pipeline.make_pipeline(
        ImageAugmenter(), HoG(), SoftmaxClassifier(random_state=0))
    scores = cross_val_score(model, np.concatenate([images] * 2),
                             np.tile(y, 2), cv=2)
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))
