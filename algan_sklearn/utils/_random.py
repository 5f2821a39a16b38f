"""Seeds from ``random_state`` parameters, without touching any global random state."""

from numbers import Integral

import numpy as np


def seed_from_random_state(random_state):
    """One 31-bit seed from a ``random_state`` parameter.

    An int seeds a private ``RandomState`` whose first draw is the seed (the same
    seed scikit-learn's ``check_random_state`` would give). A ``RandomState``
    instance is drawn from (it is the caller's own object). ``None`` takes fresh
    entropy from the operating system: unlike scikit-learn's convention (numpy's
    global ``RandomState``), neither numpy's nor torch's global random state is read
    or changed, so a fit does not depend on, or disturb, what other threads draw.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState

    Returns
    -------
    int in [0, 2**31 - 1)
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] % np.iinfo(np.int32).max)
    if isinstance(random_state, Integral):
        random_state = np.random.RandomState(int(random_state))
    if not isinstance(random_state, np.random.RandomState):
        raise ValueError(f"{random_state!r} cannot be used to seed a numpy.random.RandomState instance")
    return int(random_state.randint(np.iinfo(np.int32).max))
