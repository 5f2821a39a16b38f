"""scikit-learn's estimator checks over every detector, with no expected failures."""

from conftest import fast_algan
from sklearn.utils.estimator_checks import parametrize_with_checks

from algan_sklearn import KNNDetector, ZScoreDetector


@parametrize_with_checks(
    [fast_algan(), KNNDetector(), ZScoreDetector()],
    expected_failed_checks=lambda est: {},
)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    # scikit-learn skips its array-API input check (numpy namespace) unless this is
    # set; the check only reads the variable, so set it for the check, not globally.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)
