"""bridge_util.py: helpers of the bridge's integration tests (Python 3
standard library only): the data port pty opened raw, TCP and UDP servers
on 127.0.0.1 that record what they receive and can answer, stop reading or
drop the connection, and a daemon started with a pty data port.
"""
import json
import os
import select
import socket
import termios
import threading
import time

from cgtest import Daemon, open_raw_tty, wait_for


class Pty:
    """The daemon's data port, seen from the serial device's side."""

    def __init__(self, path):
        wait_for(lambda: os.path.exists(path), 10, "pty link " + path)
        self.fd = open_raw_tty(path)
        self.buf = b""

    def write(self, data):
        view = memoryview(data)
        while len(view):
            select.select([], [self.fd], [], 5)
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                continue
            view = view[n:]

    def _pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                chunk = os.read(self.fd, 65536)
            except (BlockingIOError, OSError):
                return
            self.buf += chunk

    def read_until(self, pred, timeout=10.0):
        """Read until pred(buffer) is true; returns the buffer (kept)."""
        deadline = time.monotonic() + timeout
        while not pred(self.buf):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._pump(min(left, 0.05))
        return self.buf

    def expect(self, data, timeout=10.0):
        """Wait until `data` is in the buffer; consume up to its end."""
        self.read_until(lambda b: data in b, timeout)
        i = self.buf.find(data)
        if i < 0:
            return False
        self.buf = self.buf[i + len(data):]
        return True

    def read_n(self, n, timeout=10.0):
        self.read_until(lambda b: len(b) >= n, timeout)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def drain(self, quiet=0.1):
        """Read until nothing arrives for `quiet` seconds; return it."""
        while True:
            before = len(self.buf)
            self._pump(quiet)
            if len(self.buf) == before:
                break
        out, self.buf = self.buf, b""
        return out

    def attrs(self):
        return termios.tcgetattr(self.fd)

    def close(self):
        os.close(self.fd)


class TcpServer:
    """A TCP server on 127.0.0.1 recording every connection's bytes."""

    def __init__(self):
        self.port = 0
        self.conns = []
        self.data = bytearray()
        self.lock = threading.Lock()
        self.reading = threading.Event()
        self.reading.set()
        self.stopped = False
        self._listen()

    def _listen(self):
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", self.port))
        self.ls.listen(8)
        self.port = self.ls.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.ls,),
                         daemon=True).start()

    def _accept(self, ls):
        while not self.stopped:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(c)
            threading.Thread(target=self._read, args=(c,),
                             daemon=True).start()

    def _read(self, c):
        while True:
            self.reading.wait()
            try:
                d = c.recv(65536)
            except OSError:
                return
            if not d:
                return
            with self.lock:
                self.data += d

    def connections(self):
        with self.lock:
            return len(self.conns)

    def received(self):
        with self.lock:
            return bytes(self.data)

    def take(self):
        with self.lock:
            d = bytes(self.data)
            self.data.clear()
            return d

    def wait_bytes(self, n, timeout=10.0):
        try:
            wait_for(lambda: len(self.received()) >= n, timeout,
                     "%d bytes at the server" % n)
        except TimeoutError:
            pass
        return self.received()

    def send(self, data):
        with self.lock:
            c = self.conns[-1]
        c.sendall(data)

    def drop(self):
        """Close every accepted connection (the server hangs up)."""
        with self.lock:
            cs, self.conns = self.conns, []
        for c in cs:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def refuse(self):
        """Stop listening: connections to the port are refused until
        listen_again() (the server is down)."""
        try:
            self.ls.shutdown(socket.SHUT_RDWR)   # wakes the accept thread
        except OSError:
            pass
        self.ls.close()

    def listen_again(self):
        """Listen on the same port again."""
        self._listen()

    def close(self):
        self.stopped = True
        self.reading.set()
        self.drop()
        self.refuse()


class UdpServer:
    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.port = self.s.getsockname()[1]
        self.s.settimeout(10)
        self.peer = None

    def recv(self, timeout=10):
        self.s.settimeout(timeout)
        try:
            d, self.peer = self.s.recvfrom(65536)
        except socket.timeout:
            return None
        return d

    def send(self, data):
        self.s.sendto(data, self.peer)

    def close(self):
        self.s.close()


def start_daemon(extra=""):
    """A daemon whose data port is a pty linked at <dir>/data."""
    d = Daemon()
    d.write_conf('data_port = { pty = "%s"; };\n' %
                 os.path.join(d.dir, "data") + extra)
    d.start()
    return d


def set_(d, name, value):
    rc, out, err = d.ctl("settings", "set", name, value)
    if rc != 0:
        raise RuntimeError("settings set %s %s: %s" % (name, value, err))


def get(d, name):
    return d.ctl_json("settings", "get", name)["value"]


def bstatus(d):
    return d.ctl_json("status")["bridge"]
