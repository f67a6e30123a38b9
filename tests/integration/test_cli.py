"""test_cli.py: cellgatectl's and cellgated's conventions.

Covers: --json before or after the subcommand; with --json every failure
is {"error": ..., "exit": N} on stdout with the same exit status (a
daemon error, a usage error, an offline pdu error); "did you mean" for a
mistyped subcommand, verb and setting; a subcommand without its verb
says which verbs there are; every time in the output is RFC 3339 UTC
(status, sms list, events, io list; no epoch numbers); `events` and
`monitor` print valid logfmt (values with spaces quoted) and JSON lines
with --json; error messages name things once (a config value out of
range, a duplicate setting says which, a missing vs an unreadable config
file); --check-config fails where the start would (a database that
cannot be written).
"""
import json
import os
import re
import select
import subprocess

from cgtest import (BUILDDIR, CELLGATECTL, CELLGATED, Daemon, check,
                    run_tests, wait_for)
from modemsim import Sim

D = None
SIM = None
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")
LOGFMT = re.compile(r'^(?:[A-Za-z0-9_.]+=(?:"(?:[^"\\]|\\.)*"|[^\s"=]*)'
                    r'(?: |$))+$')


def ctl(*args):
    return D.ctl(*args)


def test_json_anywhere():
    a = json.loads(ctl("--json", "status")[1])
    rc, out, err = ctl("status", "--json")
    check(rc == 0 and json.loads(out)["modem"]["imei"] == a["modem"]["imei"],
          "status --json works as --json status")
    rc, out, err = ctl("sms", "list", "--json")
    check(rc == 0 and isinstance(json.loads(out), list),
          "sms list --json: %r" % err)


def json_error(args, status, want):
    rc, out, err = ctl(*args)
    try:
        o = json.loads(out)
    except ValueError:
        o = None
    check(rc == status and o is not None and o.get("exit") == status and
          want in o.get("error", "") and err == "",
          "%s: JSON error on stdout, exit %d: %r %r" % (" ".join(args),
                                                        status, out, err))


def test_json_errors():
    json_error(("--json", "settings", "get", "no.such"), 1,
               "unknown setting no.such")
    json_error(("settings", "set", "sms.daily_limit", "99999", "--json"), 1,
               "value too large")
    json_error(("--json", "settings"), 2, "missing verb")
    json_error(("--json", "stauts"), 2, "did you mean status?")
    json_error(("pdu", "decode", "zz", "--json"), 1, "invalid PDU")
    json_error(("--json", "--bogus", "status"), 2, "unknown option")
    rc, out, err = ctl("settings", "get", "no.such")
    check(rc == 1 and out == "" and
          err.strip() == "cellgatectl: unknown setting no.such",
          "without --json: one line on stderr: %r" % err)


def test_did_you_mean_and_verbs():
    for args, status, want in (
            (("stauts",), 2, "unknown subcommand stauts (did you mean status?)"),
            (("settings", "get", "sms.daly_limit"), 1,
             "unknown setting sms.daly_limit (did you mean sms.daily_limit?)"),
            (("settings", "sett", "x", "y"), 2,
             "settings: unknown verb sett (did you mean set?)"),
            (("settings",), 2,
             "settings: missing verb: list, get, set or reset"),
            (("sms",), 2, "sms: missing verb: send, list, show or retry"),
            (("phonebook", "frobnicate"), 2,
             "phonebook: unknown verb frobnicate: list, add, set or del"),
            (("sms", "show"), 2, "usage: cellgatectl sms show ID"),
            (("passwd",), 2, "usage: cellgatectl passwd superadmin|admin"),
            (("pdu",), 2, "pdu: missing verb: decode or encode")):
        rc, out, err = ctl(*args)
        check(rc == status and err.strip() == "cellgatectl: " + want,
              "%s: %r" % (" ".join(args), err.strip()))


def walk_strings(o, path=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from walk_strings(v, path + "." + k)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from walk_strings(v, "%s[%d]" % (path, i))
    else:
        yield path, o


def test_times_rfc3339():
    D.ctl("io", "set", "relay1", "on")
    D.ctl("sms", "send", "+491701234567", "time check")
    st = json.loads(ctl("--json", "status")[1])
    keys = [p for p, v in walk_strings(st)]
    check(not any(p.endswith("_ms") for p in keys), "no epoch ms in status")
    times = {p: v for p, v in walk_strings(st)
             if p.split(".")[-1] in ("started", "since", "last_change",
                                     "last_at") and isinstance(v, str)}
    check(".daemon.started" in times and ".cloud.since" in times and
          any(p.endswith("last_change") for p in times),
          "status has its times as text: %s" % sorted(times))
    bad = {p: v for p, v in times.items() if not RFC3339.match(v)}
    check(bad == {}, "every time in status is RFC 3339 UTC: %r" % bad)
    msgs = json.loads(ctl("--json", "sms", "list")[1])
    check(msgs and all(RFC3339.match(m["time"]) for m in msgs),
          "sms list times: %r" % [m["time"] for m in msgs])
    evs = [json.loads(l) for l in ctl("--json", "events")[1].splitlines()]
    check(evs and all(RFC3339.match(e["time"]) for e in evs),
          "event times: %r" % [e["time"] for e in evs][:3])
    rc, out, err = ctl("io", "list")
    m = re.search(r"changed (\S+)", out)
    check(m is not None and RFC3339.match(m.group(1)),
          "io list: %r" % out)


def test_logfmt():
    rc, out, err = ctl("events")
    lines = out.splitlines()
    bad = [l for l in lines if not LOGFMT.match(l)]
    check(lines and bad == [], "events print valid logfmt: %r" % bad[:3])
    spaced = [l for l in lines if 'reason="' in l]
    check(spaced and all(l.startswith("time=") for l in lines),
          "values with spaces are quoted: %r" % spaced[:1])
    mon = subprocess.Popen([CELLGATECTL, "-s", D.socket, "monitor"],
                           stdout=subprocess.PIPE, text=True)
    monj = subprocess.Popen([CELLGATECTL, "-s", D.socket, "monitor",
                             "--json"], stdout=subprocess.PIPE, text=True)
    got = {}

    def lines():
        # a change, until each monitor (subscribed by now) printed one
        D.ctl("settings", "set", "sms.retries", "4")
        D.ctl("settings", "reset", "sms.retries")
        for name, p in (("text", mon), ("json", monj)):
            if name not in got and select.select([p.stdout], [], [], 0.2)[0]:
                got[name] = p.stdout.readline().rstrip("\n")
        return len(got) == 2
    try:
        wait_for(lines, 20, "a line from each monitor")
        check(LOGFMT.match(got["text"]) is not None,
              "monitor: logfmt: %r" % got["text"])
        o = json.loads(got["json"])
        check("event" in o and RFC3339.match(o["time"]),
              "monitor --json: JSON lines: %r" % got["json"])
    finally:
        mon.kill()
        monj.kill()
        mon.wait()
        monj.wait()


def check_config(conf_text, name):
    path = os.path.join(D.dir, name)
    with open(path, "w") as f:
        f.write(conf_text)
    p = subprocess.run([CELLGATED, "-c", path, "--check-config"],
                       capture_output=True, text=True)
    return p.returncode, p.stderr.strip()


def test_config_errors():
    base = 'control = { socket = "%s/x.sock"; };\n' % D.dir
    rc, err = check_config(base + 'database = "%s/c.db";\n'
                           'sms = { daily_limit = 99999; };\n' % D.dir,
                           "range.conf")
    check(rc == 1 and err.count("sms.daily_limit") == 1 and
          "value too large" in err, "the name once: %r" % err)
    rc, err = check_config(base + 'database = "%s/c.db";\n'
                           'log = { level = "info"; };\n'
                           'log = { level = "debug"; };\n' % D.dir,
                           "dup.conf")
    check(rc == 1 and err.endswith("duplicate setting name: log"),
          "a duplicate says which: %r" % err)
    p = subprocess.run([CELLGATED, "-c", D.dir + "/nothere.conf",
                        "--check-config"], capture_output=True, text=True)
    check(p.returncode == 1 and "the config file is missing" in p.stderr,
          "missing config file: %r" % p.stderr.strip())
    locked = os.path.join(D.dir, "locked")
    os.mkdir(locked, 0o700)
    with open(os.path.join(locked, "x.conf"), "w") as f:
        f.write(base)
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups", CELLGATED, "-c",
                        os.path.join(locked, "x.conf"), "--check-config"],
                       capture_output=True, text=True)
    check(p.returncode == 1 and "the config file is unreadable: "
          "Permission denied" in p.stderr,
          "unreadable config file: %r" % p.stderr.strip())
    rc, err = check_config(base + 'database = "%s/no/such/dir/c.db";\n'
                           % D.dir, "db.conf")
    check(rc == 1 and "database" in err and "cannot be written" in err,
          "--check-config: a database that cannot be written: %r" % err)
    p = subprocess.run([CELLGATED, "-f", "-c", os.path.join(D.dir,
                        "db.conf")], capture_output=True, text=True,
                       timeout=20)
    check(p.returncode != 0, "and the start itself fails too")
    rc, err = check_config(base + 'database = "%s/c.db";\n' % D.dir,
                           "ok.conf")
    check(rc == 0, "a good config passes: %r" % err)


def main():
    global D, SIM
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    with open(os.path.join(D.dir, "out1"), "w") as f:
        f.write("0\n")
    D.write_conf('modem = { device = "%s"; };\n'
                 'io = { outputs = ( { name = "relay1"; file = "%s"; } ); };\n'
                 % (SIM.link, os.path.join(D.dir, "out1")))
    D.start()
    wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    try:
        run_tests(test_json_anywhere, test_json_errors,
                  test_did_you_mean_and_verbs, test_times_rfc3339,
                  test_logfmt, test_config_errors)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
