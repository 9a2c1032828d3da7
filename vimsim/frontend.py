"""The base of every front-end resource: it serves the server's current model."""
from twisted.web import resource


class ModelResource(resource.Resource):
    isLeaf = True

    def __init__(self, server_state):
        super().__init__()
        self.state = server_state

    @property
    def vc(self):
        """The model now being served (a reset or snapshot load replaces it)."""
        return self.state.vc
