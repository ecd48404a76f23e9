"""Each request answered on one roomy stretch of the interpreter's frame stack.

Why: on Python 3.11, a call that does not fit the current 16 KiB chunk of the frame stack maps a new
chunk and unmaps it on return, so a hot loop at a chunk's edge maps and unmaps memory on every call
(CPython gh-142183). Each request runs inside `call_with_room`, whose big frame gets a 128 KiB chunk
of its own, so its deeper frames never cross an edge. Measurements: docs/performance.md.

Delete this module (and its use in config/wsgi.py) once the project runs on a Python with CPython's
gh-145789 fix (a spare chunk kept): config/tests/test_callstack.py then skips its main test.
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
