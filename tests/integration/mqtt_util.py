"""mqtt_util.py: a real mosquitto broker for the cloud tests, and a small
MQTT v5 client (Python standard library only) to watch and drive it.

Broker: its own config in a temp dir, a free loopback port, anonymous
clients refused, a password file made with mosquitto_passwd, optionally a
TLS listener with a CA and a server certificate made by openssl, and
optionally TCP_NODELAY on its client sockets (mosquitto's default is off).

Client: CONNECT with a login, SUBSCRIBE, PUBLISH with QoS 0/1 and the
v5 correlation data / response topic properties, and a receive queue of
(topic, payload, retain, properties) the tests poll with a deadline.
"""
import os
import select
import shutil
import socket
import ssl
import struct
import subprocess
import time

from cgtest import wait_for


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def make_certs(d, cn="localhost", san="DNS:localhost"):
    """A CA and a server certificate for `cn` signed by it; returns
    (ca, cert, key) paths."""
    ca_key, ca = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
    key, csr = os.path.join(d, "server.key"), os.path.join(d, "server.csr")
    cert, ext = os.path.join(d, "server.pem"), os.path.join(d, "ext.cnf")
    q = dict(check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
                    "-subj", "/CN=cellgate test CA"], **q)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", csr, "-subj", "/CN=" + cn], **q)
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\n" % san)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca,
                    "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
                    "-days", "2", "-extfile", ext], **q)
    return ca, cert, key


def make_client_cert(d, ca, ca_key, cn, name):
    """A client certificate for `cn` signed by the CA (ca, ca_key), its
    key mode 0600; returns (cert, key) paths."""
    key, csr = os.path.join(d, name + ".key"), os.path.join(d, name + ".csr")
    cert = os.path.join(d, name + ".pem")
    q = dict(check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", csr, "-subj", "/CN=" + cn], **q)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca,
                    "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
                    "-days", "2"], **q)
    os.chmod(key, 0o600)
    return cert, key


class Broker:
    """A mosquitto on loopback with a password file (and TLS)."""

    def __init__(self, workdir, users, tls=False, persistence=False,
                 nodelay=False, client_certs=False):
        self.dir = os.path.join(workdir, "broker")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.passwd = os.path.join(self.dir, "passwd")
        self.log = os.path.join(self.dir, "mosquitto.log")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        open(self.passwd, "w").close()
        for u, p in users.items():
            subprocess.run(["mosquitto_passwd", "-b", self.passwd, u, p],
                           check=True, capture_output=True)
        import pwd
        # as root mosquitto would switch to its own user, which cannot
        # read our temp dir
        lines = ["user " + pwd.getpwuid(os.getuid()).pw_name,
                 "per_listener_settings false",
                 "allow_anonymous false",
                 "password_file " + self.passwd,
                 "persistence %s" % ("true" if persistence else "false"),
                 "persistence_location " + self.dir + "/",
                 "log_dest file " + self.log,
                 "log_type all",
                 "set_tcp_nodelay %s" % ("true" if nodelay else "false"),
                 "listener %d 127.0.0.1" % self.port]
        if tls:
            self.ca, cert, key = make_certs(self.dir)
            lines += ["listener %d 127.0.0.1" % self.tls_port,
                      "cafile " + self.ca, "certfile " + cert,
                      "keyfile " + key]
            self.ca_key = os.path.join(self.dir, "ca.key")
            if client_certs:
                # mutual TLS: the certificate's CN is the login
                lines += ["require_certificate true",
                          "use_identity_as_username true"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError("mosquitto exited: %s" % self.read_log())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return True
            except OSError:
                return False
        wait_for(up, 10, "mosquitto listening")
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def _varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(b)) + b


# property id -> kind
_PROPS = {0x01: "byte", 0x02: "int", 0x03: "str", 0x08: "str", 0x09: "bin",
          0x0B: "varint", 0x11: "int", 0x12: "str", 0x13: "short",
          0x15: "str", 0x16: "bin", 0x17: "byte", 0x18: "int", 0x19: "byte",
          0x1A: "str", 0x1C: "str", 0x1F: "str", 0x21: "short",
          0x22: "short", 0x23: "short", 0x24: "byte", 0x25: "byte",
          0x26: "pair", 0x27: "int", 0x28: "byte", 0x29: "byte",
          0x2A: "byte"}


def _read_varint(b, i):
    n, mul = 0, 1
    while True:
        c = b[i]
        i += 1
        n += (c & 0x7F) * mul
        mul *= 128
        if not c & 0x80:
            return n, i


def _props(b, i):
    plen, i = _read_varint(b, i)
    end, out = i + plen, {}
    while i < end:
        pid = b[i]
        i += 1
        kind = _PROPS.get(pid)
        if kind == "byte":
            v, i = b[i], i + 1
        elif kind == "short":
            v, i = struct.unpack("!H", b[i:i + 2])[0], i + 2
        elif kind == "int":
            v, i = struct.unpack("!I", b[i:i + 4])[0], i + 4
        elif kind == "varint":
            v, i = _read_varint(b, i)
        elif kind in ("str", "bin"):
            n = struct.unpack("!H", b[i:i + 2])[0]
            v, i = b[i + 2:i + 2 + n], i + 2 + n
            if kind == "str":
                v = v.decode()
        elif kind == "pair":
            n = struct.unpack("!H", b[i:i + 2])[0]
            k = b[i + 2:i + 2 + n].decode()
            i += 2 + n
            n = struct.unpack("!H", b[i:i + 2])[0]
            v = (k, b[i + 2:i + 2 + n].decode())
            i += 2 + n
        else:
            raise ValueError("unknown property %#x" % pid)
        out[pid] = v
    return out, end


class Client:
    """A blocking MQTT v5 client; messages are read by poll()/wait()."""

    def __init__(self, port, user, password, client_id="observer",
                 tls_ca=None, host="127.0.0.1", server_name=None,
                 clean=True):
        s = socket.create_connection((host, port), 5)
        # a PUBACK and the next PUBLISH must not wait for Nagle
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls_ca:
            ctx = ssl.create_default_context(cafile=tls_ca)
            s = ctx.wrap_socket(s, server_hostname=server_name or "localhost")
        self.s = s
        self.buf = b""
        self.msgs = []
        self.mid = 0
        self.acks = set()
        # a kept session (clean=False) survives a broker restart with
        # persistence: messages published meanwhile wait for us
        props = b"" if clean else b"\x11" + struct.pack("!I", 3600)
        var = (_str("MQTT") + bytes([5, 0xC2 if clean else 0xC0])
               + struct.pack("!H", 60) + _varint(len(props)) + props)
        pay = _str(client_id) + _str(user) + _str(password)
        self._send(0x10, var + pay)
        t, body = self._packet(5)
        if t >> 4 != 2:
            raise RuntimeError("no CONNACK")
        self.connack = body[1]
        if self.connack != 0:
            raise RuntimeError("broker refused: %#x" % self.connack)

    def _send(self, first, body):
        self.s.sendall(bytes([first]) + _varint(len(body)) + body)

    def _fill(self, timeout):
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r and not (isinstance(self.s, ssl.SSLSocket)
                          and self.s.pending()):
            return False
        d = self.s.recv(65536)
        if not d:
            raise ConnectionError("broker closed the connection")
        self.buf += d
        return True

    def _packet(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 2:
                try:
                    n, i = _read_varint(self.buf, 1)
                except IndexError:
                    n = None
                if n is not None and len(self.buf) >= i + n:
                    t, body = self.buf[0], self.buf[i:i + n]
                    self.buf = self.buf[i + n:]
                    return t, body
            left = deadline - time.monotonic()
            if left <= 0:
                return None, None
            self._fill(left)

    def _handle(self, t, body):
        kind = t >> 4
        if kind == 3:
            qos = (t >> 1) & 3
            n = struct.unpack("!H", body[:2])[0]
            topic = body[2:2 + n].decode()
            i = 2 + n
            if qos:
                pid = body[i:i + 2]
                i += 2
            props, i = _props(body, i)
            self.msgs.append((topic, bytes(body[i:]), bool(t & 1), props))
            if qos:
                self._send(0x40, pid)
        elif kind in (4, 9):    # PUBACK, SUBACK
            self.acks.add(struct.unpack("!H", body[:2])[0])

    def pump(self, timeout=0.05):
        t, body = self._packet(timeout)
        while t is not None:
            self._handle(t, body)
            t, body = self._packet(0)

    def subscribe(self, topic):
        self.mid += 1
        self._send(0x82, struct.pack("!H", self.mid) + b"\0" + _str(topic)
                   + b"\x01")
        mid = self.mid
        wait_for(lambda: self.pump() or mid in self.acks, 5, "SUBACK")

    def publish(self, topic, payload, qos=1, retain=False, corr=None,
                resp=None):
        if isinstance(payload, str):
            payload = payload.encode()
        props = b""
        if resp is not None:
            props += b"\x08" + _str(resp)
        if corr is not None:
            props += b"\x09" + _str(corr)
        var = _str(topic)
        if qos:
            self.mid += 1
            var += struct.pack("!H", self.mid)
        var += _varint(len(props)) + props
        self._send(0x30 | (qos << 1) | (1 if retain else 0), var + payload)
        if qos:
            mid = self.mid
            wait_for(lambda: self.pump() or mid in self.acks, 5, "PUBACK")

    def wait(self, pred, timeout=10, what="message"):
        """The first received message for which pred(topic, payload) is
        true (removed from the queue)."""
        def got():
            self.pump()
            for m in self.msgs:
                if pred(m[0], m[1]):
                    self.msgs.remove(m)
                    return m
            return None
        return wait_for(got, timeout, what)

    def take(self, topic):
        self.pump()
        out = [m for m in self.msgs if m[0] == topic]
        self.msgs = [m for m in self.msgs if m[0] != topic]
        return out

    def close(self):
        try:
            self._send(0xE0, b"\0")
            self.s.close()
        except OSError:
            pass


def have_mosquitto():
    return shutil.which("mosquitto") and shutil.which("mosquitto_passwd") \
        and shutil.which("openssl")
