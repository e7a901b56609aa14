from airflow import DAG


class SparkSubmitOperator:
    """Records its arguments and its place in the DAG; the keyword names are those of the real operator."""

    def __init__(self, task_id, application, application_args=None, conn_id="spark_default", java_class=None,
                 packages=None, conf=None, name=None, deploy_mode=None, **kwargs):
        if DAG.current is None:
            raise RuntimeError("operator created outside a DAG context")
        self.task_id = task_id
        self.application = application
        self.application_args = list(application_args or [])
        self.conn_id = conn_id
        self.java_class = java_class
        self.packages = packages
        self.conf = conf or {}
        self.name = name
        self.deploy_mode = deploy_mode
        self.upstream = set()
        self.dag = DAG.current
        if task_id in self.dag.tasks:
            raise ValueError("duplicate task id " + task_id)
        self.dag.tasks[task_id] = self

    def __rshift__(self, other):
        other.upstream.add(self.task_id)
        return other
