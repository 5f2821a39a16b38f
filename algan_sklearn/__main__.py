"""``python -m algan_sklearn``: the command line of :mod:`algan_sklearn.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
