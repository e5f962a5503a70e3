"""One module per resource; each endpoint is described once (see ``_endpoint.py``)."""
