#!/usr/bin/env python3
"""bench_bridge.py: throughput of the bridge against socat, side by side.

For each of cellgated (NET mode, socket A) and `socat PTY,link=... TCP:...`
the same endpoints are used: a pty linked in a scratch directory and a TCP
server on 127.0.0.1 started here.  Measures serial -> net and net -> serial
MB/s and the forwarder's CPU seconds per MB (utime + stime from
/proc/<pid>/stat), prints the figures and the ratios.  No threshold is
asserted; `make check` does not run it.

Each run measures both programs, in alternating order, after one untimed
warm-up round; the median and the spread (min-max) over the runs are
printed (a shared machine varies by tens of percent from run to run).

Usage: bench/bench_bridge.py [--mb N] [--runs N] [--builddir DIR]
"""
import argparse
import os
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

CHUNK = 65536
TIMEOUT = 120       # seconds one direction may take before giving up


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
    deadline = time.monotonic() + TIMEOUT
    while srv.got < total:
        if time.monotonic() > deadline:
            raise RuntimeError("serial->net: %d of %d bytes" % (srv.got,
                                                                 total))
        time.sleep(0.001)
    return time.monotonic() - t0, cpu_seconds(pid) - c0


def net_to_serial(fd, srv, total, pid):
    block = memoryview(bytes(range(256)) * (CHUNK // 256))
    # read into one buffer: os.read(fd, 1 MiB) would allocate (mmap) and
    # shrink 1 MiB per read, which costs the reader more than the bytes
    buf = [bytearray(1 << 16)]
    got = 0

    def send():
        left = total
        while left > 0:
            srv.conn.sendall(block[:min(left, len(block))])
            left -= min(left, len(block))

    c0, t0 = cpu_seconds(pid), time.monotonic()
    threading.Thread(target=send, daemon=True).start()
    deadline = time.monotonic() + TIMEOUT
    while got < total:
        if time.monotonic() > deadline:
            raise RuntimeError("net->serial: %d of %d bytes" % (got, total))
        got += os.readv(fd, buf)
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
        # a blocking read that never returns (bytes lost) ends here
        signal.alarm(2 * TIMEOUT + 10)
        s2n = serial_to_net(fd, srv, total, pid)
        n2s = net_to_serial(fd, srv, total, pid)
        os.close(fd)
    finally:
        signal.alarm(0)
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


def summary(values):
    """median and spread (min, max) of a list"""
    return statistics.median(values), min(values), max(values)


def on_alarm(sig, frame):
    raise RuntimeError("timed out")


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--builddir", default=os.environ.get(
        "CG_BUILDDIR", os.path.join(HERE, "..")))
    a = ap.parse_args()
    total = a.mb * 1024 * 1024
    if shutil.which("socat") is None:
        sys.exit("socat not found (apt-get install socat)")
    starts = {"cellgated": start_cellgated(os.path.abspath(a.builddir)),
              "socat": start_socat}
    # One untimed round warms up this process (its first measurement is
    # slower whoever goes first), then the programs alternate in turn.
    for who in starts:
        measure(who, starts[who], max(total // 8, 1 << 20))
    res = {who: ([], []) for who in starts}
    for r in range(a.runs):
        order = ["cellgated", "socat"] if r % 2 == 0 else ["socat",
                                                          "cellgated"]
        for who in order:
            for i, (el, cpu) in enumerate(measure(who, starts[who], total)):
                res[who][i].append((total / 1e6 / el, cpu / (total / 1e6)))
    print("%d MiB each way, pty <-> TCP 127.0.0.1, %d runs, median (min-max)"
          % (a.mb, a.runs))
    print("%-10s %-12s %22s %28s" % ("", "direction", "MB/s", "CPU s/MB"))
    med = {}
    for who in starts:
        for i, dirn in enumerate(("serial->net", "net->serial")):
            rate = summary([x[0] for x in res[who][i]])
            cpu = summary([x[1] for x in res[who][i]])
            med[who, i] = rate[0], cpu[0]
            print("%-10s %-12s %8.1f (%5.1f-%5.1f) %10.5f (%.5f-%.5f)"
                  % ((who, dirn) + rate + cpu))
    for i, dirn in enumerate(("serial->net", "net->serial")):
        (cr, cc), (sr, sc) = med["cellgated", i], med["socat", i]
        print("ratio cellgated/socat %-12s throughput %.2f, CPU per MB %s"
              % (dirn, cr / sr, "%.2f" % (cc / sc) if sc > 0 else "n/a"))


if __name__ == "__main__":
    main()
