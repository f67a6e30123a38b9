"""Drive cellgate-modemsim from Python integration tests (stdlib only).

Three classes:

  Sim      starts and stops one simulator process, and wraps the control
           socket commands (see cellgate-modemsim(1)):

               sim = Sim.start(builddir, "sim800", workdir)
               sim.inject_sms("0791...")        # -> storage index
               sim.cmd("reg 5")                 # -> reply dict
               sim.sent(); sim.commands(); sim.state()
               sim.stop()

           Sim is also a context manager (stops on exit).  sim.link is the
           pty link path to give to the program under test (modem.device).

  Control  one connection to the control socket: cmd(line) -> dict.

  Port     a modem client on the pty, as a daemon would open it: raw
           mode, lines read with select() and a deadline:

               port = sim.open_port()
               lines, final = port.command("AT+CGMI")
               port.close()

Every wait has a deadline; nothing sleeps for a fixed time.  Failures
raise SimError with the simulator's stderr log attached where useful.
"""

import json
import os
import re
import select
import signal
import socket
import subprocess
import termios
import time

from cgtest import open_raw_tty

__all__ = ["Sim", "Control", "Port", "SimError", "FINAL_RE"]

# Final result codes that end an AT command's response.
FINAL_RE = re.compile(
    r"^(OK|ERROR|NO CARRIER|BUSY|NO ANSWER|NO DIALTONE|"
    r"\+CME ERROR:.*|\+CMS ERROR:.*)$")


class SimError(Exception):
    """A simulator process, control or port operation failed."""


def _deadline_wait(pred, timeout, what, tick=0.01):
    """Poll pred() until it is true or the deadline passes."""
    end = time.monotonic() + timeout
    while True:
        if pred():
            return
        left = end - time.monotonic()
        if left <= 0:
            raise SimError("timed out after %.1fs waiting for %s"
                           % (timeout, what))
        select.select([], [], [], min(tick, left))


class Control:
    """One connection to the simulator's control socket."""

    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def send_raw(self, data):
        """Send bytes as they are (for malformed-request tests)."""
        self.sock.sendall(data)

    def read_reply(self, timeout=None):
        """Read one reply line and decode it; None if the peer closed."""
        end = time.monotonic() + (timeout or self.timeout)
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise SimError("control: no reply within deadline")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                if self.buf:
                    raise SimError("control: partial reply %r" % self.buf)
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def cmd(self, line):
        """Send one request line, return the reply as a dict."""
        if "\n" in line:
            raise ValueError("control request must be one line")
        self.sock.sendall(line.encode("utf-8") + b"\n")
        reply = self.read_reply()
        if reply is None:
            raise SimError("control: connection closed by simulator")
        return reply

    def close(self):
        self.sock.close()


class Port:
    """A client of the simulated modem's pty (what a daemon would do)."""

    def __init__(self, path, timeout=3.0):
        self.path = path
        self.timeout = timeout
        self.fd = open_raw_tty(path)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.buf = b""

    def write(self, data):
        """Write str or bytes to the modem."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        while data:
            _, w, _ = select.select([], [self.fd], [], self.timeout)
            if not w:
                raise SimError("port: write timed out")
            n = os.write(self.fd, data)
            data = data[n:]

    def _fill(self, left):
        """Read what is available within left seconds; False on timeout."""
        r, _, _ = select.select([self.fd], [], [], max(left, 0))
        if not r:
            return False
        try:
            chunk = os.read(self.fd, 4096)
        except BlockingIOError:
            return True
        except OSError as e:
            raise SimError("port: read failed: %s" % e)
        if not chunk:
            raise SimError("port: end of file")
        self.buf += chunk
        return True

    def read_until(self, token, timeout=None):
        """Bytes up to and including token (bytes); SimError on timeout."""
        if isinstance(token, str):
            token = token.encode("latin-1")
        end = time.monotonic() + (timeout or self.timeout)
        while token not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise SimError("port: %r not seen; got %r"
                               % (token, self.buf))
            self._fill(left)
        i = self.buf.index(token) + len(token)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_for(self, seconds):
        """Everything that arrives within seconds (for 'nothing comes')."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._fill(end - time.monotonic())
        out, self.buf = self.buf, b""
        return out

    def readline(self, timeout=None):
        """Next non-empty line (CR or LF ended), or None on timeout."""
        end = time.monotonic() + (timeout or self.timeout)
        while True:
            m = re.match(rb"[\r\n]*([^\r\n]+)[\r\n]", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1).decode("latin-1")
            left = end - time.monotonic()
            if left <= 0:
                return None
            self._fill(left)

    def expect(self, pattern, timeout=None):
        """Read lines until one matches the regex; return it."""
        end = time.monotonic() + (timeout or self.timeout)
        seen = []
        while True:
            left = end - time.monotonic()
            line = self.readline(left) if left > 0 else None
            if line is None:
                raise SimError("port: no line matching %r; saw %r"
                               % (pattern, seen))
            if re.search(pattern, line):
                return line
            seen.append(line)

    def command(self, at, timeout=None):
        """Send AT command, return (lines, final); an echo is dropped."""
        self.write(at + "\r")
        lines = []
        end = time.monotonic() + (timeout or self.timeout)
        while True:
            left = end - time.monotonic()
            line = self.readline(left) if left > 0 else None
            if line is None:
                raise SimError("port: no final result for %r; got %r"
                               % (at, lines))
            if FINAL_RE.match(line):
                return lines, line
            if line == at and not lines:
                continue
            lines.append(line)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Sim:
    """One cellgate-modemsim process and its control socket."""

    def __init__(self, proc, profile, link, control, log_path):
        self.proc = proc
        self.profile = profile
        self.link = link
        self.control = control
        self.log_path = log_path
        self._ctl = None

    @classmethod
    def start(cls, builddir, profile="generic", workdir=None, verbose=True,
              timeout=5.0, binary=None, name="modem"):
        """Start the simulator; return when the link and socket exist.

        builddir: where cellgate-modemsim was built ($CG_BUILDDIR);
        binary overrides the path.  workdir holds NAME.link, NAME.sock
        and NAME.log (the simulator's stderr; --verbose by default).
        """
        if binary is None:
            binary = os.environ.get("CG_MODEMSIM") or \
                os.path.join(builddir, "cellgate-modemsim")
        if workdir is None:
            raise ValueError("workdir is required")
        link = os.path.join(workdir, name + ".link")
        control = os.path.join(workdir, name + ".sock")
        log_path = os.path.join(workdir, name + ".log")
        argv = [binary, "--profile", profile, "--link", link,
                "--control", control]
        if verbose:
            argv.append("--verbose")
        log = open(log_path, "wb")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log)
        finally:
            log.close()
        sim = cls(proc, profile, link, control, log_path)

        def ready():
            if proc.poll() is not None:
                raise SimError("cellgate-modemsim exited with %d:\n%s"
                               % (proc.returncode, sim.log()))
            return os.path.exists(control) and os.path.exists(link)
        try:
            _deadline_wait(ready, timeout, "link and control socket")
        except SimError:
            sim.stop()
            raise
        return sim

    def log(self):
        """The simulator's stderr so far (last 8 KiB)."""
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-8192:].decode("latin-1")
        except OSError:
            return ""

    def open_port(self, timeout=3.0):
        """Open the pty link as a modem client would."""
        return Port(self.link, timeout)

    def wait_link(self, present=True, timeout=5.0):
        """Wait until the link exists (or is gone)."""
        _deadline_wait(lambda: os.path.exists(self.link) == present,
                       timeout, "link %s" % ("to appear" if present
                                             else "to disappear"))

    # control socket
    def cmd(self, line):
        """Send one control request; return the reply dict as is."""
        if self._ctl is None:
            self._ctl = Control(self.control)
        return self._ctl.cmd(line)

    def check(self, line):
        """Like cmd(), but raise SimError unless the reply is ok."""
        reply = self.cmd(line)
        if not reply.get("ok"):
            raise SimError("control %r: %s" % (line, reply.get("error")))
        return reply

    def inject_sms(self, pdu_hex):
        """Deliver an SMS (+CMTI if enabled); return its storage index."""
        return self.check("sms " + pdu_hex).get("index")

    def store_sms(self, pdu_hex, stat=0):
        """Put a message in storage silently; return its index."""
        return self.check("store %s %d" % (pdu_hex, stat))["index"]

    def urc(self, text):
        self.check("urc " + text)

    def ring(self, number):
        self.check("ring " + number)

    def calls(self):
        """Outgoing calls: [{"number": ..., "end": "ATH"|"CHUP"|"busy"|
        "noanswer"|""}] in dial order."""
        return self.check("calls")["calls"]

    def dialmode(self, mode, count=None):
        """How the next dials end: ring (until hung up), busy, noanswer."""
        self.check("dialmode %s%s" % (mode, "" if count is None
                                      else " %d" % count))

    def hangup(self):
        self.check("hangup")

    def reg(self, stat, act=None):
        self.check("reg %d" % stat if act is None else
                   "reg %d %d" % (stat, act))

    def fail(self, prefix, result, count=1):
        if " " in result and not result.startswith("+CM"):
            result = '"%s"' % result
        self.check("fail %s %s %d" % (prefix, result, count))

    def capacity(self, slots):
        """Set the SIM's number of message slots (messages past a full
        SIM are held by the network and retried once space frees)."""
        return self.check("capacity %d" % slots)

    def held(self):
        """How many messages the network holds for the full SIM."""
        return self.check("storage")["held"]

    def fault(self, prefix, kind, count=1):
        """A fault on the next COUNT commands starting with prefix:
        "silent" (no answer), "lost" (runs, answer lost), "garbage"
        (line noise) or "drop" (the port goes; replug() brings it back)."""
        if kind not in ("silent", "lost", "garbage", "drop"):
            raise ValueError("unknown fault %r" % kind)
        return self.check("fail %s %s %d" % (prefix, kind, count))

    def hang(self, on=True):
        self.check("hang " + ("on" if on else "off"))

    def unplug(self):
        self.check("unplug")

    def replug(self):
        return self.check("replug")

    def reboot(self):
        self.check("reboot")

    def sent(self):
        """PDUs the client sent with AT+CMGS: [{pdu, length, mr}]."""
        return self.check("sent")["sent"]

    def commands(self):
        """Every AT command line received since start or clear()."""
        return self.check("commands")["commands"]

    def storage(self):
        """Stored messages: [{index, stat, pdu}]."""
        return self.check("storage")["slots"]

    def state(self):
        """The modem's state; prompts_abandoned: "> " prompts that got
        no well-formed PDU (ESC, too long, not a PDU)."""
        return self.check("state")

    def clear(self):
        self.check("clear")

    def data(self):
        """Packet data: {supported, defined, apn, active, attached,
        cgerep, address (the one the network gives)}."""
        return self.check("data")

    def data_drop(self, silent=False):
        """The network drops the data call (+CGEV unless silent)."""
        return self.check("data drop silent" if silent else "data drop")

    def stop(self, timeout=5.0):
        """SIGTERM, wait (SIGKILL after timeout); return the exit status."""
        if self._ctl is not None:
            self._ctl.close()
            self._ctl = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
