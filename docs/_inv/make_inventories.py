"""Write the small intersphinx inventories in this folder, without a network.

The documentation build must run offline (CI has no network), so ``conf.py``
does not download the ``objects.inv`` files of scikit-learn, numpy, torch and
the other projects it links to. Instead each entry of ``intersphinx_mapping``
is ``(url, "_inv/<project>.inv")``: the links point to the projects' online
documentation, and the inventory listing the linked names is one of the files
written by this script.

Every Python name below is imported first, so a name that does not exist in the
installed version fails here and not as a dead link. The page of each name
follows the URL scheme of that project's documentation.

To link a new external name, add it to ``PROJECTS`` and rerun (from the
repository root, in the docs environment)::

    python docs/_inv/make_inventories.py

The build runs with ``nitpicky = True``: a reference to an external name missing
from these inventories fails it with "reference target not found".
"""

import importlib
import inspect
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _sklearn(name, role):
    if role == "module":
        return f"api/{name}.html"
    page = name.rsplit(".", 1)[0] if role in ("method", "attribute") else name
    return f"modules/generated/{page}.html#{name}"


def _numpy(name, role):
    special = {
        "numpy.random.RandomState": "reference/random/legacy.html",
        "numpy.random.Generator": "reference/random/generator.html",
    }
    if name in special:
        return f"{special[name]}#{name}"
    if role == "module":
        return f"reference/index.html#module-{name}"
    return f"reference/generated/{name}.html#{name}"


def _torch(name, role):
    special = {"torch.device": "tensor_attributes.html", "torch.dtype": "tensor_attributes.html"}
    if role == "module":
        return f"{name}.html#module-{name}"
    if name in special:
        return f"{special[name]}#{name}"
    return f"generated/{name}.html#{name}"


def _python(name, role):
    if role == "exception":
        return f"library/exceptions.html#{name}"
    if name in ("int", "float", "bool", "callable", "object"):
        return f"library/functions.html#{name}"
    if name in ("str", "dict", "list", "tuple"):
        return f"library/stdtypes.html#{name}"
    module = name.split(".")[0]
    return f"library/{module}.html#{name if role != 'module' else 'module-' + name}"


def _pandas(name, role):
    return f"reference/api/{name}.html#{name}"


def _matplotlib(name, role):
    if name == "matplotlib.pyplot":
        return "api/pyplot_summary.html#module-matplotlib.pyplot"
    return f"api/_as_gen/{name}.html#{name}"


def _joblib(name, role):
    return f"generated/{name}.html#{name}"


def _dask(name, role):
    return f"generated/{name}.html#{name}"


#: project -> (name shown in the inventory, version source, uri function, Python names,
#: other entries {name: (domain:role, uri)}: glossary terms, labels and constants that
#: numpydoc links by default: ``None``, ``bool``, ``iterable``, ...)
PROJECTS = {
    "sklearn": (
        "scikit-learn",
        "sklearn",
        _sklearn,
        [
            "sklearn.base.BaseEstimator",
            "sklearn.base.OutlierMixin",
            "sklearn.base.clone",
            "sklearn.covariance.EllipticEnvelope",
            "sklearn.datasets.load_breast_cancer",
            "sklearn.datasets.make_blobs",
            "sklearn.datasets.make_moons",
            "sklearn.ensemble.IsolationForest",
            "sklearn.exceptions.NotFittedError",
            "sklearn.metrics.average_precision_score",
            "sklearn.metrics.roc_auc_score",
            "sklearn.model_selection.GridSearchCV",
            "sklearn.model_selection.KFold",
            "sklearn.model_selection.StratifiedKFold",
            "sklearn.model_selection.cross_val_score",
            "sklearn.model_selection.cross_validate",
            "sklearn.model_selection.train_test_split",
            "sklearn.mixture.GaussianMixture",
            "sklearn.neighbors.LocalOutlierFactor",
            "sklearn.neighbors.NearestNeighbors",
            "sklearn.pipeline.Pipeline",
            "sklearn.pipeline.make_pipeline",
            "sklearn.preprocessing.RobustScaler",
            "sklearn.preprocessing.StandardScaler",
            "sklearn.preprocessing.QuantileTransformer",
            "sklearn.svm.OneClassSVM",
            "sklearn.pipeline",
            "sklearn.model_selection",
        ],
        {
            "array-like": ("std:term", "glossary.html#term-array-like"),
            "random_state": ("std:term", "glossary.html#term-random_state"),
            "outlier detector": ("std:term", "glossary.html#term-outlier-detector"),
        },
    ),
    "numpy": (
        "NumPy",
        "numpy",
        _numpy,
        ["numpy.ndarray", "numpy.memmap", "numpy.random.RandomState", "numpy.random.Generator", "numpy.load", "numpy"],
        {
            "array_like": ("std:term", "glossary.html#term-array_like"),
            "arrays.scalars": ("std:label", "reference/arrays.scalars.html#arrays-scalars"),
            "numpy.inf": ("py:data", "reference/constants.html#numpy.inf"),
            "numpy.nan": ("py:data", "reference/constants.html#numpy.nan"),
        },
    ),
    "torch": (
        "PyTorch",
        "torch",
        _torch,
        [
            "torch.device",
            "torch.Generator",
            "torch.Tensor",
            "torch.nn.Module",
            "torch.cuda.is_available",
            "torch.manual_seed",
            "torch.set_num_threads",
            "torch.use_deterministic_algorithms",
            "torch.save",
            "torch.load",
        ],
        {},
    ),
    "python": (
        "Python",
        None,
        _python,
        [
            "int",
            "float",
            "bool",
            "str",
            "dict",
            "list",
            "tuple",
            "callable",
            "object",
            "ValueError",
            "TypeError",
            "KeyError",
            "ImportError",
            "FileNotFoundError",
            "FloatingPointError",
            "os.PathLike",
            "pathlib.Path",
            "pickle",
            "contextlib.contextmanager",
            "collections.namedtuple",
        ],
        {
            "None": ("py:data", "library/constants.html#None"),
            "True": ("py:data", "library/constants.html#True"),
            "False": ("py:data", "library/constants.html#False"),
            "bltin-boolean-values": ("std:label", "library/stdtypes.html#boolean-type-bool"),
            "iterable": ("std:term", "glossary.html#term-iterable"),
            "sequence": ("std:term", "glossary.html#term-sequence"),
            "generator": ("std:term", "glossary.html#term-generator"),
        },
    ),
    "pandas": ("pandas", "pandas", _pandas, ["pandas.DataFrame", "pandas.Series", "pandas.read_csv"], {}),
    "matplotlib": ("Matplotlib", "matplotlib", _matplotlib, ["matplotlib.axes.Axes", "matplotlib.pyplot"], {}),
    "joblib": ("joblib", "joblib", _joblib, ["joblib.dump", "joblib.load", "joblib.parallel_backend"], {}),
    "dask": ("Dask", "dask", _dask, ["dask.array.Array", "dask.dataframe.DataFrame", "dask.dataframe.Series"], {}),
}


def _resolve(name):
    """The object called ``name`` (a module, or an attribute of one)."""
    import builtins

    if hasattr(builtins, name):
        return getattr(builtins, name)
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def _role(obj):
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def _version(module):
    if module is None:
        import platform

        return ".".join(platform.python_version_tuple()[:2])
    return importlib.import_module(module).__version__


def write_inventory(path, project, version, entries):
    """Write ``entries`` (name, domain:role, uri) as a Sphinx version-2 inventory."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    # A uri ending in "#" + name is written as "#$" (the inventory's shorthand).
    lines = []
    for name, role, uri in sorted(entries):
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"
        display = name if role.startswith("std:") else "-"
        priority = 1 if role.startswith("py:") else -1
        lines.append(f"{name} {role} {priority} {uri} {display}\n")
    path.write_bytes(header + zlib.compress("".join(lines).encode(), 9))


def main():
    for key, (project, version_module, uri, names, terms) in PROJECTS.items():
        entries = []
        for name in names:
            role = _role(_resolve(name))
            entries.append((name, f"py:{role}", uri(name, role)))
        for other, (role, other_uri) in terms.items():
            entries.append((other, role, other_uri))
        path = HERE / f"{key}.inv"
        write_inventory(path, project, _version(version_module), entries)
        print(f"{path.name}: {len(entries)} entries")


if __name__ == "__main__":
    main()
