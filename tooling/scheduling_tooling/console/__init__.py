"""The local web console: one page over a local stack (see `app.py`), its assets in `static/`."""
