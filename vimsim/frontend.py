"""The base of every front-end resource: it serves the server's current model."""
from twisted.web import resource


class ModelResource(resource.Resource):
    isLeaf = True

    def __init__(self, server_state):
        super().__init__()
        self.state = server_state

    def authenticated(self, request):
        """Whether a request's head names a live session of this surface: the HTTP layer asks
        before reading a body over --max-unauthenticated-body (see httpserver.Site)."""
        return False

    @property
    def vc(self):
        """The model now being served (a reset or snapshot load replaces it)."""
        return self.state.vc
