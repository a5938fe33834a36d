"""Real-browser fixtures: Debian's chromium driven by Playwright, the built site
served over http on 127.0.0.1 with a free port (see ARCHITECTURE.md)."""

from __future__ import annotations

import functools
import http.server
import socket
import threading

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_server(built_site):
    """Serve the built site; yields its base URL (ending in '/')."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def base_url(site_server):
    return site_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Pages carry a Content-Security-Policy without 'unsafe-eval'; Playwright's own
    helpers (wait_for_function with a string, axe injection) evaluate strings, so
    ordinary tests bypass the policy. tests/browser/test_csp.py opens its own
    contexts without the bypass and checks the policy itself."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def browser(browser):
    """Contexts that tests open themselves bypass the CSP too, unless they pass
    ``bypass_csp=False`` (as tests/browser/test_csp.py does)."""
    original = browser.new_context

    def new_context(**kwargs):
        kwargs.setdefault("bypass_csp", True)
        return original(**kwargs)

    browser.new_context = new_context
    return browser
