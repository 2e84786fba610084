"""Concurrency pools: steps in the same pool never run at the same time across all runs.

``dagster.yaml`` gives every pool one slot (``pools: default_limit: 1``). Tag an asset with
``pool=MEMORY`` when one step of it at `full` scale takes gigabytes (ingestion, a training set,
a ranker's fit, scoring every customer): two of them at once could exhaust the machine.
"""

MEMORY = "hm_memory"
