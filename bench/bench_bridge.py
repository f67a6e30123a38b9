#!/usr/bin/env python3
"""bench_bridge.py: throughput of the bridge against socat, side by side.

For each of cellgated (NET mode, socket A) and `socat PTY,link=... TCP:...`
the same endpoints are used: a pty linked in a scratch directory and a TCP
server on 127.0.0.1 started here.  Measures serial -> net and net -> serial
MB/s and the forwarder's CPU seconds per MB (utime + stime from
/proc/<pid>/stat), prints the figures and the ratios.  No threshold is
asserted; `make check` does not run it.

Usage: bench/bench_bridge.py [--mb N] [--builddir DIR]
"""
import argparse
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

CHUNK = 65536


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


class Server:
    def __init__(self):
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(1)
        self.port = self.ls.getsockname()[1]
        self.conn = None
        self.got = 0
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.conn, _ = self.ls.accept()
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.ready.set()
        buf = bytearray(1 << 20)
        while True:
            n = self.conn.recv_into(buf)
            if n == 0:
                return
            self.got += n

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass
        self.ls.close()


def open_pty(path):
    import termios
    deadline = time.monotonic() + 10
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError("no pty at " + path)
        time.sleep(0.02)
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    t = termios.tcgetattr(fd)
    t[0] = 0
    t[1] = 0
    t[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
    t[3] = 0
    termios.tcsetattr(fd, termios.TCSANOW, t)
    return fd


def drain_pty(fd):
    os.set_blocking(fd, False)
    while select.select([fd], [], [], 0.2)[0]:
        try:
            os.read(fd, CHUNK)
        except BlockingIOError:
            break
    os.set_blocking(fd, True)


def serial_to_net(fd, srv, total, pid):
    block = bytes(range(256)) * (CHUNK // 256)
    c0, t0 = cpu_seconds(pid), time.monotonic()
    sent = 0
    while sent < total:
        sent += os.write(fd, block)
    while srv.got < total:
        time.sleep(0.001)
    return time.monotonic() - t0, cpu_seconds(pid) - c0


def net_to_serial(fd, srv, total, pid):
    block = bytes(range(256)) * (CHUNK // 256)
    got = 0

    def send():
        left = total
        while left > 0:
            srv.conn.sendall(block[:min(left, len(block))])
            left -= min(left, len(block))

    c0, t0 = cpu_seconds(pid), time.monotonic()
    threading.Thread(target=send, daemon=True).start()
    while got < total:
        got += len(os.read(fd, 1 << 20))
    return time.monotonic() - t0, cpu_seconds(pid) - c0


def measure(name, start, total):
    """start(link, port) -> (pid, stop); returns the two directions."""
    d = tempfile.mkdtemp(prefix="bench-bridge-")
    link = os.path.join(d, "data")
    srv = Server()
    pid, stop = start(link, srv.port, d)
    try:
        srv.ready.wait(10)
        fd = open_pty(link)
        drain_pty(fd)
        s2n = serial_to_net(fd, srv, total, pid)
        n2s = net_to_serial(fd, srv, total, pid)
        os.close(fd)
    finally:
        stop()
        srv.close()
        shutil.rmtree(d, ignore_errors=True)
    return s2n, n2s


def start_cellgated(builddir):
    def start(link, port, d):
        import cgtest
        cgtest.CELLGATED = os.path.join(builddir, "cellgated")
        cgtest.CELLGATECTL = os.path.join(builddir, "cellgatectl")
        dm = cgtest.Daemon(workdir=d)
        dm.write_conf('data_port = { pty = "%s"; };\n' % link)
        dm.start()
        for k, v in (("SOCKA", "TCP,127.0.0.1,%d" % port),
                     ("SOCKAEN", "on")):
            rc, out, err = dm.ctl("settings", "set", k, v)
            if rc != 0:
                raise RuntimeError(err)
        return dm.proc.pid, dm.stop
    return start


def start_socat(link, port, d):
    p = subprocess.Popen(["socat", "PTY,link=%s,rawer" % link,
                          "TCP:127.0.0.1:%d" % port],
                         stderr=subprocess.DEVNULL)

    def stop():
        p.terminate()
        p.wait()
    return p.pid, stop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--builddir", default=os.environ.get(
        "CG_BUILDDIR", os.path.join(HERE, "..")))
    a = ap.parse_args()
    total = a.mb * 1024 * 1024
    if shutil.which("socat") is None:
        sys.exit("socat not found (apt-get install socat)")
    res = {}
    res["cellgated"] = measure("cellgated", start_cellgated(
        os.path.abspath(a.builddir)), total)
    res["socat"] = measure("socat", start_socat, total)
    mb = total / 1e6
    print("%d MiB each way, pty <-> TCP 127.0.0.1" % a.mb)
    print("%-10s %-14s %10s %14s" % ("", "direction", "MB/s", "CPU s/MB"))
    for who in ("cellgated", "socat"):
        for i, dirn in enumerate(("serial->net", "net->serial")):
            el, cpu = res[who][i]
            print("%-10s %-14s %10.1f %14.5f" % (who, dirn, mb / el,
                                                  cpu / mb))
    for i, dirn in enumerate(("serial->net", "net->serial")):
        (ce, cc), (se, sc) = res["cellgated"][i], res["socat"][i]
        print("ratio cellgated/socat %-12s throughput %.2f, CPU per MB %s"
              % (dirn, se / ce, "%.2f" % (cc / sc) if sc > 0 else "n/a"))


if __name__ == "__main__":
    main()
