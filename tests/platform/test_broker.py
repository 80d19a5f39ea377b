"""The embedded filesystem broker writes each message atomically: a reader never sees a half-written file.

With kombu's stock transport this test fails (a reader takes the file between its creation and its write).
"""

import json
import threading
from pathlib import Path

from kombu import Connection, Queue

from core.broker import Transport
from platform.settings.base import filesystem_broker_options


def test_messages_are_never_read_half_written(tmp_path):
    options = filesystem_broker_options(tmp_path)
    for key in ("data_folder_in", "control_folder", "processed_folder"):
        Path(options[key]).mkdir(exist_ok=True)
    queue = Queue("race", routing_key="race")
    big = {"payload": "x" * 2_000_000}  # large enough that writing takes a while
    seen, errors = [], []

    def read():
        with Connection("filesystem://localhost/", transport=Transport, transport_options=options) as connection:
            channel = connection.default_channel
            while len(seen) < 20:
                try:
                    message = channel.basic_get("race", no_ack=True)
                except (ValueError, json.JSONDecodeError) as error:  # the stock transport fails here
                    errors.append(error)
                    return
                if message is not None:
                    seen.append(len(message.decode()["payload"]))

    reader = threading.Thread(target=read)
    with Connection("filesystem://localhost/", transport=Transport, transport_options=options) as connection:
        producer = connection.Producer()
        queue(connection.default_channel).declare()
        reader.start()
        for _ in range(20):
            producer.publish(big, routing_key="race", serializer="json", declare=[queue])
    reader.join(timeout=60)
    assert errors == []
    assert seen == [2_000_000] * 20
