"""Streaming intake of uploaded meshes: size limit enforced while the bytes arrive, sha256 computed on the
way, the file kept in a temporary file (never whole in memory) that Django deletes when the request ends."""

import hashlib

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

# Multipart framing and the small text fields (name, units, message) ride along with the file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class MeshUploadHandler(TemporaryFileUploadHandler):
    """Refuses a body larger than ``max_bytes`` without storing it, and hashes what it keeps.

    When the declared Content-Length is already too large nothing is read at all; when the client lies or
    streams without a length, the temporary file is closed (and so deleted) as soon as the count passes the
    limit. Either way ``request.upload_too_large`` is set for the view to answer 413.
    """

    def __init__(self, request, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.digest = None
        request.upload_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.max_bytes + MULTIPART_OVERHEAD_BYTES:
            self.request.upload_too_large = True
            return QueryDict(mutable=True), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.upload_too_large = True
            self.file.close()
            raise StopUpload(connection_reset=True)
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.digest.hexdigest()
        return uploaded
