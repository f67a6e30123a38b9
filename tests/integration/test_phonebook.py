"""test_phonebook.py: `cellgatectl phonebook` against the real daemon.

Entries are added (first free position or a given one), listed, changed
and deleted; numbers are normalised to E.164 with auth.country_code; bad
input is refused with a clear error and changes nothing; the phonebook
survives a restart; AT+NUM? (the registry command SMS uses) sees the same.
"""
from cgtest import Daemon, check, run_tests

D = None


def test_add_list_set_del():
    rc, out, err = D.ctl("phonebook", "add", "+39 123 4567", "name=Anna")
    check(rc == 0 and out.startswith("1: +391234567 (Anna) role=user password=required"),
          "add to the first free position: %s" % out.strip())
    rc, out, err = D.ctl("phonebook", "add", "0171 555", "role=admin")
    check(rc != 0 and "country_code" in err, "national number without a country code refused")
    D.ctl("settings", "set", "auth.country_code", "49")
    rc, out, err = D.ctl("phonebook", "add", "5", "0171 555", "role=admin",
                         "password=not-required", "call=hangup-reply")
    check(rc == 0 and "5: +49171555" in out and "role=admin" in out
          and "password=not-required" in out and "call=hangup-reply" in out,
          "add at a position with fields")
    lst = D.ctl_json("phonebook", "list")
    check([e["pos"] for e in lst] == [1, 5] and lst[1]["number"] == "+49171555",
          "list in position order")
    rc, out, err = D.ctl("phonebook", "set", "1", "role=superadmin", "alarm_call=on")
    check(rc == 0 and "role=superadmin" in out and "alarm_call=on" in out, "set fields")
    for args, words in ((("add", "1", "+4930111"), "taken"),
                        (("set", "3", "role=admin"), "empty"),
                        (("set", "1", "role=god"), "role must be"),
                        (("set", "1", "call=answer"), "call must be"),
                        (("set", "1", "colour=red"), "unknown field"),
                        (("set", "99", "role=user"), "position must be 1..8"),
                        (("add", "+49abc"), "not a phone number"),
                        (("del", "4"), "empty")):
        rc, out, err = D.ctl("phonebook", *args)
        check(rc != 0 and words in err, "refused %s: %s" % (" ".join(args), err.strip()))
    check(D.ctl_json("phonebook", "list")[0]["role"] == "superadmin",
          "refused changes changed nothing")
    rc, out = D.at("AT+NUM?")
    check(rc == 0 and "+NUM:1,+391234567,superadmin,Anna" in out
          and "+NUM:5,+49171555,admin" in out, "AT+NUM? lists the same")
    rc, out = D.at("AT+NUM=2,+44123")
    check(rc == 0 and any(e["pos"] == 2 for e in D.ctl_json("phonebook", "list")),
          "AT+NUM=pos,number stores")
    D.stop()
    D.start()
    check(len(D.ctl_json("phonebook", "list")) == 3, "phonebook survives a restart")
    rc, out, err = D.ctl("phonebook", "del", "2")
    check(rc == 0 and len(D.ctl_json("phonebook", "list")) == 2, "del")


def test_passwords_never_readable():
    rc, out = D.at("AT+CMDPW=abcd1234")
    check(rc == 0, "AT+CMDPW sets the admin password")
    rc, out = D.at("AT+CMDPW?")
    check(rc != 0 and "abcd1234" not in out, "AT+CMDPW? is refused, never echoed")
    check("abcd1234" not in D.read_log(), "password not in the log")


if __name__ == "__main__":
    D = Daemon()
    D.start()
    try:
        run_tests(test_add_list_set_del, test_passwords_never_readable)
    finally:
        D.cleanup()
