"""The baseline: a bare Flask "hello" app, served with the same gunicorn settings as the service."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    """The least a Flask request can cost."""
    return "Bonjour"
