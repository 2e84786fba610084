"""hm-assets: a Dagster asset-based platform for fashion recommendation."""

from hm_assets import process

process.configure()  # every process that runs the project's code: see hm_assets.process
