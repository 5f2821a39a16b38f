"""Device resolution and seeding helpers for the torch parts of the package."""

import threading

import torch


def resolve_device(device):
    """Turn the ``device`` parameter into a :class:`torch.device`.

    Parameters
    ----------
    device : {'auto', 'cpu', 'cuda'} or str or torch.device
        ``'auto'`` selects CUDA when ``torch.cuda.is_available()``, else the CPU.
        Any other string accepted by :class:`torch.device` (``'cuda:1'``) is used as is.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If the string is not a device name torch understands, or names CUDA on
        a machine where CUDA is not available.
    """
    if isinstance(device, torch.device):
        dev = device
    elif device == "auto":
        dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            dev = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"Unknown device {device!r}: {exc}") from None
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device={device!r} is not supported: ALGANDetector trains and scores on 'cpu', 'cuda' or 'mps'."
        )
    if dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ValueError(f"device={device!r} asks for MPS, which this torch build or machine does not provide.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch.cuda.is_available() is False "
            "on this machine; use device='cpu' or device='auto'."
        )
    return dev


#: Shared by every ``torch_threads`` context of the process: torch's thread count is
#: process-wide, so overlapping contexts (fits in parallel threads) must not restore it
#: while another one still runs.
_THREADS_LOCK = threading.Lock()
_THREADS_STATE = {"active": 0, "saved": None}


class torch_threads:
    """Context manager: run with ``n`` torch intra-op threads, then restore the caller's setting.

    Training ALGAN's small MLPs on the CPU is fastest with one thread: a batch of a
    few hundred rows is too small to split, and more threads oversubscribe the cores
    when several fits run in parallel (joblib, Dask). Overlapping contexts in several
    threads share one saved setting, restored when the last of them exits.
    """

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        with _THREADS_LOCK:
            if _THREADS_STATE["active"] == 0:
                _THREADS_STATE["saved"] = torch.get_num_threads()
            _THREADS_STATE["active"] += 1
            if self.n is not None and self.n != torch.get_num_threads():
                torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        with _THREADS_LOCK:
            _THREADS_STATE["active"] -= 1
            saved = _THREADS_STATE["saved"]
            if _THREADS_STATE["active"] == 0 and torch.get_num_threads() != saved:
                torch.set_num_threads(saved)
        return False


def state_on_cpu(state, keys):
    """A copy of an estimator's ``__dict__`` with its torch modules ``keys`` (and ``device_``) on the CPU.

    One deep copy moves the modules together, so modules shared between attributes
    stay shared; modules already on the CPU are not copied.
    """
    import copy

    state = dict(state)
    keys = [k for k in keys if k in state]
    tensors = [t for k in keys for t in (*state[k].parameters(), *state[k].buffers())]
    if any(t.device.type != "cpu" for t in tensors):
        for k, module in zip(keys, copy.deepcopy([state[k] for k in keys])):
            state[k] = module.cpu()
    if "device_" in state and state["device_"].type != "cpu":
        state["device_"] = torch.device("cpu")
    return state
