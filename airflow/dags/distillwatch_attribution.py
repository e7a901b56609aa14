"""Attribution study, triggered by hand with the study folder (study.json and outputs/).

Writes OUT/attribution.json, OUT/attribution.md and the study's rows of gold.attribution.
"""
from datetime import datetime

from airflow import DAG
from airflow.models.param import Param

from distillwatch_common import DEFAULT_ARGS, LAKE, stage

with DAG(
    dag_id="distillwatch_attribution_study",
    description="distillwatch: is a suspect model's output derived from ours? (p-values, verdicts)",
    schedule=None,
    start_date=datetime(2026, 10, 1),
    catchup=False,
    default_args={**DEFAULT_ARGS, "retries": 1},
    params={
        "study": Param(type="string", description="study folder with study.json and outputs/"),
        "out": Param(type="string", description="output folder for attribution.json and attribution.md"),
        "length": Param("both", enum=["given", "matched", "both"], description="length mode"),
    },
    tags=["distillwatch", "attribution"],
) as dag:
    stage("attribute", ["attribute", "--study", "{{ params.study }}", "--out", "{{ params.out }}",
                        "--length", "{{ params.length }}", "--lake", LAKE],
          # the study folder is read by the driver: run it where the folder is mounted
          deploy_mode="client")
