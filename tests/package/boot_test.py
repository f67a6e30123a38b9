#!/usr/bin/env python3
"""boot_test.py ROOT: the installed package under a real systemd.

ROOT is a Debian root with systemd-sysv, dbus, polkitd and the cellgate
.deb installed, and the test's configuration written by run.sh: the
package's /etc/cellgate/cellgate.conf pointing at a simulated modem that
the unit cellgate-modemsim.service runs inside the container, a pty data
port, system.reboot_command = logind, and a drop-in shortening the
watchdog to WatchdogSec=6 (the cloud server's port is filled in here).
The root is booted as a container (systemd-nspawn --register=no
--keep-unit -b, sharing the host's network), and from outside, through
the container's own view of its files (/proc/LEADER/root) and nsenter:

  - readiness: Type=notify, active (running), STATUS=running;
  - the watchdog: pings keep the service up past WatchdogSec, a stopped
    daemon is killed by the watchdog and restarted;
  - SIGSEGV and SIGKILL each restart it, and an SMS command that arrived
    just before the crash runs (and is answered) exactly once;
  - systemctl reload applies a changed config file;
  - the journal has the daemon's lines with the unit's fields;
  - SMS in and out (a command answered by SMS), the bridge (bytes from
    the data port reach a TCP server on the host), the MQTT link (up with
    a mosquitto on the host);
  - a feature whose privilege cannot be granted (ppp mode without pppd)
    fails the start, and the journal names the feature;
  - REBOOT by SMS: logind (asked over D-Bus, allowed by the package's
    polkit rule) reboots the container: systemd-nspawn exits with 133.

Prints ok/not ok per check and exits 0, 1 (a check failed) or 77 (the
container cannot be booted here: not root, no systemd-nspawn).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import cgtest  # noqa: E402
from cgtest import check, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402

ROOT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
OWNER = "+4915100000001"
ADMIN_PW = "boot-admin-pw"
SUPER_PW = "boot-super-pw"
BOOT_TIMEOUT = 120


class Container:
    def __init__(self, root, log):
        self.root = root
        self.log = log
        self.proc = None
        self.leader = None

    def boot(self):
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "--register=no", "--keep-unit", "-b", "-q",
             "-D", self.root, "--console=pipe"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        out.close()
        self.leader = wait_for(self._find_leader, 30, "the container's init")

    def _find_leader(self):
        """The container's init: systemd-nspawn's child whose pid is 1 in
        its own namespace (its /proc/PID/root reads "/": it pivoted)."""
        if self.proc.poll() is not None:
            raise RuntimeError("systemd-nspawn exited with %d"
                               % self.proc.returncode)
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % p) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid != self.proc.pid:
                    continue
                with open("/proc/%s/status" % p) as f:
                    st = f.read()
            except (OSError, IndexError, ValueError):
                continue
            for line in st.splitlines():
                f = line.split()
                if f and f[0] == "NSpid:" and len(f) > 2 and f[-1] == "1":
                    return int(p)
        return None

    def path(self, p):
        """A path inside the running container, seen from the host."""
        return "/proc/%d/root%s" % (self.leader, p)

    def run(self, *argv, timeout=60):
        p = subprocess.run(
            ["nsenter", "-t", str(self.leader), "-m", "-u", "-i", "-p",
             "-C", "-r", "-w", "/usr/bin/env", "-i",
             "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8"]
            + list(argv), capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def show(self, unit, *props):
        rc, out, _ = self.run("systemctl", "show", unit,
                              *["-p" + p for p in props])
        return dict(line.split("=", 1) for line in out.splitlines()
                    if "=" in line)

    def running(self):
        rc, out, _ = self.run("systemctl", "is-system-running")
        return out.strip() in ("running", "degraded")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)    # nspawn: poweroff
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Daemon:
    """cellgatectl on the control socket inside the container."""

    def __init__(self, c):
        self.c = c

    def ctl(self, *args, json_out=False, input=None, timeout=20):
        cmd = [cgtest.CELLGATECTL, "-s",
               self.c.path("/run/cellgate/control.sock")]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd + list(args), capture_output=True, text=True,
                           input=input, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ctl_json(self, *args):
        rc, out, err = self.ctl(*args, json_out=True)
        if rc != 0:
            raise RuntimeError("cellgatectl %s: %s" % (args, err))
        return json.loads(out)

    def answers(self):
        try:
            return self.ctl("status")[0] == 0
        except subprocess.TimeoutExpired:
            return False


def main_pid(c):
    return int(c.show("cellgate.service", "MainPID")["MainPID"])


def restarts(c):
    return int(c.show("cellgate.service", "NRestarts")["NRestarts"])


def restarted(c, before_pid, before_n, timeout=60):
    """Wait for a new main process, active and answering."""
    def ok():
        s = c.show("cellgate.service", "MainPID", "NRestarts",
                   "ActiveState", "SubState")
        return (int(s["NRestarts"]) > before_n and
                int(s["MainPID"]) not in (0, before_pid) and
                s["ActiveState"] == "active" and s["SubState"] == "running")
    try:
        wait_for(ok, timeout, "the service restarted", 0.2)
        return True
    except TimeoutError:
        return False


def sms_once(c, d, peer, sig, label):
    """An SMS command arrives, the daemon is killed with sig at once;
    after the restart the command ran once and was answered once."""
    before_pid, before_n = main_pid(c), restarts(c)
    text = "STATUS,PWD=%s#" % ADMIN_PW
    peer.sim.check("clear")
    for p in peer.encode_deliver(OWNER, text):
        peer.sim.inject_sms(p)
    c.run("systemctl", "kill", "--kill-who=main", "-s", sig,
          "cellgate.service")
    check(restarted(c, before_pid, before_n),
          "%s: systemd restarts the service" % label)
    try:
        wait_for(d.answers, 30, "the daemon answers", 0.2)
        wait_for(lambda: [t for n, t in peer.sent() if n == OWNER], 40,
                 "the reply", 0.2)
    except TimeoutError:
        pass
    replies = [t for n, t in peer.sent() if n == OWNER]
    ins = [m for m in peer.messages() if m["direction"] == "in"]
    check(len(replies) == 1 and len(ins) == peer.count_in + 1,
          "%s: the SMS that arrived before the crash ran once and was "
          "answered once (%d replies, %d new messages)"
          % (label, len(replies), len(ins) - peer.count_in))
    peer.count_in = len(ins)


def journal_fields(c):
    rc, out, _ = c.run("journalctl", "-u", "cellgate.service", "-o", "json",
                       "--no-pager")
    for line in out.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if (e.get("_SYSTEMD_UNIT") == "cellgate.service" and
                e.get("SYSLOG_IDENTIFIER") == "cellgated" and
                "PRIORITY" in e and
                "cellgated started" in str(e.get("MESSAGE", ""))):
            return e
    return None


def run(c, broker_port, tcp):
    d = Daemon(c)
    sim = Sim(None, "generic", c.path("/run/modemsim/modem.link"),
              c.path("/run/modemsim/sim.sock"), "/dev/null")
    peer = cgtest.SmsPeer(d, sim)
    peer.count_in = 0

    # readiness
    try:
        wait_for(c.running, BOOT_TIMEOUT, "the container booted", 0.5)
        booted = True
    except TimeoutError:
        booted = False
    check(booted, "the container boots (is-system-running)")
    s = c.show("cellgate.service", "Type", "ActiveState", "SubState",
               "StatusText", "WatchdogUSec", "Result")
    check(s.get("Type") == "notify" and s.get("ActiveState") == "active"
          and s.get("SubState") == "running",
          "readiness: Type=notify, active (running): %s" % s)
    check(s.get("StatusText") == "running",
          "the daemon's status line is 'running': %r" % s.get("StatusText"))
    try:
        wait_for(d.answers, 20, "cellgatectl status", 0.2)
        answers = True
    except TimeoutError:
        answers = False
    check(answers, "cellgatectl status answers through the control socket")
    check(os.path.exists(c.path("/run/cellgate-grant/reboot")),
          "the grant helper granted REBOOT through logind (configured)")
    check(not os.path.exists(c.path("/run/cellgate-grant/gpio")) and
          not os.path.exists(c.path("/run/cellgate-grant/usb-reset")),
          "nothing else is granted (not configured)")

    # passwords, then SMS in and out
    d.ctl("passwd", "superadmin", input=SUPER_PW + "\n")
    d.ctl("passwd", "admin", input=ADMIN_PW + "\n")
    try:
        wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready", 0.2)
    except TimeoutError:
        pass
    reply = None
    try:
        reply = peer.sms(OWNER, "STATUS,PWD=%s#" % ADMIN_PW)
    except (TimeoutError, RuntimeError):
        pass
    check(reply is not None and len(reply) > 0,
          "SMS in and out: STATUS by SMS is answered by SMS: %r" % reply)
    peer.count_in = len([m for m in peer.messages()
                         if m["direction"] == "in"])

    # the journal
    e = journal_fields(c)
    check(e is not None and e.get("_UID") == c.run("id", "-u",
                                                   "_cellgate")[1].strip(),
          "the journal has the daemon's lines with the unit's fields "
          "(_SYSTEMD_UNIT, SYSLOG_IDENTIFIER, PRIORITY, _UID of _cellgate)")

    # the MQTT link
    try:
        wait_for(lambda: d.ctl_json("status")["cloud"]["state"] == "up", 30,
                 "the cloud link up", 0.2)
        up = True
    except (TimeoutError, RuntimeError, KeyError):
        up = False
    try:
        why = d.ctl_json("status")
        why = (why.get("data"), why.get("cloud"))
    except RuntimeError as e:
        why = str(e)
    check(up, "the MQTT link is up with the broker (127.0.0.1:%d): %s"
          % (broker_port, "" if up else why))

    # the bridge
    for name, value in (("SOCKA", "TCP,127.0.0.1,%d" % tcp.port),
                        ("SOCKAEN", "on")):
        d.ctl("settings", "set", name, value)
    ok = False
    try:
        wait_for(lambda: d.ctl_json("status")["bridge"]["socket_a"]["state"]
                 == "connected", 20, "socket A", 0.2)
        from bridge_util import Pty
        link = os.readlink(c.path("/run/cellgate/data"))
        p = Pty(c.path(link))
        p.write(b"through the sandbox\n")
        ok = b"through the sandbox\n" in tcp.wait_bytes(20, 20)
        p.close()
    except (TimeoutError, RuntimeError, KeyError, OSError):
        pass
    check(ok, "the bridge: bytes from the data port reach the TCP server")

    # the watchdog: pings keep it alive past WatchdogSec
    pid, n = main_pid(c), restarts(c)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 9:    # 1.5 x WatchdogSec=6
        time.sleep(0.5)
    check(main_pid(c) == pid and restarts(c) == n,
          "the watchdog: the daemon's pings keep it running past "
          "WatchdogSec")
    c.run("systemctl", "kill", "--kill-who=main", "-s", "SIGSTOP",
          "cellgate.service")
    check(restarted(c, pid, n), "the watchdog: a stopped daemon is killed "
          "and the service restarted")
    rc, out, _ = c.run("journalctl", "-u", "cellgate.service", "--no-pager",
                       "-o", "cat")
    check("atchdog timeout" in out, "the journal says why: watchdog timeout")
    wait_for(d.answers, 30, "the daemon answers", 0.2)

    # crashes: nothing lost, nothing twice
    sms_once(c, d, peer, "SIGSEGV", "SIGSEGV")
    sms_once(c, d, peer, "SIGKILL", "SIGKILL")

    # reload applies a changed config
    conf = c.path("/etc/cellgate/cellgate.conf")
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("signal_poll = 60;", "signal_poll = 45;"))
    pid = main_pid(c)
    rc, _, err = c.run("systemctl", "reload", "cellgate.service")

    def poll():
        try:
            return str(d.ctl_json("settings", "get",
                                  "modem.signal_poll")["value"])
        except RuntimeError:
            return None
    try:
        v = wait_for(lambda: poll() == "45" and poll(), 20, "reload", 0.2)
    except TimeoutError:
        v = poll()
    check(rc == 0 and v == "45" and main_pid(c) == pid,
          "systemctl reload applies the changed config (signal_poll %s), "
          "same process%s" % (v, "" if rc == 0 else ": " + err.strip()))
    if rc != 0:
        print(c.run("journalctl", "--no-pager", "-n", "25", "-u",
                    "cellgate.service")[1])

    # a feature whose privilege cannot be granted fails the start loudly
    with open(conf) as f:
        good = f.read()
    with open(conf, "a") as f:
        f.write('data = { mode = "ppp"; ppp_port = "/dev/ttyUSB3"; };\n')
    rc, _, _ = c.run("systemctl", "restart", "cellgate.service")
    _, out, _ = c.run("journalctl", "-u", "cellgate.service", "--no-pager",
                      "-o", "cat", "-n", "200")
    check(rc != 0 and "cellgate-grant: ppp mode (data.mode): pppd is not "
          "installed" in out, "ppp mode configured without pppd: the start "
          "fails, naming the feature")
    with open(conf, "w") as f:
        f.write(good)
    c.run("systemctl", "reset-failed", "cellgate.service")  # start limit
    rc, _, _ = c.run("systemctl", "restart", "cellgate.service")
    try:
        wait_for(d.answers, 30, "the daemon answers", 0.2)
        back = rc == 0
    except TimeoutError:
        back = False
    check(back, "the config fixed, the service starts again")

    # REBOOT by SMS, through logind
    peer.sim.check("clear")
    for p in peer.encode_deliver(OWNER, "REBOOT,PWD=%s#" % ADMIN_PW):
        peer.sim.inject_sms(p)
    try:
        rc = c.proc.wait(90)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 133, "REBOOT by SMS reboots the container through logind "
          "(systemd-nspawn exits with 133: %s)" % rc)


def main():
    if os.geteuid() != 0 or shutil.which("systemd-nspawn") is None or \
            ROOT is None:
        print("SKIP: needs root, systemd-nspawn and a root directory")
        return 77
    import tempfile
    from mqtt_util import Broker
    from bridge_util import TcpServer
    work = tempfile.mkdtemp(prefix="cellgate-boot-")
    broker = Broker(work, {"boot": "boot-pw"}).start()
    tcp = TcpServer()
    conf = os.path.join(ROOT, "etc/cellgate/cellgate.conf")
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("@BROKER_PORT@", str(broker.port)))
    c = Container(ROOT, os.path.join(work, "nspawn.log"))
    try:
        try:
            c.boot()
        except (RuntimeError, TimeoutError) as e:
            with open(c.log, "rb") as f:
                sys.stdout.write(f.read()[-3000:].decode("utf-8", "replace"))
            print("SKIP: systemd-nspawn cannot boot the root here: %s" % e)
            return 77
        run(c, broker.port, tcp)
    finally:
        if c.leader is not None and c.proc.poll() is None:
            rc, out, _ = c.run("journalctl", "--no-pager", "-n", "60",
                               "-u", "cellgate.service")
            if cgtest._failed:
                print(out)
                print(open(c.path("/etc/cellgate/cellgate.conf")).read())
        c.stop()
        broker.stop()
        tcp.close()
        shutil.rmtree(work, ignore_errors=True)
    print("boot: %d passed, %d failed" % (cgtest._passed, cgtest._failed))
    return 1 if cgtest._failed else 0


if __name__ == "__main__":
    sys.exit(main())
