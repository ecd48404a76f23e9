"""Each request answered on one roomy stretch of the interpreter's frame stack.

Why: CPython keeps its Python frames on a stack made of 16 KiB chunks. A call that does not fit in
the current chunk gets a new one (an `mmap`), and the chunk is released (`munmap`) as soon as that
call returns. A loop that calls a function exactly at a chunk's edge therefore maps and unmaps
memory on every call: CPython issue gh-142183, fixed upstream in March 2026 by keeping one spare
chunk (gh-145789), not in the 3.11 this project runs on (Debian 12's). Where the edge falls
depends on how deep the request handling is, so any change of depth (a middleware, a template tag)
can move it onto a hot loop. Measured at full benchmark size (gunicorn, one worker, 2026-12-02):
the admin commitments changelist mapped and unmapped a chunk about 330 times a request (`strace`;
its list filters' template loop sat on an edge), its filters took 3.5 ms to render against 1.0 in
a process where no edge fell there, and the page 64 ms instead of 57 (p50, locust, the two served
side by side); the dashboard did not happen to sit on an edge.

How: the request is handled inside `call_with_room`, a function with ROOMY_SLOTS local variables, which
never runs their assignments but gets a frame big enough that CPython gives it a chunk of its own of
128 KiB. All deeper frames of the request then fit in what is left of that chunk (about 9,100
slots: under `strace`, the admin changelist and the dashboard map no chunk beyond it), so each
request maps one chunk, not hundreds, wherever its edges would have fallen. config/tests/test_callstack.py proves it with the
process's page faults, which each newly mapped chunk costs.

A streamed response's body (the exports) is read by gunicorn after the view returns, outside
`call_with_room`: its frames are few and shallow.
"""

# CPython gives a frame that does not fit its current chunk a new chunk of 16 KiB, doubled until it
# holds the frame plus 1,000 slots (Python/pystate.c: DATA_STACK_CHUNK_SIZE, MINIMUM_OVERHEAD).
# 7,200 slots of locals (8 bytes each) plus 1,000 need more than 64 KiB, hence a chunk of 128 KiB
# (16,384 slots), of which about 9,100 remain for the frames above it.
ROOMY_SLOTS = 7200


def make_roomy(slots):
    """A function calling `call(*args)` from a frame with `slots` local variables.

    The locals are assigned under `if False:`, code the compiler leaves out but whose names it
    still counts as the function's locals, so the frame has a slot for each.
    """
    assignments = "\n        ".join(f"_{number} = None" for number in range(slots))
    source = f"def roomy(call, *args):\n    if False:\n        {assignments}\n    return call(*args)\n"
    namespace = {}
    exec(compile(source, "<config.callstack>", "exec"), namespace)  # (the text above, ours alone)
    return namespace["roomy"]


# call_with_room(function, *args): function(*args), its frames and the deeper ones on a stack chunk
# of their own.
call_with_room = make_roomy(ROOMY_SLOTS)


def with_room(application):
    """The WSGI application, each request handled by call_with_room (see the module's docstring)."""

    def roomy_application(environ, start_response):
        return call_with_room(application, environ, start_response)

    roomy_application.wrapped = application
    return roomy_application
