"""Columns constant in training (up to float rounding): one rule for every detector (``_constant.py``).

A value equal to the training constant up to rounding is normal for that column; any
other value has never been seen, so the row scores below every training row and is
flagged, whatever the column's units and origin. No NaN, no infinity, no warning.
"""

import numpy as np
import pytest
from conftest import fast_algan
from numpy.testing import assert_array_equal
from sklearn.base import clone

from algan_sklearn import ALGANDetector, GaussianMixtureDetector, KNNDetector, ZScoreDetector
from algan_sklearn._constant import ConstantColumns

#: Every detector with each of its options that changes how columns are handled.
OPTIONS = [
    fast_algan(),
    fast_algan(scaling=None),
    fast_algan(scaling="robust"),
    fast_algan(max_centres=32, latent_mixing="coordinate", contamination=0.1),
    fast_algan(calibration_fraction=0.0),
    KNNDetector(n_neighbors=3),
    KNNDetector(method="mean", contamination=0.05),
    ZScoreDetector(),
    ZScoreDetector(method="max"),
    GaussianMixtureDetector(random_state=0),
    GaussianMixtureDetector(max_features=1, random_state=0),
]
IDS = [f"{type(d).__name__}-{i}" for i, d in enumerate(OPTIONS)]


@pytest.fixture(params=OPTIONS, ids=IDS)
def option(request):
    return clone(request.param)


def with_column(n_rows, values, seed=0):
    rng = np.random.RandomState(seed)
    return np.c_[rng.normal(size=(n_rows, 2)), values]


def assert_flagged_below_training(det, X, rows):
    scores = det.score_samples(rows)
    assert np.all(np.isfinite(scores))
    assert scores.max() < det.score_samples(X).min()
    assert_array_equal(det.predict(rows), -1)


def test_rounding_level_column_is_constant(option, no_warnings):
    # 0.3 and 0.1 + 0.2 differ in the last bit: the column is constant.
    rng = np.random.RandomState(0)
    X = with_column(500, np.where(rng.rand(500) < 0.5, 0.3, 0.1 + 0.2))
    option.fit(X)
    assert_array_equal(option.constant_columns_.mask, [False, False, True])
    assert np.isfinite(option.score_samples([[0.0, 0.0, 0.3]])).all()
    assert_flagged_below_training(option, X, np.array([[0.0, 0.0, 1000.0], [50.0, 50.0, 50.0], [0, 0, 0.3001]]))


@pytest.mark.parametrize("constant", [0.0, 20.0, 293.15, -1e5, 1e-310, 0.1, 1e300])
def test_verdict_does_not_depend_on_the_constant(option, constant, no_warnings):
    # Celsius or kelvin, any origin and magnitude: leaving the constant is flagged;
    # the training value (up to rounding) scores exactly as without the column.
    X = with_column(300, np.full(300, constant))
    option.fit(X)
    off = constant + max(3.0, 1e-6 * abs(constant))
    assert_flagged_below_training(option, X, np.array([[0.0, 0.0, off], [0.0, 0.0, -off]]))
    # one spacing off, or 1e-12 off (rounding next to the other columns' ranges, at any origin)
    rows = np.array([[0.0, 0.0, constant], [0.5, -0.5, np.nextafter(constant, np.inf)], [4.0, 4.0, constant + 1e-12]])
    without = clone(option).fit(np.ascontiguousarray(X[:, :2]))
    assert_array_equal(option.score_samples(rows), without.score_samples(rows[:, :2]))
    assert_array_equal(option.predict(rows), without.predict(rows[:, :2]))


def test_zscore_constant_column_no_rounding_std(no_warnings):
    # np.full(500, 0.1) has a rounding-level std of about 1e-15; a row 0.1% off must
    # score below the training rows, finitely, not at -6.5e21.
    X = with_column(500, np.full(500, 0.1))
    det = ZScoreDetector().fit(X)
    scores = det.score_samples([[0.0, 0.0, 0.1001]])
    assert np.isfinite(scores).all() and scores[0] > -1e6
    assert scores[0] < det.score_samples(X).min()


def test_subnormal_constant_no_overflow(no_warnings):
    X = with_column(200, np.full(200, 1e-310))
    det = ZScoreDetector().fit(X)
    assert np.all(np.isfinite(det.std_))
    # 2e-310 is 1e-310 off: rounding next to the other columns (it was flagged when the
    # tolerance was relative to the constant itself, #18 3.5); 1e-6 off is not rounding
    assert_array_equal(det.predict([[0.0, 0.0, 1e-310], [0.0, 0.0, 2e-310], [0.0, 0.0, 1e-6]]), [1, 1, -1])


def test_every_column_constant(option, no_warnings):
    X = np.tile([[3.0, -1.0, 0.3]], (100, 1))  # 20 held-out rows: enough for contamination=0.05
    option.fit(X)
    assert_array_equal(option.score_samples(X[:2]), 0.0)
    assert_array_equal(option.predict(X[:2]), 1)
    scores = option.score_samples([[3.0, -1.0, 0.4], [4.0, 0.0, 0.4]])
    assert np.all(scores < 0) and scores[1] < scores[0]


def test_more_unseen_columns_score_lower(option, no_warnings):
    X = np.c_[np.random.RandomState(0).normal(size=(200, 2)), np.full(200, 1.0), np.full(200, 2.0)]
    option.fit(X)
    one, two = option.score_samples([[0.0, 0.0, 1.5, 2.0], [0.0, 0.0, 1.5, 2.5]])
    assert two < one


def test_float32_input_matches_float32_rounding(no_warnings):
    X = with_column(200, np.full(200, 0.1))
    for det in [ZScoreDetector(), fast_algan()]:
        det.fit(X)
        assert det.predict(np.array([[0.0, 0.0, 0.1]], dtype=np.float32))[0] == 1
        assert det.predict(np.array([[0.0, 0.0, 0.11]], dtype=np.float32))[0] == -1


def test_algan_sample_keeps_constant_columns():
    X = with_column(100, np.full(100, 7.0))
    rows = fast_algan().fit(X).sample(5, random_state=0)
    assert rows.shape == (5, 3)
    assert_array_equal(rows[:, 2], 7.0)


def test_rule_boundaries():
    # #18 3.5: a column is constant when it varies by at most 4 float spacings at its
    # value (no longer 1e-9 of its value: that tolerance was 0 at the origin 0)
    def column(*head):
        return np.r_[head, np.full(50 - len(head), head[0])]

    ulp = np.spacing(100.0)
    X = np.c_[
        np.linspace(0.0, 1.0, 50),  # a measured column: range 1
        np.full(50, 100.0),  # spread 0
        column(100.0, 100.0 + 4 * ulp),  # 4 spacings: rounding, constant
        column(100.0, 100.0 + 5e-8),  # 3.5e6 spacings: measured, not constant
        column(1e308, -1e308),  # the spread overflows: not constant
        column(0.0, -0.0),  # signed zeros: constant
        column(1e300, np.nextafter(1e300, 0)),  # one spacing at 1e300: constant
    ]
    rule = ConstantColumns(X)
    assert_array_equal(rule.mask, [False, True, True, False, False, True, True])
    assert rule.scale == (100.0 + 5e-8) - 100.0  # the smallest range of the varying columns
    # float32 input: rounding is float32's
    assert_array_equal(ConstantColumns(X[:, :4].astype(np.float32)).mask, [False, True, True, True])


@pytest.mark.parametrize("units", [1.0, 1e-3, 1e6])
def test_verdict_on_an_offset_is_the_same_at_every_origin(units):
    # #18 3.5: c + 1e-12 was flagged for c = 0 and accepted for c = 20 or 293.15. Now
    # the verdict on c + delta depends on delta (in the data's units), not on c.
    rng = np.random.RandomState(0)
    verdicts = []
    for c in [0.0, 20.0, 293.15, -1e5, 1e-310]:
        X = np.c_[rng.normal(size=(300, 2)), np.full(300, c)] * units
        rule = ConstantColumns(X)
        assert_array_equal(rule.mask, [False, False, True])
        offsets = np.array([1e-12, 1e-10, 1e-7, 1e-3, 1.0]) * units
        rows = np.c_[np.zeros((2 * len(offsets), 2)), c * units + np.r_[offsets, -offsets]]
        verdicts.append(rule.unseen(rows).ravel())
    assert_array_equal(verdicts, [[False, False, True, True, True] * 2] * len(verdicts))


SCALED = [
    fast_algan(max_iter=20),
    KNNDetector(n_neighbors=3),
    ZScoreDetector(),
    GaussianMixtureDetector(max_components=2, random_state=0),
]


@pytest.mark.parametrize("det", SCALED, ids=lambda d: type(d).__name__)
@pytest.mark.parametrize("constant", [0.0, 20.0, 293.15, 1e5])
def test_one_spacing_off_is_the_constant_with_and_without_a_scaler(det, constant, no_warnings):
    # #18 3.5: behind a StandardScaler the constant becomes about 0 (the scaler's mean
    # is one spacing off 293.15), and a value one spacing off the training constant
    # became a residual of 6e-14 there, which a tolerance relative to the value flagged.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = with_column(200, np.full(200, constant))
    rows = np.array([[0.0, 0.0, constant], [0.0, 0.0, np.nextafter(constant, np.inf)]])
    rows = np.r_[rows, [[0.0, 0.0, np.nextafter(constant, -np.inf)], [0.0, 0.0, constant + 1.0]]]
    for model in (clone(det), make_pipeline(StandardScaler(), clone(det))):
        model.fit(X)
        scores = model.score_samples(rows)
        assert_array_equal(scores[:3], scores[0])
        assert_array_equal(model.predict(rows), [1, 1, 1, -1])


def test_unseen_rows_stay_finite_at_extremes(no_warnings):
    X = with_column(100, np.full(100, 1.0))
    det = ALGANDetector(max_iter=20, random_state=0).fit(X)
    scores = det.score_samples([[1e308, -1e308, -1e308], [0.0, 0.0, 1e308]])
    assert np.all(np.isfinite(scores)) and scores.max() < det.score_samples(X).min()
