"""Benchmark: the whole asset graph for one target week, per step, from Dagster's own events.

    python benchmarks/bench_graph.py --raw DIR [--warehouse DIR] [--target-week YYYY-MM-DD] [--out report.md]
    python benchmarks/bench_graph.py --scale medium [--out report.md]     # generates the data first
    python benchmarks/bench_graph.py --raw DIR --incremental [--out report.md]

Runs the project's own jobs one after another, as the README's backfill does, each run in a
fresh child process as Dagster's run launcher starts one (``--in-process``: all in this process):
``ingest_raw``; ``weekly_inputs`` (features, candidates, candidate feature rows) for the
training weeks W-5..W-1 and for W; then ``weekly_models`` for W (training set, the three
models, blend, recommendations, submission and the evaluation report, which records nothing
for a week without known purchases). Asset checks run as steps of those jobs and are listed.

What is measured, and how:

- wall time per step: the timestamps of Dagster's ``STEP_START`` and ``STEP_SUCCESS`` (or
  ``STEP_FAILURE``) events in the run's event log; per run: ``RUN_START`` to ``RUN_SUCCESS``.
  Time spent outside runs (building the definitions between runs) is not counted.
- peak RSS per step: the run process's high-water mark of resident memory. A run's steps run
  in its process one after another, so a hook attached by this script only (``job.with_hooks``; the project's jobs
  are not changed) reads the mark after each step, successful or failed, and resets it; the first
  step's mark is reset right before ``execute_in_process``. Linux resets the mark to the current
  RSS when "5" is written to ``/proc/self/clear_refs`` and shows it as ``VmHWM`` in
  ``/proc/self/status``; that is the same per-process counter that ``getrusage(RUSAGE_SELF)``
  reports as ``ru_maxrss`` (the kernel takes the larger of it and the mark of the image before
  the last ``exec``, which is the small launcher), so ``ru_maxrss`` follows the reset too. A
  step's peak therefore includes what the process already held when the step began: the
  imports (~0.4 GiB) and memory the allocator kept from earlier steps of the same run (with
  ``--in-process``, of every earlier run too); it is the peak RSS a
  one-step-at-a-time run of that step needs, an upper bound on the step's own share. Because of
  the resets, ``/usr/bin/time -v`` around this script does not report a run's peak: read the
  report's total instead.

``--incremental``: the "new week arrives" flow of ``hm_assets_tests/test_operations.py``. The
raw transactions are copied without their last week (H, streamed line by line; the other two
files are linked), and the graph runs for target week H as above. Then H's rows are appended,
``ingest_raw`` runs again (it reads the whole files: ingestion is not incremental), and the new
target week H+1 gets its inputs and its models only (``weekly_inputs`` and ``weekly_models``
for H+1: the steps of ``weekly_retraining``, which the weekly schedule runs, in two runs so that
the stages line up with the full run's; the inputs of H-4..H are stored already); then
``evaluate_week`` scores H, the former target week, as the evaluation schedule does. The report
gives both tables and the ratio of the totals, and checks that the second part materialised no
partition but H+1's (and H's evaluation).

``--scale medium`` (or tiny/small) generates seed-0 data with ``python -m hm_assets.synth`` into a
temporary folder first (in a child process, so the generator's memory is not this process's).
"""

import argparse
import dataclasses
import datetime as dt
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from anywhere: the worktree's hm_assets, not an installed one

GIB = 2**30
TRANSACTIONS_CSV = "transactions_train.csv"
OTHER_CSVS = ("articles.csv", "customers.csv")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


# --- what a run measured (pure data and formatting, no Dagster) -------------------------------


@dataclasses.dataclass(frozen=True)
class StepFigure:
    step: str
    wall_s: float
    peak_rss: int | None  # bytes; None where no hook reported (a step that never ran its hook)
    ok: bool = True


@dataclasses.dataclass(frozen=True)
class RunFigure:
    stage: str
    week: str  # "" for an unpartitioned run
    wall_s: float
    steps: tuple[StepFigure, ...]

    @property
    def peak_rss(self) -> int | None:
        peaks = [s.peak_rss for s in self.steps if s.peak_rss is not None]
        return max(peaks) if peaks else None


def step_figures(events: Iterable[tuple[float, str, str | None]], peaks: dict[str, int]) -> tuple[float, list[StepFigure]]:
    """Run wall and per-step figures from ``(timestamp, event type name, step key)`` triples
    (``dg.DagsterEventType`` names).

    A step's wall is from its ``STEP_START`` to its ``STEP_SUCCESS``/``STEP_FAILURE``; the run's
    from ``RUN_START`` to ``RUN_SUCCESS``/``RUN_FAILURE``. Steps are listed in start order;
    ``peaks`` maps step keys to peak RSS bytes.
    """
    started, ended, failed, order = {}, {}, set(), []
    run_start = run_end = None
    for ts, kind, step in events:
        if kind == "RUN_START":
            run_start = ts
        elif kind in ("RUN_SUCCESS", "RUN_FAILURE"):
            run_end = ts
        elif kind == "STEP_START":
            started[step] = ts
            order.append(step)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            ended[step] = ts
            if kind == "STEP_FAILURE":
                failed.add(step)
    if run_start is None or run_end is None:
        raise ValueError("the run's events hold no RUN_START and RUN_SUCCESS/RUN_FAILURE")
    steps = [
        StepFigure(s, ended.get(s, run_end) - started[s], peaks.get(s), ok=s in ended and s not in failed) for s in order
    ]
    return run_end - run_start, steps


def _gib(value: int | None) -> str:
    return "" if value is None else f"{value / GIB:.2f}"


def _bold_gib(value: int | None) -> str:
    return "" if value is None else f"**{_gib(value)}**"


def _max(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def stage_totals(runs: Sequence[RunFigure]) -> dict[str, tuple[int, float, int | None]]:
    """Per stage, in first-seen order: (runs, summed run wall s, max step peak RSS bytes)."""
    totals: dict[str, tuple[int, float, int | None]] = {}
    for run in runs:
        n, wall, peak = totals.get(run.stage, (0, 0.0, None))
        totals[run.stage] = (n + 1, wall + run.wall_s, _max([peak, run.peak_rss]))
    return totals


def report_table(runs: Sequence[RunFigure]) -> str:
    """Markdown: one row per step, then a subtotal row per stage and the total.

    A stage's wall is the sum of its runs' walls (run start to end, so it includes Dagster's
    own work between steps), its peak the largest step peak.
    """
    lines = ["| stage | week | step | wall s | peak RSS GiB |", "|---|---|---|---:|---:|"]
    for run in runs:
        for s in run.steps:
            name = s.step if s.ok else f"{s.step} (FAILED)"
            lines.append(f"| {run.stage} | {run.week} | {name} | {s.wall_s:.1f} | {_gib(s.peak_rss)} |")
    for stage, (n, wall, peak) in stage_totals(runs).items():
        lines.append(f"| **{stage}** | {n} run{'s' if n > 1 else ''} | | **{wall:.1f}** | {_bold_gib(peak)} |")
    total = sum(r.wall_s for r in runs)
    lines.append(f"| **total** | {len(runs)} runs | | **{total:.1f}** | {_bold_gib(_max(r.peak_rss for r in runs))} |")
    return "\n".join(lines)


def step_totals_table(runs: Sequence[RunFigure]) -> str:
    """Markdown: one row per step name, summed over the weeks it ran for (wall) and its largest
    peak, heaviest first: where the time of a whole run goes."""
    totals: dict[tuple[str, str], tuple[int, float, int | None]] = {}
    for run in runs:
        for s in run.steps:
            n, wall, peak = totals.get((run.stage, s.step), (0, 0.0, None))
            totals[(run.stage, s.step)] = (n + 1, wall + s.wall_s, _max([peak, s.peak_rss]))
    lines = ["| stage | step | runs | wall s (sum) | peak RSS GiB (max) |", "|---|---|---:|---:|---:|"]
    for (stage, step), (n, wall, peak) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"| {stage} | {step} | {n} | {wall:.1f} | {_gib(peak)} |")
    return "\n".join(lines)


def comparison_table(first: Sequence[RunFigure], second: Sequence[RunFigure]) -> str:
    """Markdown: wall and peak per stage of two benchmarks side by side, and the ratio of walls."""
    a, b = stage_totals(first), stage_totals(second)
    lines = ["| stage | first wall s | second wall s | second / first | first peak GiB | second peak GiB |", "|---|---:|---:|---:|---:|---:|"]
    for stage in [*a, *(s for s in b if s not in a)]:
        wa, wb = (a[stage][1] if stage in a else 0.0), (b[stage][1] if stage in b else 0.0)
        ratio = f"{wb / wa:.3f}" if wa else ""
        lines.append(f"| {stage} | {wa:.1f} | {wb:.1f} | {ratio} | {_gib(a.get(stage, (0, 0, None))[2])} | {_gib(b.get(stage, (0, 0, None))[2])} |")
    ta, tb = sum(r.wall_s for r in first), sum(r.wall_s for r in second)
    lines.append(
        f"| **total** | **{ta:.1f}** | **{tb:.1f}** | **{tb / ta:.3f}** | {_bold_gib(_max(r.peak_rss for r in first))} | "
        f"{_bold_gib(_max(r.peak_rss for r in second))} |"
    )
    return "\n".join(lines)


# --- peak RSS of the running process (Linux) ---------------------------------------------------


def reset_peak_rss() -> None:
    """Reset this process's RSS high-water mark (VmHWM, ru_maxrss) to its current RSS."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_rss() -> int:
    """This process's RSS high-water mark in bytes (VmHWM of /proc/self/status)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


# --- running the jobs ---------------------------------------------------------------------------


class Bench:
    """Runs the project's jobs one after another on one instance, recording a RunFigure per run.

    Each run executes in a fresh child process (``--child-run``), as Dagster's default run
    launcher starts one per run: a run's peak RSS is then its own, not the high-water mark of
    every earlier run's leftovers in one long-lived process. The instance is a persistent one in
    a temporary folder, so the parent reads each run's events after the child has exited.
    ``in_process=True`` runs the jobs in this process instead (the figures of a long-lived
    process, as ``dagster job execute`` in a loop would show).
    """

    def __init__(self, settings, home: Path, in_process: bool = False):
        import dagster as dg

        self.settings = settings
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.instance = dg.DagsterInstance.local_temp(str(self.home))
        self.in_process = in_process
        self.runs: list[RunFigure] = []
        self.run_ids: list[str] = []
        self.defs = None
        self.reload()

    def reload(self) -> None:
        """Build the definitions again, as the daemon does: the calendar follows the stored data."""
        from hm_assets.definitions import build_definitions

        self.defs = build_definitions(self.settings)

    def weeks(self) -> list[str]:
        return self.defs.resolve_job_def(_jobs().INPUTS_JOB).partitions_def.get_partition_keys()

    def run(self, stage: str, job: str, week: str | None = None) -> str:
        """Execute ``job`` (for ``week``); returns the run id. Raises when the run failed."""
        request = {"settings": self.settings, "home": str(self.home), "job": job, "week": week}
        reply = execute_run(request) if self.in_process else self._in_child(request)
        events = [
            (e.timestamp, e.dagster_event.event_type.name, e.dagster_event.step_key)
            for e in self.instance.all_logs(reply["run_id"])
            if e.dagster_event is not None
        ]
        wall, steps = step_figures(events, reply["peaks"])
        figure = RunFigure(stage, week or "", wall, tuple(steps))
        self.runs.append(figure)
        self.run_ids.append(reply["run_id"])
        print(f"  {stage:<8} {week or '':<10} {job:<18} {wall:8.1f} s  peak {_gib(figure.peak_rss)} GiB  {len(steps)} steps", flush=True)
        if not reply["success"]:
            raise RuntimeError(f"{job} {week or ''} failed:\n{reply['failure']}")
        return reply["run_id"]

    def _in_child(self, request: dict) -> dict:
        n = len(self.run_ids)
        request_path, reply_path = self.home / f"request-{n}.pkl", self.home / f"reply-{n}.pkl"
        request_path.write_bytes(pickle.dumps(request))
        subprocess.run([sys.executable, __file__, "--child-run", str(request_path), str(reply_path)], cwd=REPO, check=True)
        return pickle.loads(reply_path.read_bytes())

    def materializations(self, run_id: str) -> list:
        """The run's asset materialization events (``DagsterEvent``), from the instance's event log."""
        import dagster as dg

        return [e.dagster_event for e in self.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)]


def execute_run(request: dict) -> dict:
    """Run one job on the instance in ``request["home"]``, with a hook that records each step's
    peak RSS; returns ``run_id, success, failure, peaks`` (plain data, so a child can send it)."""
    import dagster as dg

    from hm_assets.definitions import build_definitions
    from hm_assets.runs import failure_messages

    peaks: dict[str, int] = {}

    def record(context) -> None:
        peaks[context.step_key] = peak_rss()
        context.log.info(f"peak RSS {peaks[context.step_key] / GIB:.3f} GiB")
        reset_peak_rss()

    # both hooks, so a failed step is measured too; each runs after its step's last event
    hooks = {
        dg.success_hook(name="bench_peak_rss_after_success")(record),
        dg.failure_hook(name="bench_peak_rss_after_failure")(record),
    }
    instance = dg.DagsterInstance.local_temp(request["home"])
    job_def = build_definitions(request["settings"]).resolve_job_def(request["job"]).with_hooks(hooks)
    reset_peak_rss()
    result = job_def.execute_in_process(instance=instance, partition_key=request["week"], run_config=QUIET, raise_on_error=False)
    return {"run_id": result.run_id, "success": result.success, "failure": "" if result.success else failure_messages(result), "peaks": peaks}


def quiet_process() -> None:
    """One BLAS thread (implicit's need) and no great-expectations chatter, in the script's
    process and in each run's child process alike."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def child_main(request_path: str, reply_path: str) -> int:
    """``--child-run REQUEST REPLY``: execute one run (:func:`execute_run`) and pickle its reply."""
    quiet_process()
    reply = execute_run(pickle.loads(Path(request_path).read_bytes()))
    Path(reply_path).write_bytes(pickle.dumps(reply))
    return 0


def _jobs():
    from hm_assets import definitions

    return definitions


STAGES = ("ingest", "inputs", "models")


def run_graph(bench: Bench, target_week: str | None, stages: Sequence[str] = STAGES) -> str:
    """Ingestion, the inputs of W-5..W, the models of W (those of ``stages``); returns W."""
    from hm_assets import calendar
    from hm_assets.defs.models.assets import TRAIN_WEEKS

    jobs = _jobs()
    if "ingest" in stages:
        bench.run("ingest", jobs.RAW_JOB)
        bench.reload()
    weeks = bench.weeks()
    week = target_week or weeks[-1]
    if week not in weeks:
        raise SystemExit(f"target week {week} is not a week of the stored data ({weeks[0]} .. {weeks[-1]})")
    first = calendar.shift_week(week, -(TRAIN_WEEKS + 1))
    for i in range(TRAIN_WEEKS + 2):
        w = calendar.week_key(calendar.shift_week(first, i))
        if w in weeks and "inputs" in stages:
            bench.run("inputs", jobs.INPUTS_JOB, w)
    if "models" in stages:
        bench.run("models", jobs.MODELS_JOB, week)
    return week


def submission_rows(bench: "Bench", run_id: str) -> int:
    from hm_assets.runs import metadata_by_asset

    return int(metadata_by_asset(bench.materializations(run_id))["submission"]["rows"])


def csv_rows(path: Path) -> int:
    """Data rows of a CSV file (lines after the header), counted in 16 MiB blocks."""
    n = 0
    with open(path, "rb") as f:
        while block := f.read(2**24):
            n += block.count(b"\n")
    return n - 1


def hold_back_last_week(raw: Path, out: Path) -> tuple[str, Path]:
    """``out`` gets ``raw`` without its last week of transactions (articles and customers linked);
    the held rows go to ``out/held_back.csv`` (no header). Streamed line by line: memory stays flat.
    Returns the held week's key and the file of held rows."""
    from hm_assets import calendar

    out.mkdir(parents=True, exist_ok=True)
    for name in OTHER_CSVS:
        _link_or_copy(raw / name, out / name)
    last_day = _last_day(raw / TRANSACTIONS_CSV)
    held = calendar.week_key(calendar.week_start(last_day))
    cut = held.encode()
    held_path = out / "held_back.csv"
    with open(raw / TRANSACTIONS_CSV, "rb") as src, open(out / TRANSACTIONS_CSV, "wb") as kept, open(held_path, "wb") as rest:
        kept.write(src.readline())
        for line in src:
            (rest if line[:10] >= cut else kept).write(line)
    return held, held_path


def _last_day(path: Path) -> str:
    """The largest ``t_dat`` of a transactions CSV (a streamed scan of its first column)."""
    last = b""
    with open(path, "rb") as f:
        f.readline()
        for line in f:
            last = max(last, line[:10])
    return last.decode()


def _link_or_copy(src: Path, dst: Path) -> None:
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def append(path: Path, rows: Path) -> None:
    with open(rows, "rb") as src, open(path, "ab") as dst:
        shutil.copyfileobj(src, dst, 2**24)


def header(argv: Sequence[str], data: str) -> str:
    """Date, machine, commit and the command, for the top of the report."""
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal:")), "0")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"# Whole-graph benchmark\n\n"
        f"- date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"- machine: {os.cpu_count()} cores, {int(mem) / 2**20:.1f} GiB memory; load average at start {load}\n"
        f"- commit: {commit}\n- data: {data}\n"
        f"- command: `python benchmarks/bench_graph.py {' '.join(argv)}`\n"
    )


def _settings(raw: Path, warehouse: Path):
    from hm_assets.settings import Settings

    base = Settings.from_env()
    return Settings(first_day=base.first_day, last_day=base.last_day, raw_dir=str(raw), warehouse=str(warehouse))


def _data_summary(raw: Path) -> str:
    return f"{raw} ({csv_rows(raw / TRANSACTIONS_CSV):,} transactions, {csv_rows(raw / 'customers.csv'):,} customers, {csv_rows(raw / 'articles.csv'):,} articles)"


def _submission_line(bench: Bench, raw: Path, week: str) -> str:
    rows, customers = submission_rows(bench, bench.run_ids[-1]), csv_rows(raw / "customers.csv")
    verdict = "equals" if rows == customers else "DIFFERS FROM"
    return f"submission for {week}: {rows:,} rows, {verdict} the {customers:,} customers of customers.csv"


def full_benchmark(
    raw: Path, warehouse: Path, work: Path, target_week: str | None, stages: Sequence[str] = STAGES, in_process: bool = False
) -> tuple[str, bool]:
    bench = Bench(_settings(raw, warehouse), work / "instance", in_process)
    week = run_graph(bench, target_week, stages)
    line = _submission_line(bench, raw, week) if "models" in stages else "no submission: the models stage was not run"
    text = f"## Target week {week}\n\n{report_table(bench.runs)}\n\n{line}\n\n### By step, over all weeks\n\n{step_totals_table(bench.runs)}\n"
    return text, "DIFFERS" not in line


def incremental_benchmark(raw: Path, warehouse: Path, work: Path, in_process: bool = False) -> tuple[str, bool]:
    from hm_assets import calendar

    jobs = _jobs()
    grown = work / "raw_grown"
    held, held_rows = hold_back_last_week(raw, grown)
    bench = Bench(_settings(grown, warehouse), work / "instance", in_process)
    print(f"first: the data up to {held} (exclusive); target week {held}", flush=True)
    run_graph(bench, held)
    first_line = _submission_line(bench, grown, held)
    first = list(bench.runs)

    append(grown / TRANSACTIONS_CSV, held_rows)
    new = calendar.week_key(calendar.shift_week(held, 1))
    print(f"second: week {held} arrives; target week {new}", flush=True)
    bench.runs.clear()
    done = len(bench.run_ids)
    bench.run("ingest", jobs.RAW_JOB)
    bench.reload()
    bench.run("inputs", jobs.INPUTS_JOB, new)
    bench.run("models", jobs.MODELS_JOB, new)
    second_line = _submission_line(bench, grown, new)
    bench.run("evaluate", jobs.EVALUATE_JOB, held)
    second = list(bench.runs)
    weekly = [[e.partition for e in bench.materializations(r)] for r in bench.run_ids[done + 1 :]]  # after the ingestion
    partitions = sorted({p for run in weekly for p in run})
    only_new = {p for run in weekly[:2] for p in run} == {new} and set(partitions) <= {new, held}
    ok = "DIFFERS" not in first_line + second_line and only_new
    text = (
        f"## Full run: target week {held} (data without week {held})\n\n{report_table(first)}\n\n{first_line}\n\n"
        f"## Incremental run: week {held} arrives, target week {new}\n\n{report_table(second)}\n\n{second_line}\n\n"
        f"Partitions materialised by the incremental run: {', '.join(partitions)} "
        f"({'only the new week, and the former target week scored' if only_new else 'MORE THAN THE NEW WEEK'}).\n\n"
        f"## Incremental against full\n\n{comparison_table(first, second)}\n"
    )
    return text, ok


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child-run"]:
        return child_main(*argv[1:3])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, help="folder with the three Kaggle CSV files")
    parser.add_argument("--scale", choices=("tiny", "small", "medium", "large", "full"), help="generate seed-0 data of this scale into a temp folder instead of --raw")
    parser.add_argument("--warehouse", type=Path, help="warehouse folder (default: a fresh temp folder, deleted afterwards)")
    parser.add_argument("--target-week", help="week to predict, YYYY-MM-DD (default: the data's target week)")
    parser.add_argument("--incremental", action="store_true", help="hold back the last week, run, then add it and run the new week")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument(
        "--in-process", action="store_true",
        help="run every job in this one process (default: each run in a fresh child process, as Dagster's run launcher does)",
    )
    parser.add_argument(
        "--stages", default=",".join(STAGES),
        help="comma-separated stages to run (default all: ingest,inputs,models); e.g. 'models' on a --warehouse whose inputs are stored",
    )
    args = parser.parse_args(argv)
    if (args.raw is None) == (args.scale is None):
        parser.error("give exactly one of --raw and --scale")
    stages = [x.strip() for x in args.stages.split(",") if x.strip()]
    if set(stages) - set(STAGES):
        parser.error(f"unknown stages {sorted(set(stages) - set(STAGES))}; choose from {', '.join(STAGES)}")
    if args.incremental and stages != list(STAGES):
        parser.error("--incremental runs every stage")
    if args.incremental and args.target_week:
        parser.error("--incremental chooses its weeks: the last week of the data is the new week")
    quiet_process()

    with tempfile.TemporaryDirectory(prefix="bench_graph_") as tmp:
        work = Path(tmp)
        raw = args.raw
        if args.scale:
            raw = work / "raw"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "hm_assets.synth", "--scale", args.scale, "--seed", "0", "--out", str(raw), "--quiet"], cwd=REPO, check=True)
            print(f"generated {args.scale} (seed 0) in {time.perf_counter() - started:.1f} s", flush=True)
        warehouse = args.warehouse or work / "warehouse"
        started = time.perf_counter()
        if args.incremental:
            body, ok = incremental_benchmark(raw, warehouse, work, args.in_process)
        else:
            body, ok = full_benchmark(raw, warehouse, work, args.target_week, stages, args.in_process)
        elapsed = time.perf_counter() - started
        report = f"{header(argv, _data_summary(raw))}- whole script (runs, definitions, data preparation): {elapsed:.1f} s\n\n{body}"
    print(report)
    if args.out:
        args.out.write_text(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
