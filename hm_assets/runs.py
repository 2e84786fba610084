"""What a Dagster run did, read off its result: used by the demo, the benchmarks and the tests."""

import dagster as dg


def materializations(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    """Metadata values of every asset the run materialized, by asset key (``"a/b"`` for paths)."""
    return {
        event.asset_key.to_user_string(): {
            key: value.value for key, value in event.step_materialization_data.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
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
