"""Process-wide settings applied when the project's code is imported (hm_assets.process)."""

import os
import subprocess
import sys

import pytest

# numpy's advice is forced on first (as numpy sets it where the kernel supports huge pages), so the
# probe sees what importing the project does to it, on any kernel
PROBE = (
    "import numpy._core.multiarray as m; m._set_madvise_hugepage(True); "
    "import hm_assets, hm_assets.process as p; print(p.hugepages_advised())"
)


def _probe(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if env_value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = env_value
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(("env_value", "expected"), [(None, "False"), ("1", "True"), ("0", "True")])
def test_huge_pages_are_off_unless_the_environment_speaks(env_value, expected):
    # unset: importing the project turns the advice off; set (either way): the project leaves
    # numpy's setting alone, here the forced True
    assert _probe(env_value) == expected
