"""Serve a WSGI app on 127.0.0.1 for the interop tests.

Binds a free port, prints ``{"port": N}`` on one line once it listens, and exits when its stdin
closes, so a server never outlives the test that started it.
"""
import json
import os
import sys
import threading

from werkzeug.serving import make_server


def serve(app, on_port=None):
    server = make_server('127.0.0.1', 0, app, threaded=True)
    port = server.server_port
    if on_port is not None:
        on_port(port)

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({'port': port}), flush=True)
    server.serve_forever()
