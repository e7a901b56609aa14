"""Nightly: each stage of `distillwatch nightly` as its own task, for the day {{ ds }}.

ingest -> features -> drift -> link -> campaigns, then share_export: the night's flagged campaigns as a
STIX 2.1 bundle for the sharing community (docs/sharing.md; identity indicators only when the driver's
environment holds DW_COMMUNITY_KEY, which the deployment provides, never this file). catchup is off: a missed
night is re-run on purpose (Airflow's "clear" or a backfill), which is safe since every stage is
idempotent per date.
"""
from datetime import datetime

from airflow import DAG

from distillwatch_common import DEFAULT_ARGS, LAKE, LANDING, SHARE_OUT, stage

with DAG(
    dag_id="distillwatch_nightly",
    description="distillwatch: ingest yesterday's API logs, features, query drift, account links, campaigns and alerts",
    schedule="30 2 * * *",  # after the landing zone's daily export (02:00 UTC)
    start_date=datetime(2026, 10, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["distillwatch", "security"],
) as dag:
    ingest = stage("ingest", ["ingest", "--landing", LANDING, "--lake", LAKE, "--date", "{{ ds }}"])
    features = stage("features", ["features", "--lake", LAKE, "--date", "{{ ds }}"])
    drift = stage("drift", ["drift", "--lake", LAKE, "--date", "{{ ds }}"])
    link = stage("link", ["link", "--lake", LAKE, "--date", "{{ ds }}"])
    campaigns = stage("campaigns", ["campaigns", "--lake", LAKE, "--date", "{{ ds }}"])
    share_export = stage("share_export", ["share", "export", "--lake", LAKE, "--date", "{{ ds }}",
                                          "--out", SHARE_OUT + "/{{ ds }}/bundle.json"])

    ingest >> features >> drift >> link >> campaigns >> share_export
