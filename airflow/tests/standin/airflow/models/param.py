class Param:
    def __init__(self, default=None, type=None, enum=None, description=None):
        self.value = default
        self.type = type
        self.enum = enum
        self.description = description
