"""test_config.py: the config file and the daemon's start and reload.

--check-config names file, line and key and exits non-zero; the daemon
refuses to start on a bad file; SIGHUP reloads a good file and keeps the
running config on a bad one; an unwritable database gives a clear error
and changes nothing (a full disk: test_disk_full.py).
"""
import os
import signal
import socket
import subprocess

from cgtest import CELLGATED, Daemon, check, run_tests, wait_for


def cellgated(*args):
    p = subprocess.run([CELLGATED] + list(args), capture_output=True,
                       text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def test_version_and_usage():
    rc, out, err = cellgated("--version")
    check(rc == 0 and out.startswith("cellgated "), "--version")
    rc, out, err = cellgated("--bogus")
    check(rc == 2 and "usage" in err, "unknown option: usage, exit 2")


def test_check_config():
    d = Daemon('modem = {\n  device = "/dev/ttyUSB2";\n  buad = 9600;\n};\n')
    try:
        rc, out, err = cellgated("--check-config", "-c", d.conf)
        want = "%s:%d: modem.buad: unknown key" % (d.conf, 6)
        check(rc != 0 and want in err, "typo reported with file:line:key (%s)"
              % err.strip())
        p = subprocess.run([CELLGATED, "-f", "-c", d.conf], capture_output=True,
                           text=True, timeout=20)
        check(p.returncode != 0 and "modem.buad" in p.stderr
              and not os.path.exists(d.socket), "daemon refuses to start on it")
        d.write_conf('bridge = { mode = "NET"; };\n')
        rc, out, err = cellgated("--check-config", "-c", d.conf)
        check(rc == 0 and "configuration OK" in out, "good config passes")
        rc, out, err = cellgated("--check-config", "-c", d.dir + "/missing.conf")
        check(rc != 0 and "is missing" in err, "missing file reported")
        # the shipped, commented config is valid (with a database where
        # this test may write: /var/lib/cellgate is the package's)
        with open(os.path.join(os.environ.get("CG_SRCDIR", "."), "etc",
                               "cellgate.conf")) as f:
            shipped = f.read()
        check('database = "/var/lib/cellgate/cellgate.db";' in shipped,
              "etc/cellgate.conf names the packaged database")
        with open(d.dir + "/shipped.conf", "w") as f:
            f.write(shipped.replace("/var/lib/cellgate/", d.dir + "/"))
        rc, out, err = cellgated("--check-config", "-c",
                                 d.dir + "/shipped.conf")
        check(rc == 0, "etc/cellgate.conf passes --check-config: %s" % err.strip())
    finally:
        d.cleanup()


def test_reload():
    d = Daemon('bridge = { welcome = "one"; };\n')
    d.start()
    try:
        check(d.ctl_json("settings", "get", "STMSG")["value"] == "one",
              "config value at start")
        d.write_conf('bridge = { welcome = "two"; };\n')
        d.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: d.ctl_json("settings", "get", "STMSG")["value"] == "two",
                 10, "reloaded value")
        check(True, "SIGHUP reloads the config")
        d.write_conf('bridge = { welcome = "three"; wrong = 1; };\n')
        rc, out, err = d.ctl("reload")
        check(rc != 0 and "bridge.wrong" in err, "bad reload refused: %s" % err.strip())
        check(d.ctl_json("settings", "get", "STMSG")["value"] == "two",
              "running config kept after a bad reload")
        d.write_conf('')
        rc, out, err = d.ctl("reload")
        st = d.ctl_json("settings", "get", "STMSG")
        check(rc == 0 and st["source"] == "default", "value gone from config: default")
        check(d.stop() == 0, "clean stop")
    finally:
        d.cleanup()


def test_unwritable_database():
    d = Daemon()
    try:
        os.makedirs(d.dir + "/ro")
        d.db = d.dir + "/ro/cellgate.db"
        d.write_conf()
        os.chmod(d.dir + "/ro", 0o555)
        # root ignores permissions: run as nobody, which cannot write there
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                            "--clear-groups", CELLGATED, "-f", "-c", d.conf],
                           capture_output=True, text=True, timeout=20)
        check(p.returncode != 0 and "cannot start" in p.stderr
              and "cannot be written" in p.stderr,
              "unwritable database: clear error (%s)" % p.stderr.strip().splitlines()[-2:])
    finally:
        d.cleanup()


def test_systemd_notify():
    """READY, watchdog pings from the loop, RELOADING/READY on SIGHUP,
    STOPPING at the end: read from a NOTIFY_SOCKET as systemd would."""
    d = Daemon()
    path = d.dir + "/notify.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    msgs = []

    def until(word):
        while True:
            m = s.recv(4096).decode()
            msgs.append(m)
            if word in m.split("\n"):
                return m
    try:
        d.start(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        check("READY=1" in until("READY=1").split("\n"), "READY=1 sent at start")
        until("WATCHDOG=1")
        until("WATCHDOG=1")
        check(True, "watchdog pinged repeatedly (WatchdogSec honoured)")
        d.proc.send_signal(signal.SIGHUP)
        until("RELOADING=1")
        until("READY=1")
        check(True, "SIGHUP: RELOADING=1 then READY=1")
        d.proc.send_signal(signal.SIGTERM)
        until("STOPPING=1")
        check(True, "SIGTERM: STOPPING=1")
        check(d.stop() == 0, "clean exit under systemd notification")
    finally:
        s.close()
        d.cleanup()


if __name__ == "__main__":
    run_tests(test_version_and_usage, test_check_config, test_reload,
              test_unwritable_database, test_systemd_notify)
