"""CPU per request of vimsim's HTTP parser against httptools and h11 (README, "Robustness").

The maintained parsers are not vimsim's dependencies; put them somewhere first:

    .venv/bin/pip install --target /tmp/parsers httptools h11
    .venv/bin/python scripts/bench-http-parsers.py /tmp/parsers

Each request (a pyVmomi SOAP POST with its headers, and a GET) is parsed into vimsim's
Request and answered with the same 600-byte body through HTTPChannel.respond, so the
figures differ only by the parser; h11 also formats the answer itself, as it would have to.
"""
import sys
import time

if len(sys.argv) > 1:
    sys.path.insert(0, sys.argv[1])
import h11  # noqa: E402
import httptools  # noqa: E402

from vimsim import compat, httpserver  # noqa: E402

BODY = (b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.'
        b'xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        b'<soapenv:Body><RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">'
        b'propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><all>false</all>'
        b'<pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="VirtualMachine">'
        b'vm-42</obj><skip>false</skip></objectSet></specSet><options></options>'
        b'</RetrievePropertiesEx></soapenv:Body></soapenv:Envelope>')
POST = (b"POST /sdk HTTP/1.1\r\nHost: 127.0.0.1:8989\r\nAccept-Encoding: gzip, deflate\r\n"
        b"Content-Type: text/xml; charset=utf-8\r\n"
        b"User-Agent: pyvmomi Python/3.11.7 (Linux; 6.1.0; x86_64)\r\n"
        b"SOAPAction: \"urn:vim25/8.0.3.0\"\r\n"
        b"Cookie: vmware_soap_session=\"52b2b1a7c6e34f0a2f0c0f5f6b7e8d9c0a1b2c3d\"\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
GET = (b"GET /sdk/vimServiceVersions.xml HTTP/1.1\r\nHost: 127.0.0.1:8989\r\n"
       b"User-Agent: python-requests/2.31\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
       b"Connection: keep-alive\r\n\r\n")
ANSWER = b"x" * 600
N = 30000


class Factory:
    max_body, max_unauthenticated_body = 16 << 20, 64 << 10
    request_timeout, idle_timeout, handshake_timeout = 60.0, 1800.0, 5.0
    channels = set()

    def now(self):
        return 0.0


class Transport:
    def write(self, data):
        pass


compat.write_now = lambda transport, data: None  # no socket: only the CPU of the HTTP layer


def channel(answer=True):
    ch = httpserver.HTTPChannel()
    ch.factory, ch.transport = Factory(), Transport()

    def dispatch(method, uri, version, headers, body):
        if not answer:
            return
        request = httpserver.Request(ch, method, uri, version, headers, body)
        request.persistent = True
        ch._current = request
        request.setHeader(b"Content-Type", b"text/xml; charset=utf-8")
        request.finished = True
        ch.respond(request, ANSWER)
    ch._dispatch = dispatch
    return ch


def timed(loop):
    started = time.process_time()
    loop()
    return (time.process_time() - started) / N


def vimsim_parse_only(raw):
    ch = channel(answer=False)
    return timed(lambda: [ch.dataReceived(raw) for _ in range(N)])


def vimsim(raw):
    ch = channel()
    return timed(lambda: [ch.dataReceived(raw) for _ in range(N)])


def with_httptools(raw):
    class Callbacks:
        def on_url(self, url):
            self.url = url

        def on_header(self, name, value):
            self.headers[name.lower()] = value

        def on_body(self, body):
            self.body.append(body)
    calls = Callbacks()
    parser = httptools.HttpRequestParser(calls)
    ch = channel()

    def loop():
        for _ in range(N):
            calls.headers, calls.body = {}, []
            parser.feed_data(raw)
            ch._dispatch(parser.get_method(), calls.url,
                         b"HTTP/" + parser.get_http_version().encode(), calls.headers,
                         b"".join(calls.body))
    return timed(loop)


def with_h11(raw):
    conn = h11.Connection(h11.SERVER)
    head = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(ANSWER)))]

    def loop():
        for _ in range(N):
            conn.receive_data(raw)
            body = []
            while True:
                event = conn.next_event()
                if isinstance(event, h11.Data):
                    body.append(event.data)
                elif isinstance(event, h11.EndOfMessage) or event is h11.NEED_DATA:
                    break
            conn.send(h11.Response(status_code=200, headers=head))
            conn.send(h11.Data(data=ANSWER))
            conn.send(h11.EndOfMessage())
            conn.start_next_cycle()
    return timed(loop)


if __name__ == "__main__":
    for name, raw in (("SOAP POST", POST), ("GET", GET)):
        for label, fn in (("vimsim, parsing only", vimsim_parse_only), ("vimsim", vimsim),
                          ("httptools", with_httptools), ("h11", with_h11)):
            best = min(fn(raw) for _ in range(5))
            print("%-9s %-20s %5.1f us per request" % (name, label, best * 1e6))
