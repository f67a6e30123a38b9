"""cgtest.py: the integration tests' harness (Python 3 standard library only).

Starts the real cellgated from the build tree with a scratch config, state
directory and control socket; runs cellgatectl against it; offers a raw
control-socket client for malformed-frame tests; counts checks.  Every wait
polls a condition until a deadline: nothing here sleeps a fixed time to hide
a race.

Environment (set by the automake test harness): CG_BUILDDIR, CG_SRCDIR.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

BUILDDIR = os.environ.get("CG_BUILDDIR", os.getcwd())
SRCDIR = os.environ.get("CG_SRCDIR", BUILDDIR)
CELLGATED = os.path.join(BUILDDIR, "cellgated")
CELLGATECTL = os.path.join(BUILDDIR, "cellgatectl")

_passed = 0
_failed = 0


def check(cond, what):
    """Record one check; print it; keep going on failure."""
    global _passed, _failed
    if cond:
        _passed += 1
        print("ok - %s" % what)
    else:
        _failed += 1
        print("not ok - %s" % what)
    sys.stdout.flush()
    return cond


def wait_for(cond, timeout=10.0, what="condition", interval=0.02):
    """Poll cond() until it is true or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(interval)


def open_raw_tty(path):
    """Open a tty (a pty link) non-blocking, in raw 8-bit mode, as a
    serial program would (cfmakeraw); returns the descriptor."""
    import termios
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    t = termios.tcgetattr(fd)
    t[0] &= ~(termios.IGNBRK | termios.BRKINT | termios.PARMRK |
              termios.ISTRIP | termios.INLCR | termios.IGNCR |
              termios.ICRNL | termios.IXON)
    t[1] &= ~termios.OPOST
    t[3] &= ~(termios.ECHO | termios.ECHONL | termios.ICANON |
              termios.ISIG | termios.IEXTEN)
    t[2] &= ~(termios.CSIZE | termios.PARENB)
    t[2] |= termios.CS8
    # TCSANOW keeps what the other side already wrote
    termios.tcsetattr(fd, termios.TCSANOW, t)
    return fd


def run_tests(*tests):
    """Run test functions in order; print a summary; exit 0/1."""
    for t in tests:
        print("# " + t.__name__)
        try:
            t()
        except Exception as e:  # a crash of the test is a failure
            import traceback
            traceback.print_exc()
            check(False, "%s raised %s: %s" % (t.__name__, type(e).__name__, e))
    print("%d passed, %d failed" % (_passed, _failed))
    sys.exit(0 if _failed == 0 and _passed > 0 else 1)


class Daemon:
    """A cellgated under test, with its own scratch directory."""

    def __init__(self, extra_conf="", workdir=None, name="cellgated",
                 max_clients=16, log_level="debug"):
        self.dir = workdir or tempfile.mkdtemp(prefix="cgtest-")
        os.chmod(self.dir, 0o755)
        self.socket = os.path.join(self.dir, "control.sock")
        self.db = os.path.join(self.dir, "cellgate.db")
        self.conf = os.path.join(self.dir, "cellgate.conf")
        self.log = os.path.join(self.dir, name + ".log")
        self.proc = None
        self.max_clients = max_clients
        self.log_level = log_level
        self.write_conf(extra_conf)

    def write_conf(self, extra_conf=""):
        with open(self.conf, "w") as f:
            f.write('database = "%s";\n' % self.db)
            f.write('control = { socket = "%s"; max_clients = %d; };\n'
                    % (self.socket, self.max_clients))
            f.write('log = { level = "%s"; };\n' % self.log_level)
            f.write(extra_conf)

    def start(self, expect_ready=True, args=(), env=None):
        self.logf = open(self.log, "ab")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [CELLGATED, "-f", "-c", self.conf] + list(args),
            stdout=self.logf, stderr=subprocess.STDOUT, env=full_env)
        if expect_ready:
            wait_for(self._ready, 15, "cellgated control socket")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError("cellgated exited with %d; log:\n%s"
                               % (self.proc.returncode, self.read_log()))
        if not os.path.exists(self.socket):
            return False
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.socket)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def read_log(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def ctl(self, *args, json_out=False, input=None, user=None, timeout=20):
        """Run cellgatectl; returns (rc, stdout, stderr)."""
        cmd = [CELLGATECTL, "-s", self.socket]
        if json_out:
            cmd.append("--json")
        cmd += list(args)
        if user is not None:
            cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user,
                   "--clear-groups"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True,
                           input=input, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ctl_json(self, *args):
        rc, out, err = self.ctl(*args, json_out=True)
        if rc != 0:
            raise RuntimeError("cellgatectl %s failed: %s" % (args, err))
        return json.loads(out)

    def at(self, command):
        """One AT-form command; returns (rc, reply text)."""
        rc, out, err = self.ctl("at", command)
        return rc, out.rstrip("\n")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stop; returns the exit status (ASan leak reports make it non-zero)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.logf.close()
        self.proc = None
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        if self.proc is not None:
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


CTL_VERSION = 1


def frame(payload, ftype=1, version=CTL_VERSION, magic=b"CG", length=None):
    """A control frame (header + payload bytes), possibly malformed."""
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload).encode()
    elif isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    return magic + bytes([version, ftype]) + struct.pack(">I", n) + payload


class RawClient:
    """A bare control-socket connection for protocol-level tests."""

    def __init__(self, path, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)

    def send(self, data):
        self.s.sendall(data)

    def _readn(self, n):
        b = b""
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                return None
            b += chunk
        return b

    def read(self):
        """One frame as (type, object), or None at end of stream."""
        h = self._readn(8)
        if h is None:
            return None
        n = struct.unpack(">I", h[4:8])[0]
        body = self._readn(n)
        return h[3], json.loads(body)

    def call(self, cmd, args=None, rid=1):
        req = {"id": rid, "cmd": cmd}
        if args is not None:
            req["args"] = args
        self.send(frame(req))
        while True:
            f = self.read()
            if f is None or f[0] == 2:
                return f and f[1]

    def closed(self):
        """True when the daemon has closed the connection."""
        try:
            return self.s.recv(1) == b""
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        self.s.close()


class SmsPeer:
    """Phones on the simulated network, for tests that talk to the daemon
    by SMS: messages are encoded with `cellgatectl pdu encode --deliver`
    (each with its own service-centre time stamp, as a network gives, so
    two equal texts are two messages), injected into the simulator, and
    the daemon's replies read back from the simulator and decoded."""

    def __init__(self, daemon, sim):
        self.d = daemon
        self.sim = sim
        self.stamp = 0

    def encode_deliver(self, sender, text):
        import datetime
        self.stamp += 1
        t = datetime.datetime(2026, 1, 1) + \
            datetime.timedelta(seconds=self.stamp)
        p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode",
                            "--deliver", "--time",
                            t.strftime("%Y-%m-%dT%H:%M:%S+01:00"),
                            sender, text], capture_output=True, text=True,
                           check=True)
        return [x["pdu"] for x in json.loads(p.stdout)["parts"]]

    @staticmethod
    def decode(pdu):
        p = subprocess.run([CELLGATECTL, "--json", "pdu", "decode", pdu],
                           capture_output=True, text=True, check=True)
        return json.loads(p.stdout)

    def messages(self):
        return self.d.ctl_json("sms", "list", "--limit", "10000")

    def sent(self):
        """Every message the simulator was given to send: (number, text)."""
        return [(m["number"], m["text"]) for m in
                map(self.decode, (s["pdu"] for s in self.sim.sent()))]

    def sms(self, sender, text):
        """Send one SMS; the reply the daemon sent to the sender, or None
        for silence.  The reply is queued in the transaction that marks
        the message processed, so once it is processed its reply (if any)
        is in the log."""
        self.sim.check("clear")
        last = max([m["id"] for m in self.messages()] or [0])
        for p in self.encode_deliver(sender, text):
            self.sim.inject_sms(p)

        def processed():
            return next((m for m in self.messages()
                         if m["direction"] == "in" and m["id"] > last
                         and m["status"] != "new"), None)
        msg = wait_for(processed, 20, "message processed")
        out = [m for m in self.messages() if m["direction"] == "out"
               and m["id"] > msg["id"] and m["number"] == sender]
        if not out:
            return None
        wait_for(lambda: self.d.ctl_json("sms", "show", str(out[0]["id"]))
                 ["status"] == "sent", 20, "reply sent")
        return [t for n, t in self.sent() if n == sender][0]
