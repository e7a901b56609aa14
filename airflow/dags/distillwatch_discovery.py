"""Retrospective campaign discovery, triggered by hand with a date range.

Replays linkage and clustering night by night over the range from the stored features (nothing is
re-ingested) into the discovery.* tables, and lists in gold.discoveries the campaigns the nightly
runs missed or flagged late. A long range is a long task: one Spark application, progress per night
in its log.
"""
from datetime import datetime

from airflow import DAG
from airflow.models.param import Param

from distillwatch_common import DEFAULT_ARGS, LAKE, stage

with DAG(
    dag_id="distillwatch_discovery",
    description="distillwatch: replay linkage and clustering over a range; what did the nights miss?",
    schedule=None,
    start_date=datetime(2026, 10, 1),
    catchup=False,
    max_active_runs=1,  # two replays would write the same discovery.* rows
    default_args={**DEFAULT_ARGS, "retries": 1},
    params={
        "from": Param(type="string", format="date", description="first night of the replay (YYYY-MM-DD)"),
        "to": Param(type="string", format="date", description="last night of the replay (YYYY-MM-DD)"),
    },
    tags=["distillwatch", "security", "discovery"],
) as dag:
    stage("discover", ["discover", "--lake", LAKE, "--from", "{{ params.from }}", "--to", "{{ params.to }}"])
