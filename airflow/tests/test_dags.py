"""The DAG files parse and import against a stand-in of Airflow's operator API, their task graphs are
the expected ones, and their templated arguments render. With DW_DAG_ARGS_OUT set, the rendered
`application_args` of every task are written there as JSON, for the Java test that runs each through
the real command line with --dry-run (AirflowDagsTest).

    python3 airflow/tests/test_dags.py
"""
import importlib.util
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DAGS = os.path.join(os.path.dirname(HERE), "dags")
sys.path[:0] = [os.path.join(HERE, "standin"), DAGS]

# What a run would render: the day, the Variables and the trigger parameters of an example run.
CONTEXT = {
    "ds": "2026-10-15",
    "var.value.distillwatch_lake": "s3a://security-lake/distillwatch",
    "var.value.distillwatch_landing": "s3a://logs/landing",
    "var.value.distillwatch_share_out": "s3a://security-lake/sharing",
    "params.study": "/mnt/studies/claude-2",
    "params.out": "/mnt/studies/claude-2/out",
    "params.length": "both",
    "params.from": "2026-08-01",
    "params.to": "2026-10-31",
}


def render(text):
    def value(m):
        key = m.group(1).strip()
        if key not in CONTEXT:
            raise KeyError("template uses {{ %s }}, which the test context lacks" % key)
        return CONTEXT[key]
    return re.sub(r"\{\{(.*?)\}\}", value, text)


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(DAGS, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


class DagsTest(unittest.TestCase):
    def test_nightly_runs_the_stages_in_order_for_the_run_date(self):
        dag = load("distillwatch_nightly")
        self.assertEqual("distillwatch_nightly", dag.dag_id)
        self.assertFalse(dag.catchup)
        self.assertEqual(1, dag.max_active_runs)
        self.assertEqual(["ingest", "features", "drift", "link", "campaigns", "share_export"], list(dag.tasks))
        self.assertEqual({"ingest"}, dag.tasks["features"].upstream)
        self.assertEqual({"features"}, dag.tasks["drift"].upstream)
        self.assertEqual({"drift"}, dag.tasks["link"].upstream)
        self.assertEqual({"link"}, dag.tasks["campaigns"].upstream)
        self.assertEqual({"campaigns"}, dag.tasks["share_export"].upstream)
        for task in dag.tasks.values():
            args = [render(a) for a in task.application_args]
            self.assertEqual(task.task_id.split("_"), args[:len(task.task_id.split("_"))])
            self.assertEqual("2026-10-15", args[args.index("--date") + 1])
            self.assertEqual("s3a://security-lake/distillwatch", args[args.index("--lake") + 1])
            self.assertEqual("io.distillwatch.jobs.cli.Main", task.java_class)
            self.assertIn("DeltaSparkSessionExtension", task.conf["spark.sql.extensions"])
        share = [render(a) for a in dag.tasks["share_export"].application_args]
        self.assertEqual("s3a://security-lake/sharing/2026-10-15/bundle.json", share[share.index("--out") + 1])
        self.assertFalse(any("KEY" in a for a in share), "the community key never appears in a DAG")

    def test_retries_and_alerts_are_set_for_every_dag(self):
        for name in ("distillwatch_nightly", "distillwatch_attribution", "distillwatch_discovery"):
            dag = load(name)
            self.assertGreaterEqual(dag.default_args["retries"], 1, name)
            self.assertTrue(callable(dag.default_args["on_failure_callback"]), name)

    def test_the_attribution_study_is_triggered_with_a_study_folder(self):
        dag = load("distillwatch_attribution")
        self.assertIsNone(dag.schedule)
        self.assertEqual(["attribute"], list(dag.tasks))
        self.assertEqual({"study", "out", "length"}, set(dag.params))
        task = dag.tasks["attribute"]
        self.assertEqual("client", task.deploy_mode)
        args = [render(a) for a in task.application_args]
        self.assertEqual("/mnt/studies/claude-2", args[args.index("--study") + 1])

    def test_discovery_is_triggered_with_a_range(self):
        dag = load("distillwatch_discovery")
        self.assertIsNone(dag.schedule)
        self.assertEqual(1, dag.max_active_runs)
        self.assertEqual(["discover"], list(dag.tasks))
        self.assertEqual({"from", "to"}, set(dag.params))
        args = [render(a) for a in dag.tasks["discover"].application_args]
        self.assertEqual(["discover", "--lake", "s3a://security-lake/distillwatch", "--from", "2026-08-01",
                          "--to", "2026-10-31"], args)

    def test_the_failure_alert_names_the_task_and_date_only(self):
        from distillwatch_common import alert_on_failure

        class TaskInstance:
            dag_id, task_id, try_number, log_url = "distillwatch_nightly", "ingest", 3, "http://airflow/log"

        with self.assertLogs("distillwatch_common", "ERROR") as logs:
            alert_on_failure({"task_instance": TaskInstance(), "ds": "2026-10-15"})
        self.assertIn("task=ingest date=2026-10-15 try=3", logs.output[0])


def rendered_arguments():
    out = {}
    for name in ("distillwatch_nightly", "distillwatch_attribution", "distillwatch_discovery"):
        dag = load(name)
        out[dag.dag_id] = {t.task_id: [render(a) for a in t.application_args] for t in dag.tasks.values()}
    return out


if __name__ == "__main__":
    target = os.environ.get("DW_DAG_ARGS_OUT")
    if target:
        with open(target, "w") as f:
            json.dump(rendered_arguments(), f, indent=1)
    unittest.main(argv=[sys.argv[0], "-v"])
