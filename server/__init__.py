"""workshop-kit's server. Importing the package loads nothing heavy, so that `workshop serve`
can patch the standard library for gevent before Flask and its friends are imported."""


def create_app(config=None):
    """Create the Flask app (see server.app.create_app)."""
    from .app import create_app as create
    return create(config)


def __getattr__(name):
    if name == "socketio":
        from .extensions import socketio
        return socketio
    raise AttributeError(name)
