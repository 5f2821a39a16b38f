"""Export a fitted ALGANDetector (alone or at the end of a Pipeline) to ONNX.

:func:`to_onnx` registers a converter with `skl2onnx <https://onnx.ai/sklearn-onnx/>`_
(:func:`register_converters`) and converts: the graph takes ``X`` (float32, shape
(n_samples, n_features)) and returns ``label`` (int64, +1 inlier / -1 outlier) and
``score_samples`` (float32), computed as the package computes them: the constant-column
rule, the input scaling and its radial clamp, D's forward pass and the closed-form
``log n(x)``. onnxruntime then scores without Python or torch. Needs the ``onnx``
extra: ``pip install 'algan-sklearn[onnx]'``. Read more in the User Guide
(:ref:`onnx_export`).
"""

import math

import numpy as np

__all__ = ["register_converters", "to_onnx"]

_LOG_2PI = math.log(2.0 * math.pi)


def _ops():
    from skl2onnx.algebra import onnx_ops

    return onnx_ops


def _parser(scope, model, inputs, custom_parsers=None):
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

    operator = scope.declare_local_operator("AlganSklearnALGANDetector", model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("score_samples", FloatTensorType()))
    return operator.outputs


def _shape_calculator(operator):
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type.shape = [n]
    operator.outputs[1].type.shape = [n]


def _const(array):
    return np.ascontiguousarray(array, dtype=np.float32)


def _logaddexp(a, b, opv):
    """Stable ``log(exp(a) + exp(b))`` of two ONNX expressions."""
    ops = _ops()
    high = ops.OnnxMax(a, b, op_version=opv)
    low = ops.OnnxMin(a, b, op_version=opv)
    gap = ops.OnnxExp(ops.OnnxSub(low, high, op_version=opv), op_version=opv)
    return ops.OnnxAdd(
        high, ops.OnnxLog(ops.OnnxAdd(gap, _const([1.0]), op_version=opv), op_version=opv), op_version=opv
    )


def _log_density(Z, model, opv):
    """``log n(x)`` of ``GeneratedLogDensity`` (``_density.py``) on the scaled rows ``Z``."""
    ops = _ops()
    density = model.log_density_
    k, d = density.n_components, density.n_features
    alpha, sigma, mixing = density.alpha, density.sigma, density.mixing
    u = ops.OnnxAdd(
        ops.OnnxMatMul(Z, _const(density.whiten_flat.cpu().numpy()), op_version=opv),
        _const(density.neg_shift.cpu().numpy()),
        op_version=opv,
    )
    u = ops.OnnxReshape(u, np.array([-1, k, d], dtype=np.int64), op_version=opv)
    u2 = ops.OnnxMul(u, u, op_version=opv)
    r2 = ops.OnnxReduceSumApi11(u2, axes=[-1], keepdims=0, op_version=opv)  # (n, k)
    constant = -0.5 * d * _LOG_2PI
    early = ops.OnnxAdd(ops.OnnxMul(r2, _const([-0.5]), op_version=opv), _const([constant]), op_version=opv)
    if alpha >= 1.0:
        final = early
    else:
        la, lb, ls = math.log(alpha), math.log1p(-alpha), math.log(sigma)
        if mixing == "sample":
            t1 = ops.OnnxAdd(ops.OnnxMul(r2, _const([-0.5]), op_version=opv), _const([la]), op_version=opv)
            t2 = ops.OnnxAdd(
                ops.OnnxMul(r2, _const([-0.5 / sigma**2]), op_version=opv), _const([lb - d * ls]), op_version=opv
            )
            final = ops.OnnxAdd(_logaddexp(t1, t2, opv), _const([constant]), op_version=opv)
        else:
            t1 = ops.OnnxAdd(ops.OnnxMul(u2, _const([-0.5]), op_version=opv), _const([la]), op_version=opv)
            t2 = ops.OnnxAdd(
                ops.OnnxMul(u2, _const([-0.5 / sigma**2]), op_version=opv), _const([lb - ls]), op_version=opv
            )
            per_coordinate = _logaddexp(t1, t2, opv)
            final = ops.OnnxAdd(
                ops.OnnxReduceSumApi11(per_coordinate, axes=[-1], keepdims=0, op_version=opv),
                _const([constant]),
                op_version=opv,
            )
    is_final = density.is_final.cpu().numpy()
    per_component = final if is_final.all() else ops.OnnxWhere(is_final, final, early, op_version=opv)
    logits = ops.OnnxAdd(per_component, _const(density.log_weights.cpu().numpy()), op_version=opv)
    top = ops.OnnxReduceMaxApi18(logits, axes=[-1], keepdims=1, op_version=opv)
    total = ops.OnnxReduceSumApi11(
        ops.OnnxExp(ops.OnnxSub(logits, top, op_version=opv), op_version=opv), axes=[-1], keepdims=1, op_version=opv
    )
    out = ops.OnnxAdd(ops.OnnxLog(total, op_version=opv), top, op_version=opv)
    return ops.OnnxReshape(out, np.array([-1], dtype=np.int64), op_version=opv)


def _discriminator(Z, model, opv):
    """D's logit ``b + bound * tanh(mlp(Z) / bound)`` (``_networks.py``)."""
    from ._networks import LEAKY_SLOPE

    ops = _ops()
    disc = model.discriminator_
    h = Z
    linears = [m for m in disc.net if hasattr(m, "weight")]
    for i, layer in enumerate(linears):
        weight = _const(layer.weight.detach().cpu().numpy().T)
        h = ops.OnnxAdd(
            ops.OnnxMatMul(h, weight, op_version=opv), _const(layer.bias.detach().cpu().numpy()), op_version=opv
        )
        if i < len(linears) - 1:
            h = ops.OnnxLeakyRelu(h, alpha=LEAKY_SLOPE, op_version=opv)
    h = ops.OnnxReshape(h, np.array([-1], dtype=np.int64), op_version=opv)
    bound = disc.logit_bound
    squashed = ops.OnnxTanh(ops.OnnxMul(h, _const([1.0 / bound]), op_version=opv), op_version=opv)
    return ops.OnnxAdd(
        ops.OnnxMul(squashed, _const([bound]), op_version=opv), _const([float(disc.bias.detach())]), op_version=opv
    )


def _scaled(X, model, opv):
    """The detector's ``_scale``: per-feature affine map, then the radial clamp."""
    from ._networks import INPUT_CLAMP

    ops = _ops()
    factor = 1.0 / model.feature_scale_
    shift = np.zeros_like(factor)
    if model.scaler_ is not None:
        center = getattr(model.scaler_, "mean_", None)
        center = model.scaler_.center_ if center is None else center
        factor = factor / model.scaler_.scale_
        shift = -center / model.scaler_.scale_
    Z = ops.OnnxAdd(ops.OnnxMul(X, _const(factor), op_version=opv), _const(shift), op_version=opv)
    # float32 overflow (huge inputs) becomes the largest float32, so the clamp below keeps the
    # direction instead of producing inf * 0 = NaN
    big = float(np.finfo(np.float32).max)
    Z = ops.OnnxClip(Z, np.array(-big, dtype=np.float32), np.array(big, dtype=np.float32), op_version=opv)
    row_max = ops.OnnxReduceMaxApi18(ops.OnnxAbs(Z, op_version=opv), axes=[1], keepdims=1, op_version=opv)
    shrink = ops.OnnxMin(ops.OnnxDiv(_const([INPUT_CLAMP]), row_max, op_version=opv), _const([1.0]), op_version=opv)
    return ops.OnnxMul(Z, shrink, op_version=opv)


def _converter(scope, operator, container):
    ops = _ops()
    model = operator.raw_operator
    opv = container.target_opset
    X = operator.inputs[0]
    constant = model.constant_columns_
    kept = np.flatnonzero(constant.keep).astype(np.int64)
    n = ops.OnnxShape(X, op_version=opv)
    if len(kept):
        Xk = X if constant.keep.all() else ops.OnnxGather(X, kept, axis=1, op_version=opv)
        Z = _scaled(Xk, model, opv)
        score = ops.OnnxAdd(_discriminator(Z, model, opv), _log_density(Z, model, opv), op_version=opv)
    else:
        score = ops.OnnxConstantOfShape(
            ops.OnnxGather(n, np.array([0], dtype=np.int64), op_version=opv), op_version=opv
        )
    if constant.mask.any():
        # the constant-column rule of ``_constant.py``, with float32 input's rounding slack
        Xc = ops.OnnxGather(X, np.flatnonzero(constant.mask).astype(np.int64), axis=1, op_version=opv)
        slack = 1e-6 * np.maximum(np.abs(constant.low), np.abs(constant.high))
        below = ops.OnnxLess(Xc, _const(constant.low - slack), op_version=opv)
        above = ops.OnnxGreater(Xc, _const(constant.high + slack), op_version=opv)
        unseen = ops.OnnxCast(ops.OnnxOr(below, above, op_version=opv), to=1, op_version=opv)  # float
        count = ops.OnnxReduceSumApi11(unseen, axes=[1], keepdims=0, op_version=opv)
        capped = ops.OnnxSub(
            ops.OnnxMin(score, _const([constant.floor]), op_version=opv),
            ops.OnnxMul(ops.OnnxSub(count, _const([1.0]), op_version=opv), _const([constant.margin]), op_version=opv),
            op_version=opv,
        )
        any_unseen = ops.OnnxGreater(count, _const([0.0]), op_version=opv)
        score = ops.OnnxWhere(any_unseen, capped, score, op_version=opv)
    final = ops.OnnxIdentity(score, op_version=opv, output_names=[operator.outputs[1]])
    outlier = ops.OnnxLess(score, _const([model.offset_]), op_version=opv)
    label = ops.OnnxWhere(outlier, np.array([-1], dtype=np.int64), np.array([1], dtype=np.int64), op_version=opv)
    final.add_to(scope, container)
    ops.OnnxIdentity(label, op_version=opv, output_names=[operator.outputs[0]]).add_to(scope, container)


def register_converters():
    """Register the ALGANDetector converter with skl2onnx (idempotent).

    Raises
    ------
    ImportError
        If skl2onnx is not installed.
    """
    from skl2onnx import update_registered_converter

    from ._detector import ALGANDetector

    update_registered_converter(
        ALGANDetector,
        "AlganSklearnALGANDetector",
        _shape_calculator,
        _converter,
        parser=_parser,
        overwrite=True,
    )


def to_onnx(estimator, n_features=None, *, target_opset=18):
    """Convert a fitted ALGANDetector, or a Pipeline ending in one, to an ONNX model.

    Parameters
    ----------
    estimator : ALGANDetector or Pipeline
        Fitted. Pipeline steps before the detector must have skl2onnx converters
        (scikit-learn's scalers do).
    n_features : int, optional
        Number of input columns; default ``estimator.n_features_in_``.
    target_opset : int, default=18

    Returns
    -------
    onnx.ModelProto
        Input ``X`` (float32, shape (n_samples, n_features)); outputs ``label``
        (int64, shape (n_samples,), +1 / -1) and ``score_samples`` (float32,
        shape (n_samples,)).

    Raises
    ------
    ImportError
        If skl2onnx is not installed (``pip install 'algan-sklearn[onnx]'``).

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
    register_converters()
    n = int(estimator.n_features_in_ if n_features is None else n_features)
    return skl2onnx.to_onnx(estimator, initial_types=[("X", FloatTensorType([None, n]))], target_opset=target_opset)
