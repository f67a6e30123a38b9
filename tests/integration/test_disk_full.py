"""test_disk_full.py: a full disk gives a clear error and changes nothing.

The database lives on a small tmpfs that the test fills; a settings change
that cannot be written is refused with "disk full", the daemon stays up,
the refused change changed nothing, and writes work again once space is
free.  Mounting needs root: without it the test exits 77 (skip), never
"pass".  CI runs as root and fails if this test skipped there.
"""
import os
import subprocess
import sys

from cgtest import Daemon, check, run_tests


def test_disk_full():
    d = Daemon()
    mnt = d.dir + "/small"
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt],
                      capture_output=True).returncode != 0:
        print("# skip: cannot mount a small tmpfs here (needs root)")
        d.cleanup()
        sys.exit(77)
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


if __name__ == "__main__":
    run_tests(test_disk_full)
