"""The one place where private scikit-learn names are imported.

scikit-learn's parameter-validation helpers and ``_fit_context`` are private API;
keeping every such import here means a scikit-learn release that moves them
needs a change in this file only.
"""

from sklearn.base import _fit_context
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import validate_data

__all__ = ["Interval", "StrOptions", "HasMethods", "_fit_context", "get_chunk_n_rows", "validate_data"]
