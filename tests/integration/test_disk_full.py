"""test_disk_full.py: a full disk gives a clear error and changes nothing.

The database lives on a small tmpfs that the test fills; a settings change
that cannot be written is refused with "disk full", the daemon stays up,
the refused change changed nothing, and writes work again once space is
free.

A command SMS that carries a password and changes a setting, received
when there is room to save it but not to process it: processing pauses,
the setting keeps its old value in memory as in the database, no reply
goes out, and neither `sms list`, `sms show`, the log nor the database's
message text ever holds the password.  Once space is free the command
runs once and its one reply goes out.

Mounting needs root: without it the test exits 77 (skip), never "pass".
CI runs as root and fails if this test skipped there.
"""
import os
import sqlite3
import subprocess
import sys

from cgtest import BUILDDIR, Daemon, SmsPeer, check, run_tests, wait_for
from modemsim import Sim

SUPER = "Dfull-9pw"
SENDER = "+491705550001"


def mount_small(d, size):
    mnt = d.dir + "/small"
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size,
                       "tmpfs", mnt], capture_output=True).returncode != 0:
        print("# skip: cannot mount a small tmpfs here (needs root)")
        d.cleanup()
        sys.exit(77)
    return mnt


def fill(path):
    """Fill the filesystem with one file, to the last byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for chunk in (65536, 4096, 512, 1):
        try:
            while True:
                os.write(fd, b"\0" * chunk)
        except OSError:
            pass
    os.close(fd)


def test_disk_full():
    d = Daemon()
    mnt = mount_small(d, "256k")
    try:
        d.db = mnt + "/cellgate.db"
        d.write_conf()
        d.start()
        d.ctl("settings", "set", "STMSG", "before")
        # fill the filesystem, leaving a few pages
        fd = os.open(mnt + "/filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        os.close(fd)
        ok_value = "before"
        failed = None
        for i in range(300):
            v = "v%03d-" % i + "x" * 58
            rc, out, err = d.ctl("settings", "set", "STMSG", v)
            if rc != 0:
                failed = err
                break
            ok_value = v
        check(failed is not None and "disk full" in failed,
              "disk full reported clearly: %s" % (failed or "").strip())
        check(d.ctl("status")[0] == 0, "daemon still up with a full disk")
        check(d.ctl_json("settings", "get", "STMSG")["value"] == ok_value,
              "the refused change changed nothing")
        os.unlink(mnt + "/filler")
        rc, out, err = d.ctl("settings", "set", "STMSG", "after")
        check(rc == 0, "writes work again once space is free")
        check(d.stop() == 0, "clean stop")
    finally:
        d.stop()
        subprocess.run(["umount", mnt])
        d.cleanup()


def db_rows(db, sql, *args):
    """Rows read by another connection: what is committed."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def test_command_sms_disk_full():
    d = Daemon()
    mnt = mount_small(d, "1m")
    sim = Sim.start(BUILDDIR, "generic", d.dir)
    peer = SmsPeer(d, sim)
    filler = mnt + "/filler"
    try:
        d.db = mnt + "/cellgate.db"
        d.write_conf('modem = { device = "%s"; };\n' % sim.link)
        d.start()
        wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        d.ctl("passwd", "superadmin", input=SUPER + "\n")
        d.ctl("settings", "set", "STMSG", "before")
        name = d.ctl_json("settings", "get", "STMSG")["name"]
        # one message, announced again (+CMTI for its slot: the same
        # copy, run once) with a little more room each time, until it is
        # saved but its processing cannot be committed
        pdu = peer.encode_deliver(SENDER, "%s#AT+STMSG=after-sms" % SUPER)[0]
        fill(filler)
        paused = None
        slot = None
        for step in range(64):
            size = os.path.getsize(filler)
            os.truncate(filler, max(0, size - 4096))
            n_log = d.read_log().count("not saved")
            if slot is None:
                slot = sim.inject_sms(pdu)
            else:
                sim.urc('+CMTI: "SM",%d' % slot)
            wait_for(lambda: d.read_log().count("not saved") > n_log or
                     any(m["direction"] == "in" for m in peer.messages()),
                     20, "the message saved or refused")
            ins = [m for m in peer.messages() if m["direction"] == "in"]
            if not ins:
                continue
            msg = wait_for(lambda: next(
                (m for m in peer.messages() if m["direction"] == "in" and
                 m["status"] != "new") or None, None) or
                ("not processed" in d.read_log() and ins[0]),
                20, "processed or paused")
            if msg["status"] == "new":
                paused = msg
            break
        check(paused is not None, "a command SMS saved, its processing "
              "paused by the full disk")
        if paused is None:
            return
        # memory and database agree: the old value, no reply
        got = d.ctl_json("settings", "get", "STMSG")
        check(got["value"] == "before" and db_rows(
            d.db, "SELECT value FROM settings WHERE name = ?", name) ==
            [("before",)], "settings get equals the database: %r" % got)
        check(not [m for m in peer.messages() if m["direction"] == "out"],
              "no reply queued while paused")
        rc, out, err = d.ctl("sms", "list")
        shown = d.ctl("sms", "show", str(paused["id"]))[1]
        check(rc == 0 and SUPER not in out and SUPER not in shown and
              "***#AT+STMSG" in shown.upper(),
              "sms list/show show the message redacted: %s" % shown)
        check(not db_rows(d.db, "SELECT id FROM sms WHERE instr(text, ?)",
                          SUPER), "the message log's text has no password")
        # space again: the retry runs it, once
        os.unlink(filler)
        wait_for(lambda: d.ctl_json("sms", "show", str(paused["id"]))
                 ["status"] == "processed", 90, "the message processed")
        check(d.ctl_json("settings", "get", "STMSG")["value"] ==
              "after-sms" and db_rows(
                  d.db, "SELECT value FROM settings WHERE name = ?", name) ==
              [("after-sms",)], "the command ran once space was free")
        outs = [m for m in peer.messages() if m["direction"] == "out"]
        check(len(outs) == 1, "one reply queued: %r" % outs)
        wait_for(lambda: d.ctl_json("sms", "show", str(outs[0]["id"]))
                 ["status"] == "sent", 20, "reply sent")
        check([t for n, t in peer.sent() if n == SENDER] == ["OK"],
              "one reply went out: %r" % peer.sent())
        ins = [m for m in peer.messages() if m["direction"] == "in"]
        check(len(ins) == 1, "the copies were one message: %r" % ins)
        check(db_rows(d.db, "SELECT count(*) FROM sms WHERE text_clear "
                      "IS NOT NULL OR instr(text, ?)", SUPER) == [(0,)],
              "processed: the text as received is forgotten")
        check(SUPER not in d.read_log(), "no password in the log")
        check(d.stop() == 0, "clean stop")
    finally:
        d.stop()
        sim.stop()
        subprocess.run(["umount", mnt])
        d.cleanup()


if __name__ == "__main__":
    run_tests(test_disk_full, test_command_sms_disk_full)
