"""pandas in: DataFrames, feature-name validation, set_output pipelines and grid searches."""

import warnings

import numpy as np
import pytest
from conftest import fast_algan
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from algan_sklearn.metrics import make_outlier_scorer
from algan_sklearn.model_selection import InlierOnlyStratifiedKFold

pd = pytest.importorskip("pandas")

COLUMNS = ["age", "bmi", "glucose", "pressure"]


@pytest.fixture
def frame(blob):
    return pd.DataFrame(blob, columns=COLUMNS)


def test_dataframe_in_scores_like_the_array(detector, frame):
    det = detector.fit(frame)
    np.testing.assert_array_equal(det.feature_names_in_, COLUMNS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_frame = det.score_samples(frame)
    assert isinstance(from_frame, np.ndarray) and from_frame.shape == (len(frame),)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = det.score_samples(frame.to_numpy())
    np.testing.assert_array_equal(from_frame, from_array)
    np.testing.assert_array_equal(det.decision_function(frame), from_frame - det.offset_)


def test_feature_names_are_validated(detector, frame):
    det = detector.fit(frame)
    with pytest.raises(ValueError, match="feature names should match"):
        det.score_samples(frame[COLUMNS[::-1]])
    with pytest.raises(ValueError, match="feature names"):
        det.score_samples(frame.rename(columns={"bmi": "weight"}))
    array_fitted = detector.fit(frame.to_numpy())
    with pytest.warns(UserWarning, match="was fitted without feature names"):
        array_fitted.score_samples(frame)


def test_extension_and_integer_dtypes(frame):
    mixed = frame.astype({"age": "Float64"}).assign(glucose=(frame["glucose"] * 10).round().astype("int64"))
    det = fast_algan().fit(mixed)
    assert np.all(np.isfinite(det.score_samples(mixed)))


def test_pipeline_with_pandas_output(frame):
    pipe = make_pipeline(StandardScaler(), fast_algan()).set_output(transform="pandas")
    pipe.fit(frame)
    algan = pipe[-1]
    np.testing.assert_array_equal(algan.feature_names_in_, COLUMNS)  # got a DataFrame from the scaler
    np.testing.assert_array_equal(pipe.feature_names_in_, COLUMNS)
    assert isinstance(pipe[0].transform(frame), pd.DataFrame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = pipe.score_samples(frame)
    assert scores.shape == (len(frame),)


def test_grid_search_with_dataframe_and_series(frame):
    rng = np.random.RandomState(1)
    anomalies = pd.DataFrame(rng.normal(5.0, 1.0, size=(20, 4)), columns=COLUMNS)
    X = pd.concat([frame, anomalies], ignore_index=True)
    y = pd.Series(["normal"] * len(frame) + ["anomaly"] * len(anomalies), name="label")
    search = GridSearchCV(
        make_pipeline(StandardScaler(), fast_algan()).set_output(transform="pandas"),
        {"algandetector__sigma": [2.0, 4.0]},
        cv=InlierOnlyStratifiedKFold(3, anomaly_label="anomaly"),
        scoring=make_outlier_scorer("roc_auc", anomaly_label="anomaly"),
        refit=False,
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(X, y)
    assert np.all(search.cv_results_["mean_test_score"] > 0.9)


@pytest.mark.parametrize("contamination", ["auto", 0.1])
def test_fit_on_dataframe_is_quiet(detector, frame, contamination):
    detector.set_params(contamination=contamination)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        detector.fit(frame)
