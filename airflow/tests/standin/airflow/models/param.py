class Param:
    """Stand-in of airflow.models.param.Param: a default, a description and JSON-schema keywords."""

    def __init__(self, default=None, description=None, **schema):
        self.value = default
        self.description = description
        self.schema = schema
        self.type = schema.get("type")
        self.enum = schema.get("enum")
