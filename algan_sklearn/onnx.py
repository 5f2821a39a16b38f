"""Export a fitted ALGANDetector (alone or at the end of a Pipeline) to ONNX.

:func:`to_onnx` registers a converter with `skl2onnx <https://onnx.ai/sklearn-onnx/>`_
(:func:`register_converters`) and converts. The score is not written here: the converter
exports the fitted ``score_network_`` (the torch module that scores in the package) with
torch's ONNX exporter and splices its nodes into the skl2onnx graph, so a new score term
needs no ONNX code. Around it the graph applies the input scaling and its radial clamp
(in float64, as the package does), the constant-column rule and ``offset_``. Needs the
``onnx`` extra: ``pip install 'algan-sklearn[onnx]'``. Read more in the User Guide
(:ref:`onnx_export`).
"""

import io
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["register_converters", "to_onnx"]

#: ONNX opsets supported: from 13 (ReduceSum's axes an input) to the TorchScript exporter's highest.
MIN_OPSET, MAX_OPSET = 13, 20

def _parser(scope, model, inputs, custom_parsers=None):
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

    operator = scope.declare_local_operator("AlganSklearnALGANDetector", model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("score_samples", FloatTensorType()))
    return operator.outputs


def _shape_calculator(operator):
    for output in operator.outputs:
        output.type.shape = [operator.inputs[0].get_first_dimension()]


class _Graph:
    """Nodes and initializers added to a skl2onnx container, every name unique in its scope."""

    def __init__(self, scope, container):
        from onnx import TensorProto

        self.scope, self.container = scope, container
        self.opset = container.target_opset_any_domain("")
        self.FLOAT, self.DOUBLE, self.INT64 = TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.INT64

    def name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def const(self, value, hint, dtype=np.float64):
        """An initializer holding ``value`` (an array or a number) as ``dtype``."""
        from onnx import helper

        array, name = np.ascontiguousarray(value, dtype=dtype), self.name(hint)
        self.container.add_initializer(name, helper.np_dtype_to_tensor_dtype(array.dtype), array.shape, array.ravel())
        return name

    def op(self, op_type, inputs, hint=None, output=None, **attrs):
        """Add one node; returns the name of its (single) output."""
        output = output or self.name(hint or op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, list(inputs), [output], name=name, **attrs)
        return output

    def reduce(self, op_type, x, axis, keepdims, hint=None):
        """``op_type`` (ReduceSum or ReduceMax) over ``axis``: axes are an input from opset 13 / 18 on."""
        if self.opset >= (13 if op_type == "ReduceSum" else 18):
            return self.op(op_type, [x, self.const([axis], "axes", np.int64)], hint, keepdims=keepdims)
        return self.op(op_type, [x], hint, axes=[axis], keepdims=keepdims)


def _logaddexp_symbolic(g, a, b):
    """ONNX for ``torch.logaddexp`` (the TorchScript exporter has none): ``max + softplus(-|a - b|)``.

    Stable for far rows, where both terms are large and negative; ``a == b`` (both
    ``-inf`` included) gives ``a``, as torch does.
    """
    high = g.op("Max", a, b)
    gap = g.op("Neg", g.op("Abs", g.op("Sub", a, b)))
    return g.op("Where", g.op("Equal", a, b), a, g.op("Add", high, g.op("Softplus", gap)))


def _export_score_network(network, n_features, opset):
    """``network`` (scaled float32 rows (n, d) -> scores (n,)) as an ONNX ModelProto with a dynamic batch."""
    import onnx
    import torch

    from ._networks import SCORE_TILE_ROWS

    param = next(network.parameters())
    # Traced at one tile's rows: a loop whose chunk size depends on the rows of a pass
    # (the 'coordinate' density) is unrolled as the package runs it; the batch axis stays dynamic.
    example = torch.zeros((SCORE_TILE_ROWS, n_features), dtype=param.dtype, device=param.device)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # the TorchScript-based exporter (dynamo=False) and its helpers are deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)  # row counts read as constants
        torch.onnx.register_custom_op_symbolic("aten::logaddexp", _logaddexp_symbolic, 9)
        try:
            torch.onnx.export(
                network, (example,), buffer, dynamo=False, opset_version=opset, input_names=["x"],
                output_names=["score"], dynamic_axes={"x": {0: "n"}, "score": {0: "n"}},
            )  # fmt: skip
        finally:
            torch.onnx.unregister_custom_op_symbolic("aten::logaddexp", 9)
    return onnx.load_from_string(buffer.getvalue())


def _splice(graph, model, x):
    """Add ``model``'s nodes and initializers, fed from ``x``, every name made unique; returns its output."""
    from onnx import AttributeProto, helper, numpy_helper

    if any(o.domain not in ("", "ai.onnx") for o in model.opset_import):
        raise RuntimeError(f"the exported score network uses non-standard ONNX domains: {model.opset_import}")
    (inp,), (out,) = model.graph.input, model.graph.output
    names, output = {inp.name: x}, graph.name("network_score")
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        names[init.name] = graph.name("score_" + init.name)
        graph.container.add_initializer(names[init.name], init.data_type, list(array.shape), array.ravel())
    for node in model.graph.node:
        if any(a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS) for a in node.attribute):
            raise RuntimeError(f"the exported score network has a subgraph ({node.op_type}): not supported")
        inputs = list(node.input)
        while inputs and not inputs[-1]:  # omitted optional inputs (skl2onnx cannot sort '')
            inputs.pop()
        if "" in inputs:
            raise RuntimeError(f"the exported score network omits a middle input of {node.op_type}: not supported")
        for name in node.output:
            names[name] = output if name == out.name else graph.name("score_" + name)
        graph.container.add_node(
            node.op_type,
            [names[name] for name in inputs],
            [names[name] for name in node.output],
            name=graph.scope.get_unique_operator_name("score_" + node.op_type),
            **{a.name: helper.get_attribute_value(a) for a in node.attribute},
        )
    if names.get(out.name) != output:  # the output is an input or an initializer
        graph.op("Identity", [names[out.name]], output=output)
    return output


def _scaled(graph, X, model):
    """``_scaling.scale_rows`` in float64, then float32: offsets such as ``1e5 + N(0, 1)`` keep their precision."""
    from ._networks import INPUT_CLAMP

    Z = graph.op("Cast", [X], "x64", to=graph.DOUBLE)
    Z = graph.op("Div", [Z, graph.const(model.feature_scale_, "feature_scale")], "pow2_scaled")
    if model.scaler_ is not None:
        center = getattr(model.scaler_, "mean_", None)
        center = model.scaler_.center_ if center is None else center
        Z = graph.op("Sub", [Z, graph.const(center, "center")], "centred")
        Z = graph.op("Div", [Z, graph.const(model.scaler_.scale_, "scale")], "standardised")
    # the radial clamp; an overflowing value (inf) is first brought to 1e300 so its direction is kept
    Z = graph.op("Clip", [Z, graph.const(-1e300, "low"), graph.const(1e300, "high")], "clipped")
    row_max = graph.reduce("ReduceMax", graph.op("Abs", [Z]), axis=1, keepdims=1, hint="row_max")
    ratio = graph.op("Div", [graph.const([INPUT_CLAMP], "clamp"), row_max], "clamp_ratio")
    shrink = graph.op("Min", [ratio, graph.const([1.0], "one")], "shrink")  # 1 for every row inside
    Z = graph.op("Mul", [Z, shrink], "clamped")
    return graph.op("Cast", [Z], "scaled", to=graph.FLOAT)


def _cap_constant_columns(graph, X, score, constant):
    """The constant-column rule of ``_constant.ConstantColumns.cap`` for float32 input, in float64."""
    if not constant.mask.any() or constant.floor is None:
        return score
    columns = graph.const(np.flatnonzero(constant.mask), "constant_columns", np.int64)
    Xc = graph.op("Cast", [graph.op("Gather", [X, columns], axis=1)], "constant_x64", to=graph.DOUBLE)
    # the package's bounds for float32 rows (``ConstantColumns.bounds``: float32 rounding)
    low, high = constant.bounds(np.float32)
    below = graph.op("Less", [Xc, graph.const(low, "constant_low")])
    above = graph.op("Greater", [Xc, graph.const(high, "constant_high")])
    unseen = graph.op("Cast", [graph.op("Or", [below, above])], "unseen", to=graph.DOUBLE)
    count = graph.reduce("ReduceSum", unseen, axis=1, keepdims=0, hint="n_unseen")
    capped = graph.op("Min", [score, graph.const([constant.floor], "floor")])
    extra = graph.op("Sub", [count, graph.const([1.0], "one")])  # unseen columns beyond the first
    penalty = graph.op("Mul", [extra, graph.const([constant.margin], "margin")])
    lowest = graph.const([-np.finfo(np.float64).max], "lowest")
    capped = graph.op("Max", [graph.op("Sub", [capped, penalty]), lowest], "capped")
    any_unseen = graph.op("Greater", [count, graph.const([0.0], "zero")])
    return graph.op("Where", [any_unseen, capped, score], "score_capped")


def _converter(scope, operator, container):
    model = operator.raw_operator
    graph = _Graph(scope, container)
    if not MIN_OPSET <= graph.opset <= MAX_OPSET:
        raise ValueError(f"ALGANDetector converts to ONNX opsets {MIN_OPSET} to {MAX_OPSET}, not {graph.opset}")
    X = operator.inputs[0].full_name
    constant = model.constant_columns_
    kept = np.flatnonzero(constant.keep)
    if len(kept):
        Xk = X if constant.keep.all() else graph.op("Gather", [X, graph.const(kept, "kept", np.int64)], axis=1)
        network = _export_score_network(model.score_network_, len(kept), graph.opset)
        score32 = _splice(graph, network, _scaled(graph, Xk, model))
        score = graph.op("Cast", [score32], "score64", to=graph.DOUBLE)
    else:  # every training column constant: 0 before the cap, as in the package
        n = graph.op("Gather", [graph.op("Shape", [X]), graph.const([0], "first", np.int64)], "n_rows")
        from onnx import numpy_helper

        score = graph.op("ConstantOfShape", [n], "zeros", value=numpy_helper.from_array(np.zeros(1)))
    score = _cap_constant_columns(graph, X, score, constant)
    # a NaN anywhere in a row (a constant column included) makes its score NaN and its label -1
    nan = graph.op("Cast", [graph.op("IsNaN", [X])], "nan_cells", to=graph.DOUBLE)
    nan_row = graph.op("Greater", [graph.reduce("ReduceSum", nan, axis=1, keepdims=0), graph.const([0.0], "zero")])
    score = graph.op("Where", [nan_row, graph.const([np.nan], "nan"), score], "score_or_nan")
    # +1 where score >= offset_ (decision_function >= 0); NaN compares false, so it is -1
    inlier = graph.op("GreaterOrEqual", [score, graph.const([model.offset_], "offset")])
    signs = [graph.const([1], "inlier", np.int64), graph.const([-1], "outlier", np.int64)]
    graph.op("Where", [inlier, *signs], output=operator.outputs[0].full_name)
    graph.op("Cast", [score], output=operator.outputs[1].full_name, to=graph.FLOAT)


class _ExactScaler(TransformerMixin, BaseEstimator):
    """A fitted StandardScaler, RobustScaler or MaxAbsScaler, converted as scikit-learn computes it.

    skl2onnx's scalers round a RobustScaler's centre to float32 (by up to 0.004 at
    ``1e5``): ALGAN's scores then move by up to 1e-2 relative on data far from the
    origin. Here each in-place step of the scaler (``X -= center``, ``X /= scale``) is
    computed in float64 and rounded to float32, as numpy does for a float32 array, with
    the parameters as scikit-learn uses them (StandardScaler casts them to the rows' dtype).
    """

    def __init__(self, scaler):
        self.scaler = scaler

    @property
    def steps(self):
        """``[(op_type, value), ...]``: the scaler's in-place operations on float32 rows, in order."""
        from sklearn.preprocessing import RobustScaler, StandardScaler

        sc = self.scaler
        if isinstance(sc, StandardScaler):  # scikit-learn casts mean_ and scale_ to the rows' dtype
            steps = [("Sub", sc.mean_, sc.with_mean), ("Div", sc.scale_, sc.with_std)]
            return [(op, value.astype(np.float32)) for op, value, on in steps if on]
        if isinstance(sc, RobustScaler):
            steps = [("Sub", sc.center_, sc.with_centering), ("Div", sc.scale_, sc.with_scaling)]
            return [(op, value) for op, value, on in steps if on]
        return [("Div", sc.scale_)] + ([("Clip", (-1.0, 1.0))] if getattr(sc, "clip", False) else [])  # MaxAbs


def _exact_scaler_converter(scope, operator, container):
    graph = _Graph(scope, container)
    x, out = operator.inputs[0].full_name, operator.outputs[0].full_name
    steps = operator.raw_operator.steps
    if not steps:
        graph.op("Identity", [x], output=out)
    for i, (op_type, value) in enumerate(steps):
        values = [graph.const(v, "bound") for v in value] if op_type == "Clip" else [graph.const(value, "param")]
        x64 = graph.op(op_type, [graph.op("Cast", [x], to=graph.DOUBLE), *values])
        x = graph.op("Cast", [x64], output=out if i == len(steps) - 1 else None, to=graph.FLOAT)


def _exact_scalers(estimator):
    """``estimator`` with the scalers of a Pipeline's earlier steps replaced by :class:`_ExactScaler`."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler, RobustScaler, StandardScaler

    if not isinstance(estimator, Pipeline):
        return estimator
    steps = [
        (name, _ExactScaler(step) if type(step) in (StandardScaler, RobustScaler, MaxAbsScaler) else step)
        for name, step in estimator.steps
    ]
    converted = Pipeline.__new__(Pipeline)  # no validation of the (fitted) steps
    converted.__dict__.update(estimator.__dict__, steps=steps)
    return converted


def register_converters():
    """Register the ALGANDetector converter with skl2onnx (idempotent).

    Raises
    ------
    ImportError
        If skl2onnx is not installed.
    """
    from skl2onnx import update_registered_converter
    from skl2onnx.shape_calculators.scaler import calculate_sklearn_scaler_output_shapes

    from ._detector import ALGANDetector

    update_registered_converter(
        ALGANDetector, "AlganSklearnALGANDetector", _shape_calculator, _converter, parser=_parser, overwrite=True
    )
    update_registered_converter(
        _ExactScaler, "AlganSklearnExactScaler", calculate_sklearn_scaler_output_shapes, _exact_scaler_converter
    )


def _detector_of(estimator):
    """The fitted ALGANDetector that ``estimator`` is or ends in; a clear error for anything else."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from ._detector import ALGANDetector

    detector = estimator.steps[-1][1] if isinstance(estimator, Pipeline) and estimator.steps else estimator
    if not isinstance(detector, ALGANDetector):
        what = type(detector).__name__ if detector is estimator else f"a Pipeline ending in {type(detector).__name__}"
        raise TypeError(
            "to_onnx converts an ALGANDetector, or a Pipeline whose last step is an ALGANDetector (earlier steps "
            f"need skl2onnx converters, as scikit-learn's scalers have); got {what}. Other detectors of the "
            "package have no ONNX converter."
        )
    check_is_fitted(detector)
    return detector


def _n_features(estimator, n_features):
    """``n_features`` as an int: given as such, taken from a sample array's shape, or the fitted one."""
    fitted = getattr(estimator, "n_features_in_", None)
    if n_features is None:
        return int(fitted)
    if isinstance(n_features, (int, np.integer)) and not isinstance(n_features, bool):
        return int(n_features)
    shape = np.shape(n_features) if hasattr(n_features, "shape") or isinstance(n_features, (list, tuple)) else ()
    if len(shape) != 2:
        raise TypeError(
            "n_features must be an int or a sample of rows of shape (n_samples, n_features), as "
            f"skl2onnx.to_onnx(model, X) takes; got {type(n_features).__name__} of shape {shape}"
        )
    if fitted is not None and shape[1] != fitted:
        raise ValueError(f"the sample has {shape[1]} features, but the estimator was fitted on {fitted}")
    return int(shape[1])


def to_onnx(estimator, n_features=None, *, target_opset=18):
    """Convert a fitted ALGANDetector, or a Pipeline ending in one, to an ONNX model.

    Parameters
    ----------
    estimator : ALGANDetector or Pipeline
        Fitted. Pipeline steps before the detector must have skl2onnx converters
        (scikit-learn's scalers do; they are converted to compute in float64, as the
        package does). Other detectors of the package (and ``ConformalDetector``) have
        no converter: a TypeError says so.
    n_features : int or array-like of shape (n_samples, n_features), optional
        Number of input columns, or a sample of rows (skl2onnx's
        ``to_onnx(model, X)`` convention) whose number of columns is used; default
        ``estimator.n_features_in_``. The graph's input is float32 whatever the
        sample's dtype.
    target_opset : int, default=18
        ONNX opset, from 13 to 20 (the TorchScript-based exporter of torch, which
        exports the score network, stops at 20).

    Returns
    -------
    onnx.ModelProto
        Input ``X`` (float32 only, shape (n_samples, n_features)); outputs ``label``
        (int64, shape (n_samples,), +1 / -1) and ``score_samples`` (float32, shape
        (n_samples,)). A row with a NaN in any column gets score NaN and label -1 (the
        package raises ValueError for it).

    Raises
    ------
    ImportError
        If skl2onnx is not installed (``pip install 'algan-sklearn[onnx]'``).
    TypeError
        If ``estimator`` is neither an ALGANDetector nor a Pipeline ending in one.
    sklearn.exceptions.NotFittedError
        If the detector is not fitted.

    Notes
    -----
    The graph takes float32 only: onnxruntime rejects float64 input with its own
    ``INVALID_ARGUMENT : Unexpected input data type`` error, which no converter can
    change. Cast first: ``session.run(None, {"X": X.astype(np.float32)})``.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from algan_sklearn import ALGANDetector
    >>> from algan_sklearn.onnx import to_onnx
    >>> X = np.random.RandomState(0).normal(size=(300, 3)).astype(np.float32)
    >>> det = ALGANDetector(max_iter=50, random_state=0).fit(X)
    >>> session = ort.InferenceSession(to_onnx(det).SerializeToString(), providers=["CPUExecutionProvider"])
    >>> label, score = session.run(None, {"X": X[:5]})
    >>> bool(np.allclose(score, det.score_samples(X[:5]), rtol=1e-4))
    True
    """
    try:
        import skl2onnx
        from skl2onnx.common.data_types import FloatTensorType
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("ONNX export needs skl2onnx: pip install 'algan-sklearn[onnx]'") from exc
    _detector_of(estimator)
    n = _n_features(estimator, n_features)
    register_converters()
    return skl2onnx.to_onnx(
        _exact_scalers(estimator), initial_types=[("X", FloatTensorType([None, n]))], target_opset=target_opset
    )
