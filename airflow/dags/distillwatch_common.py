"""Shared settings of the distillwatch DAGs: the spark-submit jar, the Spark connection, the lake,
retries and failure alerts. Deployment: airflow/README.md.

Every distillwatch job is idempotent per date (Delta replaceWhere or MERGE on the natural key), so
a retried or re-run task leaves the lake exactly as one successful run does; retries are safe.
"""
import logging
import os
from datetime import timedelta

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Where the cluster finds the jar built by `mvn -B -ntp package -DskipTests`
# (jobs/target/distillwatch-jobs-<version>-spark.jar), copied to shared storage.
JAR = os.environ.get("DISTILLWATCH_JAR", "s3a://artifacts/distillwatch/distillwatch-jobs-spark.jar")
SPARK_CONN_ID = os.environ.get("DISTILLWATCH_SPARK_CONN_ID", "spark_default")
MAIN_CLASS = "io.distillwatch.jobs.cli.Main"

# Lake and landing zone are Airflow Variables, read when a task runs (not when the file is parsed).
LAKE = "{{ var.value.distillwatch_lake }}"
LANDING = "{{ var.value.distillwatch_landing }}"
# Where each night's STIX bundle for peer labs goes (share export), picked up by the TAXII client.
SHARE_OUT = "{{ var.value.distillwatch_share_out }}"

# Delta on the cluster's Spark; S3 credentials come from the cluster (instance profile or a Hadoop
# credential provider), never from here.
SPARK_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}
PACKAGES = "org.apache.hadoop:hadoop-aws:3.4.2"

log = logging.getLogger(__name__)


def alert_on_failure(context):
    """Failure alert: which DAG, task and date failed, and where its log is. No data, no account ids."""
    ti = context["task_instance"]
    log.error("distillwatch task failed: dag=%s task=%s date=%s try=%s log=%s",
              ti.dag_id, ti.task_id, context["ds"], ti.try_number, ti.log_url)


DEFAULT_ARGS = {
    "owner": "threat-intel-data",
    "depends_on_past": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
    "email_on_failure": True,
    "email_on_retry": False,
    "on_failure_callback": alert_on_failure,
}


def stage(task_id, application_args, **kwargs):
    """One distillwatch command as one spark-submit task on the jar."""
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=MAIN_CLASS,
        packages=PACKAGES,
        conf=SPARK_CONF,
        name="distillwatch-" + task_id,
        application_args=application_args,
        **kwargs,
    )
