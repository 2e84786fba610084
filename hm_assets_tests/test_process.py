"""Process-wide settings applied when the project's code is imported (hm_assets.process)."""

import os
import subprocess
import sys

import pytest

PROBE = "import hm_assets, hm_assets.process as p; print(p.hugepages_advised())"
NUMPY_ALONE = "import numpy._core.multiarray as m; print(bool(m._get_madvise_hugepage()))"


def _probe(env_value: str | None, probe: str = PROBE) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if env_value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = env_value
    return subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(("env_value", "expected"), [(None, "False"), ("1", "True"), ("0", "False")])
def test_huge_pages_are_off_unless_the_environment_asks(env_value, expected):
    # numpy advises huge pages by default where the kernel supports them; importing the project
    # turns that off, and an explicit NUMPY_MADVISE_HUGEPAGE is left to numpy
    if env_value is None and _probe(None, NUMPY_ALONE) != "True":
        pytest.skip("numpy does not advise huge pages on this kernel: nothing to turn off")
    assert _probe(env_value) == expected
