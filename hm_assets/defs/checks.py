"""Validate-before-publish: data-quality rules run on a table before the IO manager stores it.

The rules (``hm_assets.quality``) are declared as the asset's check specs, evaluated on the
in-memory table, and reported as asset-check results. If a blocking rule fails, the step fails
before yielding its output, so the IO manager never replaces the last good version and nothing
downstream runs.
"""

from collections.abc import Iterable, Iterator

import dagster as dg

from hm_assets.quality.rules import RULES


def check_specs(asset: str, table: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(rule.name, asset=asset, blocking=rule.blocking, description=rule.description)
        for rule in RULES[table]
    ]


def report(outcomes: Iterable, source: str) -> Iterator[dg.AssetCheckResult]:
    """Yield one check result per rule outcome; raise ``dg.Failure`` if a blocking rule failed."""
    from hm_assets.quality.expectations import blocking_failures, format_failures

    outcomes = list(outcomes)
    for outcome in outcomes:
        yield dg.AssetCheckResult(
            check_name=outcome.rule.name,
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR if outcome.rule.blocking else dg.AssetCheckSeverity.WARN,
            description=outcome.message or outcome.rule.description,
            metadata={
                "unexpected_count": outcome.unexpected_count,
                "examples": dg.MetadataValue.json(list(outcome.examples)),
            },
        )
    failures = blocking_failures(outcomes)
    if failures:
        raise dg.Failure(
            description=f"{source} failed {len(failures)} blocking check(s); the stored table was not replaced.\n"
            + format_failures(failures)
        )
