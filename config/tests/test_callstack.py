"""config/callstack.py: each request on a frame-stack chunk of its own.

A newly mapped chunk costs the process a page fault when its first frame is written, so the page
faults of a loop of calls show whether each call mapped a chunk anew: exact counts, not timings.
"""

import resource
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import get_internal_wsgi_application

from config.callstack import call_with_room, make_roomy, with_room

CALLS = 2000


def page_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


# A frame of 64 slots: wider than a step of `descend` (about 16), so at some depth it no longer fits
# the chunk that `descend`'s frames still fit. Called with a builtin, it adds no frame above its own.
wide = make_roomy(64)


def descend(depth):
    """The page faults of CALLS calls of `wide`, made `depth` frames deeper than here."""
    if depth:
        return descend(depth - 1)
    before = page_faults()
    for _ in range(CALLS):
        wide(tuple)
    return page_faults() - before


def worst_faults(call):
    """The most page faults of the loop over 300 depths: more than a chunk of 2,048 slots, so one
    of them puts `wide` across a chunk's edge, if the loop meets one."""
    return max(call(descend, depth) for depth in range(300))


def plainly(function, *args):
    return function(*args)


def test_calls_across_a_chunks_edge_map_no_chunk_each_with_room():
    if worst_faults(plainly) < CALLS // 2:
        pytest.skip("this Python keeps a spare frame-stack chunk (gh-142183 fixed): nothing to spare")
    assert worst_faults(call_with_room) < CALLS // 20


def test_call_with_room_passes_the_arguments_and_the_result():
    assert call_with_room(divmod, 17, 5) == (3, 2)
    with pytest.raises(ZeroDivisionError):
        call_with_room(divmod, 1, 0)


@pytest.mark.django_db
def test_the_served_application_answers_from_a_roomy_stack():
    application = get_internal_wsgi_application()  # config.wsgi.application, as gunicorn loads it
    assert isinstance(application.wrapped, WSGIHandler)
    environ = {"PATH_INFO": "/healthz", "HTTP_X_FORWARDED_PROTO": "https"}
    setup_testing_defaults(environ)
    started = []
    body = b"".join(application(environ, lambda status, headers, *_: started.append(status)))
    assert started == ["200 OK"]
    assert body == b"ok\n"


def test_with_room_hands_each_request_to_the_application():
    def application(environ, start_response):
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    assert with_room(application)({"PATH_INFO": "/here"}, lambda *_: None) == [b"/here"]
