"""Uploads are refused while they are received, not after they have arrived whole."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    """A request body or file over the limits. A SuspiciousOperation, as Django's own size errors:
    wherever it is raised (the CSRF check reads the body first), it is answered by handler400,
    which turns it into the 413 page (config/views.py)."""


class EvidenceSizeLimitHandler(FileUploadHandler):
    """The first upload handler: stops a multipart request whose declared size is over what an
    evidence file and its form can take (before anything is read), and a file that passes
    EVIDENCE_MAX_BYTES as it streams in (a client that declares no size, or lies)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.UPLOAD_REQUEST_MAX_BYTES:
            raise UploadTooLarge("The request is larger than an evidence file and its form can be.")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_BYTES:
            raise UploadTooLarge("The file is larger than an evidence file may be.")
        return raw_data

    def file_complete(self, file_size):
        return None
