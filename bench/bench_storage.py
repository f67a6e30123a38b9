#!/usr/bin/env python3
"""bench_storage.py: storage wear per SMS command.  cellgated runs against
cellgate-modemsim; N `STATUS,PWD=...#` commands are sent one after another,
each received, run and answered (the reply sent and marked sent, the
message deleted from the modem) before the next.  Per SMS it prints

- the bytes the daemon dirtied (/proc/PID/io write_bytes, over the run
  and its stop, which copies the write-ahead log into the file: the run
  ends with a checkpoint, divided by N),
- its fsync/fdatasync calls (strace -c attached to the daemon),

with an empty message log and with logs pre-filled to the given sizes
(rows inserted with sqlite3 into the real schema while the daemon is
stopped), plus the start time (to the control socket answering) and the
daemon's peak memory (its log, at level warning, stays quiet: in
service it goes to syslog).  Run from a build tree:

    python3 bench/bench_storage.py [-n N] [--interval S] [--peers-n M]
        [--peers-only] [SIZE[:KEEP] ...]

The commands arrive at least S seconds apart (0.3: the authorisation
gate paces password checks at one per 250 ms after a burst of four); with
--interval 0 each comes as soon as the one before is answered, faster
than the checks are paced, and most wait for their turn (left in the
modem's storage until then, read again at the turn), which this
measures instead.

SIZE defaults to 0 20000 100000 10000:10000.  KEEP sets sms.keep_messages
(0 unless given: keep everything, so the log really has SIZE rows and
more); sms.keep_days is 0 (the pre-filled rows span years).  10000:10000
is a log at its limit, trimmed as it goes: it runs at least KEEP / 10
commands, so that several trims (each once a twentieth of KEEP is over)
fall in the run.  N (1000) spans automatic checkpoints (every 4 MiB of
log, some 600 commands); a short run overstates the checkpoint's share,
the stop's checkpoint then being spread over few commands.  The
database lives in /var/tmp (--dir; a disk, not a tmpfs, where write_bytes
counts nothing).

Then smstools3 (smsd) and gammu-smsd, where installed, do the same N
commands against their own simulator, at the same pace, their spools
under --dir: each command is received and stored by the peer, a handler
it runs answers it with a reply of the length of cellgated's (an
eventhandler for smstools3, RunOnReceive with gammu-smsd-inject for
gammu-smsd), the peer sends the reply and deletes the message from the
modem, and the next comes once the reply has been sent and the queue and
the modem's storage are empty (bench/sms_peers.py).  Their bytes are the
write_bytes of the whole process tree (the daemon, the processes it
forks, the handlers and what they run), from the peer idle at the modem
to its stop: the tree runs under a child subreaper that reaps every
process of it, whose counter then includes them all (see sms_peers.py);
their syncs are counted by strace -f attached to every process of the
tree.  A peer that is not installed gets its reference figure, measured
beside cellgated on the same work, printed as such.  The peers poll the
modem every second, so each of their commands takes a second or two:
--peers-n sets how many they run (default N).
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, HERE)
os.environ.setdefault("CG_BUILDDIR", os.getcwd())
from cgtest import CELLGATECTL, Daemon, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402
import sms_peers  # noqa: E402

PW = "bench-pw"


def deliver(sender, text, n):
    t = datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0, tzinfo=None) + datetime.timedelta(seconds=n)
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", t.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                        sender, text], capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout)["parts"][0]["pdu"]


def prefill(db, size):
    """size rows of past traffic from the senders the run uses:
    commands in (processed, redacted) and their replies out (sent), one row every 10 minutes up to two days ago
    (none counts against today's sms.daily_limit)."""
    if size == 0:
        return
    now = int(time.time()) - 2 * 86400
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    with con:
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < ?1) "
            "INSERT INTO sms(direction, number, text, coding, kind, status, "
            "time, updated, scts, fingerprint, parts, parts_sent, mr, "
            "progress) SELECT CASE i % 2 WHEN 1 THEN 'in' ELSE 'out' END, "
            "printf('+4917000%05d', i / 2 % 100), CASE i % 2 WHEN 1 THEN "
            "'STATUS,PWD=***#' ELSE 'Modem ready, signal 20/31, relays "
            "off, temperature 21.5 C, uptime 3d 4h' END, CASE i % 2 WHEN "
            "1 THEN 'gsm7' ELSE 'auto' END, 'text', CASE i % 2 WHEN 1 THEN "
            "'processed' ELSE 'sent' END, ?2 - (?1 - i) * 600, "
            "?2 - (?1 - i) * 600, CASE i % 2 WHEN 1 THEN "
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', ?2 - (?1 - i) * 600, "
            "'unixepoch') END, CASE i % 2 WHEN 1 THEN "
            "printf('+4917000%05d|%s|0|0|0|STATUS,PWD=***#', i / 2 % 100, strftime('%Y-%m-%dT%H:%M:%S+00:00', ?2 - (?1 - i) * 600, 'unixepoch')) "
            "END, 1, CASE i % 2 WHEN 1 THEN 0 ELSE 1 END, CASE i % 2 WHEN "
            "1 THEN '' ELSE CAST(i % 256 AS TEXT) END, 'none' FROM n",
            (size, now))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def peak_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def strace_calls(path):
    calls = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[-1] in ("fsync", "fdatasync"):
                calls[w[-1]] = int(w[3])
    return sum(calls.values())


def attach_strace(pids, trace):
    """strace -f -c of fsync and fdatasync, attached to pids (and what
    they fork from now on); returns once every one is traced."""
    argv = ["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o",
            trace]
    for p in pids:
        argv += ["-p", str(p)]
    st = subprocess.Popen(argv, stderr=subprocess.DEVNULL)

    def traced(p):
        with open("/proc/%d/status" % p) as f:
            return "TracerPid:\t0\n" not in f.read()
    wait_for(lambda: all(traced(p) for p in pids), 10, "strace attached")
    return st


def drive(sim, n, interval, settled):
    """n STATUS commands, one after another: each injected at least
    interval seconds after the one before, once that one's reply has
    left and settled(i) holds."""
    sent0 = len(sim.sent())
    last_in = 0.0
    for i in range(n):
        # arrivals at least `interval` apart: the authorisation gate
        # paces password checks (a burst of 4, then one per 250 ms); a
        # command arriving faster waits for its turn, saved alone
        time.sleep(max(0.0, last_in + interval - time.monotonic()))
        last_in = time.monotonic()
        sim.inject_sms(deliver("+4917000%05d" % (i % 100),
                               "STATUS,PWD=%s#" % PW, i))
        wait_for(lambda: len(sim.sent()) > sent0 + i, 60, "reply %d" % i)
        wait_for(lambda: settled(i), 60, "message %d settled" % i)


def run(size, n, keep, workroot, interval):
    d = Daemon(log_level="warning", workdir=tempfile.mkdtemp(
        prefix="cgbench-", dir=workroot))
    os.chmod(d.dir, 0o755)
    sim = Sim.start(os.environ["CG_BUILDDIR"], "generic", d.dir,
                    verbose=False)
    conf = 'modem = { device = "%s"; };\n' % sim.link
    d.write_conf(conf)
    d.start()
    wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    d.ctl("passwd", "superadmin", input=PW + "\n")
    d.ctl("settings", "set", "sms.daily_limit", "10000")
    d.ctl("settings", "set", "sms.keep_messages", str(keep))
    d.ctl("settings", "set", "sms.keep_days", "0")
    d.stop()
    prefill(d.db, size)
    t0 = time.monotonic()
    d.start()
    start_s = time.monotonic() - t0
    wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    pid = d.proc.pid
    trace = os.path.join(d.dir, "strace.out")
    st = attach_strace([pid], trace)
    b0 = sms_peers.write_bytes(pid)

    def settled():
        s = d.ctl_json("status")["sms"]
        return not sim.storage() and s["unread"] == 0 and s["outbox"] == 0
    drive(sim, n, interval, lambda i: settled())
    # the last delete's record and any writeback the daemon started
    wait_for(sms_peers.quiet(lambda: sms_peers.write_bytes(pid)), 30,
             "writes settled")
    mem = peak_kb(pid)
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    rows = con.execute("SELECT count(*) FROM sms").fetchone()[0]
    con.close()
    # the stop copies the write-ahead log into the file (a checkpoint,
    # which in service comes every few thousand pages of log): counted,
    # read while the daemon is a zombie not yet reaped
    d.proc.send_signal(signal.SIGTERM)
    wait_for(lambda: open("/proc/%d/stat" % pid).read().rsplit(
        ")", 1)[1].split()[0] == "Z", 30, "daemon stopped")
    dirtied = sms_peers.write_bytes(pid) - b0
    d.stop()
    st.wait(10)
    syncs = strace_calls(trace)
    sim.stop()
    d.cleanup()
    return dirtied / n, syncs / n, start_s, mem, rows


def run_peer(setup, n, workroot, interval):
    """A peer (sms_peers.smsd or .gammu) answering n commands: bytes
    dirtied by its process tree and its syncs, per SMS."""
    p = sms_peers.Peer(os.environ["CG_BUILDDIR"], workroot, setup, PW)
    try:
        p.wait_ready()
        trace = os.path.join(p.dir, "strace.out")
        st = attach_strace(p.pids(), trace)
        b0 = p.tree_bytes()
        drive(p.sim, n, interval, lambda i: p.settled(i + 1))
        wait_for(sms_peers.quiet(p.tree_bytes), 30, "writes settled")
        dirtied = p.stop() - b0
        st.wait(10)
        syncs = strace_calls(trace)
    except BaseException:
        p.cleanup(remove=False)
        print("its directory, with its configuration and log: %s" % p.dir)
        raise
    p.cleanup()
    return dirtied / n, syncs / n


def main():
    ap = argparse.ArgumentParser()
    # enough commands that the log is copied into the file in service
    # (every 4 MiB of log, ~600 commands), not only at the stop
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--interval", type=float, default=0.3,
                    help="seconds at least between two arrivals (0: "
                    "each as soon as the one before is answered)")
    ap.add_argument("--dir", default="/var/tmp",
                    help="where the databases go (a disk, not a tmpfs)")
    ap.add_argument("--peers-n", type=int,
                    help="commands for each peer (default N; 0: none): "
                    "they poll the modem every second, so a run of 1000 "
                    "takes most of an hour each")
    ap.add_argument("--peers-only", action="store_true",
                    help="run the peers only")
    ap.add_argument("logs", nargs="*",
                    default=["0", "20000", "100000", "10000:10000"])
    a = ap.parse_args()
    peers_n = a.n if a.peers_n is None else a.peers_n
    print("%d STATUS commands per log, each received, run and answered, "
          "arriving at least %.2f s apart" % (a.n, a.interval))
    print("%-40s %12s %11s %9s %9s %8s" % ("daemon / log", "dirtied/SMS",
                                          "fsyncs/SMS", "start", "peak RSS",
                                          "rows"))
    for log in [] if a.peers_only else a.logs:
        size, _, keep = log.partition(":")
        size, keep = int(size), int(keep or 0)
        n = max(a.n, keep // 10)
        b, s, t, m, rows = run(size, n, keep, a.dir, a.interval)
        name = "cellgated, %d-message log" % size
        if keep:
            name += ", keep %d (%d SMS)" % (keep, n)
        print("%-40s %9.1f kB %11.2f %7.2f s %6d kB %8d" %
              (name, b / 1024, s, t, m, rows))
        sys.stdout.flush()
    for name, prog, package, setup, ref in sms_peers.PEERS:
        if peers_n == 0:
            break
        if shutil.which(prog) is None:
            print("%-40s %9.1f kB %11s   (reference figure: %s not "
                  "installed, Debian package %s)" % (name, ref / 1024, "-",
                                                     prog, package))
            continue
        b, s = run_peer(setup, peers_n, a.dir, a.interval)
        print("%-40s %9.1f kB %11.2f  (%d SMS)" % (name, b / 1024, s,
                                                   peers_n))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
