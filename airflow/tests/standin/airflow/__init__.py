"""A minimal stand-in for the parts of Airflow's API the distillwatch DAGs use (Airflow itself cannot
be installed from the registries reachable here). It records what the DAG files declare, so the
tests can check the task graph and the arguments; it runs nothing."""


class DAG:
    current = None

    def __init__(self, dag_id, schedule=None, start_date=None, catchup=None, default_args=None, params=None,
                 description=None, max_active_runs=None, tags=None):
        if catchup is None:
            raise TypeError("catchup must be set explicitly")
        self.dag_id = dag_id
        self.schedule = schedule
        self.start_date = start_date
        self.catchup = catchup
        self.default_args = default_args or {}
        self.params = params or {}
        self.description = description
        self.max_active_runs = max_active_runs
        self.tags = tags or []
        self.tasks = {}

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None
        return False
