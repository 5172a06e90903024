"""The WSGI entry point for gunicorn: ``gunicorn service.wsgi:app``."""

import logging

from service import create_app
from service.embed import assets
from service.operator_errors import stop_on_operator_error

# A bad setting: one line saying what to fix, not two tracebacks (found in review), and
# exit status 4, gunicorn's "App failed to load", with which its master stops at once
# instead of booting workers again and again. `moderato web` checks the settings before it
# starts gunicorn, so this is for gunicorn run directly.
with stop_on_operator_error():
    app = create_app()
# Build the embed's minified scripts as the worker process starts (a third of a second),
# not on the first reader's request for them.
assets.loader()  # and the widget bundle, its edit chunk and stylesheets it names
assets.counter()

if app.config["ENV"] == "production" and not app.config["PUBLIC_URL"]:
    # Said by each web worker process as it starts (gunicorn's and nothing else: not by
    # every CLI command or classifier worker; docs/deploy.md).
    logging.getLogger("moderato").warning(
        "MODERATO_PUBLIC_URL is not set: the absolute URLs moderato writes (Location, "
        "status_url, the no-JS thread's links) follow each request's Host header; set it "
        "to the address readers use, e.g. https://comments.example"
    )
