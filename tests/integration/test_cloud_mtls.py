"""test_cloud_mtls.py: mutual TLS to the broker (cloud.cert_file,
cloud.key_file), against a real mosquitto with require_certificate and
use_identity_as_username, with certificates the test makes with openssl.

Covers: a device with a certificate from the broker's CA connects (its
CN is its login, the password plays no part) and its commands are
answered; without a certificate, and with one from another CA, the
broker refuses it and the link says why; a key file readable by others,
a relative path, a missing file are refused at `settings set` with a
clear error and change nothing; a key readable by others when the link
starts (changed after it was set) stops the link with that error; a
certificate without its key is refused at connect.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cgtest import BUILDDIR, Daemon, check, run_tests, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402
from mqtt_util import (Broker, Client, have_mosquitto,  # noqa: E402
                       make_certs, make_client_cert)

DEV = "dev11"
OBS_PW = "observer-pw"
ADMIN = "Adm1n-pw"
D = SIM = B = None
CERTS = {}


def cloud():
    return D.ctl_json("status")["cloud"]


def set_(name, value):
    rc, out, err = D.ctl("settings", "set", name, value)
    if rc != 0:
        raise RuntimeError("settings set %s: %s" % (name, err))


def refused(what):
    """The link tried and failed: its error."""
    try:
        wait_for(lambda: cloud()["state"] == "backoff" and
                 cloud()["last_error"], 40, what)
    except TimeoutError:
        print("# %s\n# %s" % (cloud(), "\n# ".join(
            [l for l in D.read_log().splitlines() if "cloud" in l][-40:])))
        raise
    return cloud()["last_error"]


def test_bad_settings_refused():
    cert, key = CERTS["good"]
    open_key = os.path.join(D.dir, "open.key")
    with open(key) as f, open(open_key, "w") as g:
        g.write(f.read())
    os.chmod(open_key, 0o644)
    for name, value, want in (
            ("cloud.key_file", open_key, "may be read by others (mode 0644)"),
            ("cloud.key_file", "client.key", "not an absolute path"),
            ("cloud.cert_file", D.dir + "/missing.pem", "No such file"),
            ("cloud.cert_file", D.dir, "not a regular file")):
        rc, out, err = D.ctl("settings", "set", name, value)
        check(rc != 0 and want in err and err.count(name) == 1,
              "%s=%s refused: %r" % (name, os.path.basename(value),
                                     err.strip()))
        check(D.ctl_json("settings", "get", name)["value"] == "",
              "%s unchanged" % name)


def test_no_certificate_refused():
    set_("cloud.enable", "on")
    err = refused("the broker refuses a device without a certificate")
    check(cloud()["state"] != "up", "no certificate: not connected (%s)" % err)


def test_cert_without_key():
    set_("cloud.cert_file", CERTS["good"][0])
    err = refused("a certificate without its key")
    check("cloud.cert_file is set but cloud.key_file is not" in err,
          "certificate without key: %s" % err)


def test_right_certificate_connects():
    set_("cloud.key_file", CERTS["good"][1])
    wait_for(lambda: cloud()["state"] == "up", 40, "mutual TLS link up")
    check(True, "a certificate from the broker's CA connects")
    obs = Client(B.port, "observer", OBS_PW)
    obs.subscribe("cellgate/%s/reply" % DEV)
    obs.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDID?" % ADMIN,
                corr="m-1")
    m = obs.wait(lambda t, p: t.endswith("/reply"), 10, "reply")
    check(json.loads(m[1])["text"] == "+CLOUDID:%s\nOK" % DEV,
          "commands answered over the mutual TLS link")
    obs.close()
    check("u'%s'" % DEV in B.read_log() and "u'other-login'" not in
          B.read_log(), "the broker took the certificate's CN as the login")


def test_key_opened_later_refused():
    key = CERTS["good"][1]
    os.chmod(key, 0o604)
    set_("cloud.keepalive", "9")       # a new connection reads the files
    err = refused("a key readable by others at connect")
    check("may be read by others" in err and cloud()["state"] != "up",
          "a key made readable since it was set: refused at connect: %s"
          % err)
    os.chmod(key, 0o600)
    set_("cloud.keepalive", "10")
    wait_for(lambda: cloud()["state"] == "up", 40, "up again")


def test_other_ca_refused():
    set_("cloud.cert_file", CERTS["other"][0])
    set_("cloud.key_file", CERTS["other"][1])
    err = refused("a certificate from another CA")
    check(cloud()["state"] != "up",
          "a certificate from another CA is refused: %s" % err)
    set_("cloud.cert_file", CERTS["good"][0])
    set_("cloud.key_file", CERTS["good"][1])
    wait_for(lambda: cloud()["state"] == "up", 40, "up with the right one")
    check(True, "and the right one connects again")


def main():
    global D, SIM, B
    if not have_mosquitto():
        print("mosquitto not installed: skipped")
        sys.exit(77)
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    B = Broker(D.dir, {"observer": OBS_PW}, tls=True,
               client_certs=True).start()
    certs = os.path.join(D.dir, "certs")
    other = os.path.join(D.dir, "other")
    os.makedirs(certs)
    os.makedirs(other)
    CERTS["good"] = make_client_cert(certs, B.ca, B.ca_key, DEV, "client")
    oca, _, _ = make_certs(other)
    CERTS["other"] = make_client_cert(other, oca,
                                      os.path.join(other, "ca.key"), DEV,
                                      "client")
    try:
        D.write_conf('modem = { device = "%s"; };\n'
                     'cloud = { enable = false; server = "localhost:%d";'
                     ' tls = true; ca_file = "%s"; id = "%s";'
                     ' user = "other-login"; password = "not-used"; };\n'
                     % (SIM.link, B.tls_port, B.ca, DEV))
        D.start()
        D.ctl("passwd", "admin", input=ADMIN + "\n")
        wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        run_tests(test_bad_settings_refused, test_no_certificate_refused,
                  test_cert_without_key, test_right_certificate_connects,
                  test_key_opened_later_refused, test_other_ca_refused)
    finally:
        D.cleanup()
        SIM.stop()
        B.stop()


if __name__ == "__main__":
    main()
