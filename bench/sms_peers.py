#!/usr/bin/env python3
"""sms_peers.py: smstools3 and gammu-smsd answering SMS commands against
cellgate-modemsim, for bench_storage.py, with the bytes their whole
process tree dirties.

Each peer gets the configuration bench_wakeups.py gives it (smsd_setup,
gammu_setup: the simulator as its modem, its spool and log in the run's
directory), plus a handler that answers `STATUS,PWD=...#` with a status
SMS of the length cellgated's reply has:

  - smstools3: an `eventhandler` shell script; on RECEIVED it reads the
    sender from the message file and puts a file into the outgoing spool
    (written beside it, then renamed in) with `To:` the sender;
  - gammu-smsd (service files): `RunOnReceive` runs a shell script that
    checks $SMS_1_TEXT and queues the reply with gammu-smsd-inject.

Both poll every second (smstools3 `delaytime`, gammu-smsd `CommTimeout`
and `ReceiveFrequency`) instead of their defaults of 10 and 30 s, so
that a run of commands ends in minutes; a poll that finds nothing writes
nothing.  smstools3 also makes short-lived files in /tmp (its handler's
output), counted where /tmp is a disk.

Bytes dirtied.  /proc/PID/io write_bytes counts the pages a process
dirties; when a process is reaped its counters are added to its parent's
(wait_task_zombie adds the child's io accounting to the parent's signal
struct, which /proc/PID/io of the parent includes).  So the peer runs
under this file as a parent (`python3 -B sms_peers.py PROG ARGS...`)
that makes itself the child subreaper (prctl PR_SET_CHILD_SUBREAPER):
every process of the tree, the daemon's own children, the handlers it
forks and whatever they fork and leave behind, is reaped inside the
tree, and when the parent has reaped them all its own write_bytes is the
whole tree's since it started.  It prints that as its last line.  The
count at the start of a window is the sum over the live tree's processes
(each counting itself and what it has reaped), read while the peer is
idle; the parent itself writes nothing (-B: no byte code cache).
"""
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from bench_wakeups import gammu_setup, smsd_setup, tree  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36

# cellgated's STATUS reply, the length a peer's handler answers with
REPLY = ("Modem ready, signal 20/31, relays off, temperature 21.5 C, "
         "uptime 3d 4h")

SMSD_HANDLER = """#!/bin/sh
# smstools3 eventhandler: answer STATUS,PWD=<password># with a status SMS
[ "$1" = RECEIVED ] || exit 0
[ "$(sed '1,/^$/d' "$2")" = 'STATUS,PWD=%(pw)s#' ] || exit 0
from=$(sed -n 's/^From: //p' "$2")
printf 'To: %%s\\n\\n%%s\\n' "$from" '%(reply)s' > '%(dir)s/reply.'$$
mv '%(dir)s/reply.'$$ '%(dir)s/outgoing/'
"""

GAMMU_HANDLER = """#!/bin/sh
# gammu-smsd RunOnReceive: answer STATUS,PWD=<password># with a status SMS
[ "$SMS_1_TEXT" = 'STATUS,PWD=%(pw)s#' ] || exit 0
exec gammu-smsd-inject -c '%(conf)s' TEXT "$SMS_1_NUMBER" -text '%(reply)s'
"""


def write_bytes(pid):
    try:
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def handler(d, text, **subst):
    path = os.path.join(d, "answer.sh")
    with open(path, "w") as f:
        f.write(text % dict(subst, dir=d, reply=REPLY))
    os.chmod(path, 0o755)
    return path


def smsd(d, pty, pw):
    """smstools3's argv, its spool in d answering commands; the queue
    directories and the one a sent reply ends up in."""
    argv = smsd_setup(d, pty)
    conf = argv[-1]
    with open(conf) as f:
        text = f.read()
    # global settings go before the modem's section
    text = text.replace("[GSM1]", "eventhandler = %s\ndelaytime = 1\n"
                        "delaytime_mainprocess = 1\n\n[GSM1]" %
                        handler(d, SMSD_HANDLER, pw=pw), 1)
    with open(conf, "w") as f:
        f.write(text)
    return argv, ("outgoing", "checked"), "sent"


def gammu(d, pty, pw):
    """gammu-smsd's argv (service files), answering commands."""
    argv = gammu_setup(d, pty)
    conf = argv[-1]
    with open(conf) as f:
        text = f.read()
    # the simulator's storage names all name one store: read it as SM
    # only, or each message is read twice (as SM and as ME)
    text = text.replace("[smsd]\n", "features = SMS_NO_ME\n\n[smsd]\n", 1)
    # [smsd] is the file's last section
    text += "RunOnReceive = %s\nCommTimeout = 1\nReceiveFrequency = 1\n" \
        % handler(d, GAMMU_HANDLER, pw=pw, conf=conf)
    with open(conf, "w") as f:
        f.write(text)
    return argv, ("out",), "sent"


PEERS = (("smstools3", "smsd", "smstools", smsd, 38.8 * 1024),
         ("gammu-smsd", "gammu-smsd", "gammu-smsd", gammu, 15.4 * 1024))


class Peer:
    """One peer under a subreaper parent, against its own simulator."""

    def __init__(self, builddir, workroot, setup, pw):
        from modemsim import Sim
        self.dir = tempfile.mkdtemp(prefix="cgbench-peer-", dir=workroot)
        self.sim = Sim.start(builddir, "generic", self.dir, verbose=False)
        argv, self.queues, self.sentdir = setup(self.dir, self.sim.link, pw)
        self.proc = subprocess.Popen(
            [sys.executable, "-B", os.path.abspath(__file__)] + argv,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self.dir, text=True)

    def wait_ready(self):
        """Until its start is done: it polls the modem's storage and has
        written nothing for a second."""
        from cgtest import wait_for
        wait_for(lambda: sum("+CPMS" in c or "+CMGL" in c
                             for c in self.sim.commands()) >= 3 or
                 not self.alive(), 60, "the peer polling the modem")
        if not self.alive():
            raise RuntimeError("the peer exited at its start")
        wait_for(quiet(self.tree_bytes), 30, "the peer's writes settled")

    def pids(self):
        return tree(self.proc.pid)

    def tree_bytes(self):
        """write_bytes of the live tree, each process with what it reaped."""
        return sum(write_bytes(p) for p in self.pids())

    def files(self, sub):
        return [n for n in os.listdir(os.path.join(self.dir, sub))
                if not n.startswith(".")]

    def settled(self, answered):
        """The received messages gone from the modem, the replies out of
        the queue and filed as sent."""
        return not self.sim.storage() and \
            not any(self.files(q) for q in self.queues) and \
            len(self.files(self.sentdir)) >= answered

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM to the tree; its write_bytes since it started."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        lines = out.split()
        return int(lines[-1]) if lines else 0

    def cleanup(self, remove=True):
        """Stop what runs; the directory goes unless kept (a failed run's,
        to read its log)."""
        if self.proc.poll() is None:
            pids = self.pids()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                for p in pids:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.proc.wait()
        self.sim.stop()
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)


def quiet(read, still=1.0):
    """A condition for wait_for: true once read() (bytes written) has
    not changed for `still` seconds."""
    last = [read(), time.monotonic()]

    def check():
        b = read()
        if b != last[0]:
            last[0], last[1] = b, time.monotonic()
        return time.monotonic() - last[1] > still
    return check


def children(me):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                        out.append(int(p))
            except (OSError, IndexError, ValueError):
                pass
    return out


def reap(argv):
    """Run argv as the child of a subreaper; on SIGTERM pass it on; when
    the whole tree has gone, print the tree's write_bytes."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl: %s" % os.strerror(ctypes.get_errno()))
    main = os.fork()
    if main == 0:
        os.execvp(argv[0], argv)

    def forward(*_):
        try:
            os.kill(main, signal.SIGTERM)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGTERM, forward)
    status = 0
    while True:
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == main:
            status = os.waitstatus_to_exitcode(st)
            # what the daemon left behind (orphans adopted here) goes too
            for p in children(os.getpid()):
                try:
                    os.kill(p, signal.SIGTERM)
                except ProcessLookupError:
                    pass
    print(write_bytes(os.getpid()), flush=True)
    sys.exit(0 if status in (0, -signal.SIGTERM) else 1)


if __name__ == "__main__":
    reap(sys.argv[1:])
