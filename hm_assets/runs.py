"""What a Dagster run did, read off its result: used by the demo, the benchmarks and the tests."""

from collections.abc import Iterable

import dagster as dg


def materializations(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    """Metadata values of every asset the run materialized, by asset key (``"a/b"`` for paths)."""
    return metadata_by_asset(result.get_asset_materialization_events())


def metadata_by_asset(events: Iterable[dg.DagsterEvent]) -> dict[str, dict]:
    """:func:`materializations` of asset materialization events, wherever they were read (a run's
    result, or the instance's event log of a run executed elsewhere)."""
    return {
        event.asset_key.to_user_string(): {
            key: value.value for key, value in event.step_materialization_data.materialization.metadata.items()
        }
        for event in events
    }


def failure_messages(result: dg.ExecuteInProcessResult) -> str:
    """Every failed step's error and ``dg.Failure`` description, one after another."""
    texts = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.event_specific_data
            texts.append(str(data.error))
            if data.user_failure_data is not None:
                texts.append(str(data.user_failure_data.description))
    return "\n".join(texts)
