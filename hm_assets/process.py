"""Process-wide settings that every process running this project's code gets (set on import).

numpy asks the kernel for transparent huge pages on every large array (``madvise``). Where the
kernel's THP ``defrag`` setting is ``madvise`` (a common default, and this machine's), the first
touch of such an array can wait for the kernel to compact memory to find a free 2 MiB page.
With the page cache full of Parquet files, that wait dominates: writing a fresh 1.3M-row float32
column took 16 ms instead of 1-4 ms, and scoring a week's candidates (read, build model inputs,
the DNN) spent a quarter of its CPU time in the kernel (a sixth with the advice off). So huge
pages are off unless the environment asks for them: an explicit ``NUMPY_MADVISE_HUGEPAGE``
(numpy's own switch, read when numpy loads) is left as it is.
"""

import os

import numpy as np

HUGEPAGE_VARIABLE = "NUMPY_MADVISE_HUGEPAGE"


def configure() -> None:
    """Huge-page advice off, unless ``NUMPY_MADVISE_HUGEPAGE`` is set. Idempotent."""
    setter = getattr(_multiarray(), "_set_madvise_hugepage", None)
    if HUGEPAGE_VARIABLE not in os.environ and setter is not None:  # private numpy API: skipped if it goes
        setter(False)


def hugepages_advised() -> bool | None:
    """Whether numpy currently advises huge pages (None where numpy does not say)."""
    getter = getattr(_multiarray(), "_get_madvise_hugepage", None)
    return None if getter is None else bool(getter())


def _multiarray():
    """numpy's private module holding the huge-page switch (None where it is gone)."""
    return getattr(getattr(np, "_core", None), "multiarray", None)
