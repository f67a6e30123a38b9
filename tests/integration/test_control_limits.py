"""test_control_limits.py: hostile control-socket clients cannot grow the
daemon's memory nor lock others out.

A client that pipelines requests without reading its answers is no longer
read and is dropped; clients that send a partial frame (or nothing) are
dropped after the frame timeout; one user cannot take more than its share
of the connections.  Throughout, a well-behaved cellgatectl is served.
"""
import os
import socket
import time

from cgtest import Daemon, RawClient, check, frame, run_tests, wait_for

D = None


def rss_kb():
    with open("/proc/%d/status" % D.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def served():
    rc, out, err = D.ctl("status", timeout=10)
    return rc == 0


def test_pipelining_without_reading():
    before = rss_kb()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(D.socket)
    s.setblocking(False)
    req = frame({"id": 1, "cmd": "status"}) * 64
    sent, deadline = 0, time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            sent += s.send(req)
        except BlockingIOError:
            time.sleep(0.01)    # the daemon stopped reading us: as it should
        except OSError:
            break
    check(sent > 0, "the client pipelined %d bytes of requests" % sent)
    grown = rss_kb() - before
    check(grown < 64 * 1024,
          "memory grew by %d KiB only while the client did not read" % grown)
    check(served(), "another client is served meanwhile")

    # it goes on not reading: the daemon drops it
    wait_for(lambda: "does not read its answers" in D.read_log(), 30,
             "the stalled client dropped")
    check(True, "the client that did not read was dropped and logged")
    s.close()
    check(served(), "served after the stalled client")


def test_partial_frames_time_out():
    n = 2       # all this user may hold
    wait_for(lambda: served(), 10, "served")
    clients = []
    for _ in range(n):
        c = RawClient(D.socket)
        c.send(b"CG\x01")       # 3 bytes of a header, then nothing
        clients.append(c)
    # the user's slots are held now; they must be dropped after the timeout
    wait_for(lambda: all(c.closed() for c in clients), 20,
             "partial-frame clients dropped")
    check(True, "all %d partial-frame clients dropped" % n)
    for c in clients:
        c.close()
    check(served(), "a new client is served after they were dropped")
    check("no complete request in time" in D.read_log(),
          "the drop is logged")


def test_idle_connect_times_out():
    c = RawClient(D.socket)     # connects and says nothing
    wait_for(c.closed, 20, "silent client dropped")
    check(True, "a client that never sends a request is dropped")
    c.close()


def connect_served():
    """A connection that got an answer (the harness's own connections
    may still be closing when it connects: then it is refused; retry)."""
    def attempt():
        c = RawClient(D.socket)
        try:
            r = c.call("status")
            if r is not None and r.get("ok"):
                return c
        except OSError:
            pass
        c.close()
        return None
    return wait_for(attempt, 10, "a served connection")


def test_per_uid_cap():
    clients = [connect_served() for _ in range(2)]
    check(len(clients) == 2, "two clients within the per-user cap")
    extra = RawClient(D.socket)
    f = extra.read()
    check(f is not None and "for this user" in f[1]["error"],
          "third connection of one user refused")
    extra.close()
    for c in clients:
        c.close()
    check(wait_for(served, 10, "served"), "served once they left")


class LimitedDaemon(Daemon):
    """The harness's daemon with a per-user cap in its control group."""

    def write_conf(self, extra_conf=""):
        super().write_conf(extra_conf)
        with open(self.conf) as f:
            text = f.read()
        text = text.replace("max_clients = %d; };" % self.max_clients,
                            "max_clients = %d; max_clients_per_uid = 2; };"
                            % self.max_clients)
        with open(self.conf, "w") as f:
            f.write(text)


def main():
    global D
    D = LimitedDaemon(max_clients=6)
    D.start()
    try:
        run_tests(test_per_uid_cap, test_pipelining_without_reading,
                  test_partial_frames_time_out, test_idle_connect_times_out)
    finally:
        D.cleanup()


if __name__ == "__main__":
    main()
