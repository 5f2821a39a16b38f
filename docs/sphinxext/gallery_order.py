"""Order of the gallery examples (sphinx-gallery's ``within_subsection_order``)."""

ORDER = [
    "plot_quickstart_csv.py",
    "plot_compare_detectors.py",
    "plot_what_algan_generates.py",
    "plot_sigma_alpha.py",
    "plot_training_history.py",
    "plot_grid_search.py",
    "plot_benchmark_results.py",
]


class ExampleOrder:
    """Sort key: the examples in ``ORDER`` first, in that order, then the others by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = filename.rsplit("/", 1)[-1]
        return (ORDER.index(name), "") if name in ORDER else (len(ORDER), name)

    def __repr__(self):
        return f"<{type(self).__name__}>"
