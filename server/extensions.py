"""The Socket.IO extension, created unbound and attached to an app by create_app."""
from flask_socketio import SocketIO

socketio = SocketIO()
