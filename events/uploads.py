"""Uploads are refused while they are received, not after they have arrived whole; evidence files
go out through one access-checked download."""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _


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


def evidence_download(stored, name):
    """A stored evidence file (an event's, a check-in's, an assessment's) as a download under its
    uploader's name, once the caller has checked access."""
    filename = name or stored.name
    if settings.EVIDENCE_ACCEL_REDIRECT_PREFIX:
        # Behind nginx: the access check is done, so nginx sends the file from its internal
        # location (deploy/nginx/), and no app server is held while a large file goes out.
        if not stored.storage.exists(stored.name):
            raise Http404(_("The evidence file is missing."))
        content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        response["X-Accel-Redirect"] = settings.EVIDENCE_ACCEL_REDIRECT_PREFIX + quote(stored.name)
        return response
    try:
        handle = stored.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("The evidence file is missing.")) from missing
    return FileResponse(handle, as_attachment=True, filename=filename)
