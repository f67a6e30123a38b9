"""test_sms_retain.py: the message log's retention and its listing in pages.

cellgated runs on a message log filled while it was stopped (rows of the
real schema): messages older than sms.keep_days are trimmed soon after
start, lowering sms.keep_messages trims the log to the newest ones at
once, the file is not rewritten (its pages are freed for reuse), and
`cellgatectl sms list --limit N` returns N messages however many control
frames they need (page after page, the sms.list request's "before"); a
bad "before" is refused.
"""
import json
import os
import sqlite3
import time

from cgtest import Daemon, RawClient, check, run_tests, wait_for

OLD, RECENT = 100, 600
# a long text: one page of the list holds far fewer than 500 of them
TEXT = "Relay 1 on, relay 2 off, input 1 closed, signal 20/31, 21.5 C " * 3


def fill(db):
    now = int(time.time())
    con = sqlite3.connect(db)
    with con:
        for i in range(1, OLD + RECENT + 1):
            t = now - 400 * 86400 if i <= OLD else now - 86400 + i
            con.execute("INSERT INTO sms(direction, number, text, status, "
                        "time, updated) VALUES (?, ?, ?, ?, ?, ?)",
                        ("in" if i % 2 else "out", "+4917012345%02d"
                         % (i % 100), "%d %s" % (i, TEXT),
                         "processed" if i % 2 else "sent", t, t))
    con.close()


def db_rows(db, sql):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


def listed(d, limit):
    rc, out, err = d.ctl("sms", "list", "--limit", str(limit),
                         json_out=True)
    check(rc == 0, "sms list --limit %d works: %s" % (limit, err.strip()))
    return json.loads(out) if rc == 0 else []


def test_retention_and_pages():
    d = Daemon()
    try:
        d.start()       # creates the schema
        check(d.stop() == 0, "first start and stop")
        fill(d.db)
        ino = os.stat(d.db).st_ino
        d.start()
        # sms.keep_days (365 by default): the old ones go soon after start
        wait_for(lambda: db_rows(d.db, "SELECT count(*) FROM sms") ==
                 [(RECENT,)], 30, "messages older than a year trimmed")
        check(db_rows(d.db, "SELECT min(id) FROM sms") == [(OLD + 1,)],
              "the oldest ones went")
        # one reply could not hold 500 of them: pages
        got = listed(d, 500)
        check([m["id"] for m in got] ==
              list(range(OLD + RECENT - 499, OLD + RECENT + 1)),
              "sms list --limit 500: the newest 500, oldest first "
              "(%d listed)" % len(got))
        got = listed(d, 10000)
        check(len(got) == RECENT and got[0]["id"] == OLD + 1,
              "sms list --limit 10000: every message (%d)" % len(got))
        check(len(listed(d, 7)) == 7, "a small limit: one page")
        c = RawClient(d.socket)
        r = c.call("sms.list", {"limit": 10, "before": 0})
        check(r.get("ok") is False and "before" in r.get("error", ""),
              "a bad 'before' is refused: %r" % r)
        r = c.call("sms.list", {"limit": 3, "before": OLD + 50})
        ids = [m["id"] for m in r.get("result", [])]
        check(ids == [OLD + 47, OLD + 48, OLD + 49],
              "'before' lists the page below that id: %r" % ids)
        c.close()
        # sms.keep_messages lowered: trimmed to the newest at once
        rc, out, err = d.ctl("settings", "set", "sms.keep_messages", "50")
        check(rc == 0, "sms.keep_messages set: %s" % err.strip())
        wait_for(lambda: db_rows(d.db, "SELECT count(*) FROM sms") ==
                 [(50,)], 30, "the log trimmed to 50 messages")
        check(db_rows(d.db, "SELECT min(id), max(id) FROM sms") ==
              [(OLD + RECENT - 49, OLD + RECENT)], "the newest 50 kept")
        check([m["id"] for m in listed(d, 10000)] ==
              list(range(OLD + RECENT - 49, OLD + RECENT + 1)),
              "sms list shows the 50 kept")
        # not rewritten: the same file, its freed pages kept for reuse
        check(os.stat(d.db).st_ino == ino and
              db_rows(d.db, "PRAGMA freelist_count")[0][0] > 0,
              "the file is not rewritten: freed pages wait for reuse")
        check(d.stop() == 0, "clean stop")
    finally:
        d.cleanup()


if __name__ == "__main__":
    run_tests(test_retention_and_pages)
