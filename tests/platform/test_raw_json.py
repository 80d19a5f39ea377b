"""Raw JSON (core.api.RawJSON): stored JSON text written into a body as it is, and nothing else touched."""

import json

from core.api import RawJSON, RawJSONRenderer


def test_raw_json_is_written_as_it_is_and_the_rest_as_drf_writes_it():
    data = {
        "name": "\x000\x00 looks like a place but is a name",
        "reports": [RawJSON('{"volume_mm3": 1000.5, "ok": true}'), None, RawJSON("[1, 2, 3]")],
        "price": "12.30",
    }
    body = RawJSONRenderer().render(data)
    assert json.loads(body) == {
        "name": "\x000\x00 looks like a place but is a name",
        "reports": [{"volume_mm3": 1000.5, "ok": True}, None, [1, 2, 3]],
        "price": "12.30",
    }
    assert b'{"volume_mm3": 1000.5, "ok": true}' in body  # not decoded and encoded again
    # indented (the browsable API's view of it) too
    indented = RawJSONRenderer().render(data, "application/json; indent=2")
    assert json.loads(indented) == json.loads(body)
