"""The base of every front-end resource, and how a big request is answered in slices.

The server is one thread: a request that computed or encoded 200 MB in one go would keep
every other client waiting for seconds. A front-end instead writes its work as a generator
that yields None after each bit (an object parsed, decoded, retrieved or encoded) and, last,
the answer's body; ``run_in_slices`` runs it about SLICE seconds per reactor turn.
"""
import time

from twisted.web import resource, server

# Longest one request holds the reactor at a time (issue 14: nobody waits 20 ms behind it).
SLICE = 0.003
# The most a RetrievePropertiesEx page or a WaitForUpdatesEx answer holds, encoded: the
# "PropertyCollector policy" of RetrieveOptions and WaitOptions, under which vCenter returns
# fewer objects than maxObjects (the rest under the token) and truncates an UpdateSet (the
# rest with the next call). It bounds the memory an answer takes, as well as its time.
PAGE_BYTES = 4 * 1024 * 1024
# Characters of an answer's text joined and encoded between two steps (a 4 MiB page joined in
# one go held the reactor about 10 ms; a long array's 10,000 items written as 10,000 parts
# in one go, 8 ms).
JOIN_STEP = 256 * 1024


class ModelResource(resource.Resource):
    isLeaf = True

    def __init__(self, server_state):
        super().__init__()
        self.state = server_state

    def authenticated(self, request):
        """Whether a request's head names a live session of this surface: the HTTP layer asks
        before reading a body over --max-unauthenticated-body (see httpserver.Site)."""
        return False

    @property
    def vc(self):
        """The model now being served (a reset or snapshot load replaces it)."""
        return self.state.vc


def run_in_slices(reactor, request, steps, failed):
    """Run ``steps`` (a generator yielding None after each bit of work, then the body: bytes,
    a list of bytes, or NOT_DONE_YET when it answers later itself) a slice at a time. A body
    the first slice finishes is returned as it is (a small request loses no turn); otherwise
    it is written when ready and NOT_DONE_YET returned. ``failed(exc)`` is the body for an
    exception raised by the steps."""
    clock = time.perf_counter

    def run_slice():
        deadline = clock() + SLICE
        try:
            while True:
                body = next(steps)
                if body is not None:
                    return body
                if clock() > deadline:
                    return None
        except Exception as exc:
            return failed(exc)

    def resume():
        if request.finished or getattr(request, "_disconnected", False):
            steps.close()
            return
        body = run_slice()
        if body is None:
            reactor.callLater(0, resume)
        elif body is not server.NOT_DONE_YET:
            write(request, body)

    body = run_slice()
    if body is None:
        reactor.callLater(0, resume)
        return server.NOT_DONE_YET
    if isinstance(body, list):
        write(request, body)
        return server.NOT_DONE_YET
    return body


def write(request, body):
    """Write a body (bytes or a list of bytes) and finish the request."""
    for part in body if isinstance(body, list) else (body,):
        request.write(part)
    request.finish()


class Encoded:
    """An item of a sliced answer, encoded ahead (its fields, for SOAP; the whole object, for
    VI/JSON): the encoders write it as it is. The item itself is let go once encoded: a
    page's data objects kept alive made every pass of the garbage collector longer."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def take(streamed, encode, texts=None, separator=""):
    """Take a Streamed answer's items, yielding None after each: each item is encoded with
    ``encode(item)`` (text) as it comes, and a ``may_cut`` answer stops once PAGE_BYTES are
    encoded. With ``texts`` (a list; a long array's answer, which utf8_in_steps then makes
    bytes) the encoded items, ``separator`` between them, are appended to it and None
    returned; otherwise the answer made of the Encoded items."""
    taken, size, cut = [], 0, False
    bound = PAGE_BYTES if streamed.may_cut else None
    first = True
    for item in streamed:
        if item is not None:
            text = encode(item)
            if texts is None:
                taken.append(Encoded(text))
            else:
                if not first:
                    texts.append(separator)
                texts.append(text)
                first = False
            size += len(text)
            if bound is not None and size >= bound:
                cut = True
                yield None
                break
        yield None
    return streamed.answer(taken, cut) if texts is None else None


def utf8_in_steps(texts):
    """The strings of ``texts`` joined into UTF-8 parts of about JOIN_STEP characters,
    yielding None after each; returns the list of parts (a short answer: its bytes)."""
    parts, chunk, size = [], [], 0
    for text in texts:
        chunk.append(text)
        size += len(text)
        if size >= JOIN_STEP:
            parts.append("".join(chunk).encode("utf-8"))
            chunk, size = [], 0
            yield None
    parts.append("".join(chunk).encode("utf-8"))
    return parts if len(parts) > 1 else parts[0]

