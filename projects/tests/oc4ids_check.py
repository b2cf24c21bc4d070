"""The OC4IDS validation of the tests: ``libcoveoc4ids`` (the Open Contracting Partnership's own
checker) pointed at the copy of the standard's schema and codelists in ``oc4ids/0.9.5``, served
over HTTP on the loopback address by ``serve_standard``, so that nothing is fetched from the
network. ``problems`` gives every finding a publisher must fix, empty when the package is good."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STANDARD = Path(__file__).parent / "oc4ids" / "0.9.5"


@contextlib.contextmanager
def serve_standard() -> Iterator[str]:
    """Serve ``STANDARD`` on 127.0.0.1 (a free port) while in the block; gives its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (the base class's name)
            pass

    handler = functools.partial(Quiet, directory=str(STANDARD))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def check(package: dict[str, Any], base_url: str) -> dict[str, Any]:
    """libcoveoc4ids' full result for ``package`` against the schema at ``base_url``."""
    from libcoveoc4ids.api import oc4ids_json_output
    from libcoveoc4ids.config import LibCoveOC4IDSConfig

    config = LibCoveOC4IDSConfig(
        {
            "schema_host": base_url,
            "schema_version_choices": {"0.9.5": ("0.9.5", base_url)},
            "schema_codelists": {"0.9": f"{base_url}codelists/"},
        }
    )
    return oc4ids_json_output(json_data=package, lib_cove_oc4ids_config=config)


def problems(package: dict[str, Any], base_url: str) -> dict[str, list]:
    """What is wrong with ``package``: schema errors, conformance errors (the project id prefix),
    values outside a closed codelist, and the checker's own warnings (an empty value, a party
    referred to but not listed, a currency it does not know); empty lists when it is good."""
    result = check(package, base_url)
    return {
        "validation_errors": result["validation_errors"],
        "conformance_errors": [item for item in result["conformance_checks"] if item],
        "closed_codelist_values": list(result["additional_closed_codelist_values"].items()),
        "additional_checks": result["additional_checks"],
        # Fields the schema does not know (a misspelt key is no error to it, only this).
        "additional_fields": [
            path for path, info in result["additional_fields"].items() if info.get("root_additional_field")
        ],
    }
