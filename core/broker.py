"""kombu's filesystem transport, with atomic message files.

The stock transport opens ``<name>.msg`` and then writes it; a worker listing the folder in between takes
the empty file and fails to decode it (we saw a worker die of ``JSONDecodeError`` at start-up). Here a
message is written under a temporary name the readers ignore and renamed into place, which is atomic on
POSIX file systems, so a reader sees either no file or the whole message.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # No ".<queue>.msg" suffix while it is being written: readers only take names that end so.
        partial = os.path.join(self.data_folder_out, f".writing-{uuid.uuid4().hex}")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
