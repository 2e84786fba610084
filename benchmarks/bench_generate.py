"""Time the synthetic generator and measure its peak memory.

Runs ``python -m hm_assets.synth`` in a child process under ``/usr/bin/time -v`` when that
exists (else ``resource.getrusage`` of the child), then prints wall time, peak RSS, rows and
output sizes. By default it writes into a temporary folder and deletes it afterwards.

Usage: ``python benchmarks/bench_generate.py [--scale full] [--seed 0] [--out DIR] [--keep]``
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from hm_assets import schemas

TIME = "/usr/bin/time"


def run(scale: str, seed: int, out: Path) -> dict:
    cmd = [sys.executable, "-m", "hm_assets.synth", "--scale", scale, "--seed", str(seed), "--out", str(out)]
    use_time = os.access(TIME, os.X_OK)
    if use_time:
        cmd = [TIME, "-v", *cmd]
    started = time.perf_counter()
    proc = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    sys.stderr.write(proc.stderr)
    if proc.returncode:
        raise SystemExit(f"generator failed with exit code {proc.returncode}")
    if use_time:
        peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    else:  # ru_maxrss of children is in KiB on Linux
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    files = {name: (out / name).stat().st_size for name in schemas.CSV_SCHEMAS}
    with open(out / schemas.TRANSACTIONS_FILE, "rb") as f:
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1
    return {"scale": scale, "seed": seed, "wall_s": wall, "peak_rss_gib": peak_kib / 2**20, "transactions": rows,
            "bytes": files, "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix=f"hm_synth_{args.scale}_"))
    try:
        result = run(args.scale, args.seed, out)
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    sizes = ", ".join(f"{k} {v / 2**20:,.0f} MiB" for k, v in result["bytes"].items())
    print(f"scale={result['scale']} seed={result['seed']}: wall {result['wall_s']:.0f} s, peak RSS "
          f"{result['peak_rss_gib']:.2f} GiB, {result['transactions']:,} transaction rows, {result['cpus']} CPUs; {sizes}")
    return result


if __name__ == "__main__":
    main()
