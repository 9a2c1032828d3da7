"""HTTPS: the self-signed certificate vimsim serves, made on first start and kept, and TLS on
the reactor with the standard library's ssl module.

twisted's own TLS (pyOpenSSL through a memory BIO, with Python between every step) costs
about 0.1 ms of CPU per small request, as much as answering the request itself; the standard
library's SSLObject does the same work in C.
"""
import datetime
import ipaddress
import os
import ssl

from twisted.internet import protocol

from vimsim import compat



def default_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "vimsim")


def ensure_certificate(directory=None):
    """Paths (cert, key) of vimsim's certificate in ``directory``, created if absent."""
    directory = directory or default_dir()
    cert_path = os.path.join(directory, "vimsim-cert.pem")
    key_path = os.path.join(directory, "vimsim-key.pem")
    if os.path.exists(cert_path) and os.path.exists(key_path):
        return cert_path, key_path
    # Imported here: a server whose certificate exists does not carry cryptography around.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    os.makedirs(directory, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vimsim"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vimsim")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    # Write to temporary names and rename: a concurrent first start never reads half a file.
    for path, data in ((key_path, key.private_bytes(serialization.Encoding.PEM,
                                                    serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption())),
                       (cert_path, cert.public_bytes(serialization.Encoding.PEM))):
        tmp = "%s.%d.tmp" % (path, os.getpid())
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return cert_path, key_path


def server_context(directory=None):
    """An ssl.SSLContext serving vimsim's certificate (TLS 1.2 and later)."""
    cert_path, key_path = ensure_certificate(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context


class TLSFactory(protocol.ServerFactory):
    """Serves ``factory``'s protocol (vimsim's HTTP) inside TLS."""

    def __init__(self, factory, context):
        self.factory, self.context = factory, context

    def startFactory(self):
        self.factory.doStart()

    def stopFactory(self):
        self.factory.doStop()

    def buildProtocol(self, addr):
        inner = self.factory.buildProtocol(addr)
        return TLSProtocol(self.context, inner) if inner is not None else None


class TLSProtocol(protocol.Protocol):
    """One TLS connection: ciphertext from the socket through an SSLObject, plaintext to and
    from the protocol inside."""

    def __init__(self, context, inner):
        self.inner = inner
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._in, self._out, server_side=True)
        self._handshaken = False
        self._closed = False

    def connectionMade(self):
        self.inner.makeConnection(_PlainTransport(self))

    def dataReceived(self, data):
        if self._closed:
            return
        self._in.write(data)
        if not self._handshaken:  # within the inner channel's handshake timeout
            try:
                self._tls.do_handshake()
            except ssl.SSLWantReadError:
                self._flush()
                return
            except (ssl.SSLError, OSError):  # not TLS, or nothing we share: just close
                self._flush()
                self._abort()
                return
            self._handshaken = True
        plain = []
        while True:
            try:
                chunk = self._tls.read(65536)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:  # the client's close_notify
                self.close()
                break
            except (ssl.SSLError, OSError):
                self._abort()
                return
            if not chunk:
                break
            plain.append(chunk)
        self._flush()  # what TLS itself has to say (session tickets, alerts)
        if plain:
            self.inner.dataReceived(b"".join(plain))

    def write(self, data):
        if self._closed or not self._handshaken:
            return
        view = memoryview(data)
        while view:
            try:
                written = self._tls.write(view)
            except (ssl.SSLError, OSError):
                self._abort()
                return
            view = view[written:]
        self._flush()

    def close(self):
        """close_notify, then the socket once what is queued has gone."""
        if self._closed:
            return
        self._closed = True
        try:
            self._tls.unwrap()
        except (ssl.SSLError, OSError):
            pass  # unwrap wants the peer's close_notify too; ours is in the BIO already
        self._flush()
        self.transport.loseConnection()

    def _abort(self):
        self._closed = True
        self.transport.loseConnection()

    def _flush(self):
        data = self._out.read()
        if data:
            if self.transport.producer is not None:  # a long answer: drained, then resumed
                self.transport.write(data)
            else:
                compat.write_now(self.transport, data)

    def connectionLost(self, reason=protocol.connectionDone):
        self._closed = True
        inner, self.inner = self.inner, None
        if inner is not None:
            # The channel and its transport point back here: without this reference the
            # connection is no cycle, freed at once with what was queued for it (a cycle of
            # objects gc.freeze had seen alive stayed, answers and all; vimsim/heap.py).
            inner.connectionLost(reason)


class _PlainTransport:
    """The transport the protocol inside a TLSProtocol writes its plaintext to."""

    def __init__(self, tls):
        self._tls = tls

    def write(self, data):
        self._tls.write(data)

    def writeSequence(self, data):
        self._tls.write(b"".join(data))

    # What is written goes through TLS to the socket's transport at once: its buffer is the
    # one a producer (a long answer, httpserver._Body) waits on.
    def registerProducer(self, producer, streaming):
        self._tls.transport.registerProducer(producer, streaming)

    def unregisterProducer(self):
        self._tls.transport.unregisterProducer()

    def loseConnection(self):
        self._tls.close()

    def abortConnection(self):
        """Close the socket now, dropping what is queued (a client that does not read)."""
        self._tls._closed = True
        self._tls.transport.abortConnection()

    # reading stops and resumes at the socket (a channel waiting for a client to read)
    def pauseProducing(self):
        self._tls.transport.pauseProducing()

    def resumeProducing(self):
        self._tls.transport.resumeProducing()

    def getPeer(self):
        return self._tls.transport.getPeer()

    def getHost(self):
        return self._tls.transport.getHost()

    @property
    def connected(self):
        return not self._tls._closed

    @property
    def disconnecting(self):
        return self._tls._closed
