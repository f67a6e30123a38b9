"""test_docs.py: the man pages keep up with the registries.

Starts the real cellgated with a scratch config and asks it what exists:
every setting (`cellgatectl --json settings list`: canonical name and USR
alias), every command (`cellgatectl at AT+H`: the line +H:commands:)
and every cellgatectl subcommand (`cellgatectl --help`).  Then checks:

- each setting has an entry in man/cellgate.conf.5: a tag line (the line
  after .TP) naming the canonical name and, when it has one, AT+ALIAS;
- each command has an entry in man/cellgate-sms.7: a tag line naming
  AT+NAME;
- each subcommand of `cellgatectl --help` appears in man/cellgatectl.1;
- no command cellgate-sms(7) documents (a .TP entry under COMMANDS, an
  AT+ command in EXAMPLES) answers "unknown command" on the running
  daemon, and the page shows no "unknown command NAME" for a NAME the
  daemon knows (an example gone stale);
- no page or the sample config suggests a program run through sudo (the
  unit sets NoNewPrivileges=yes).

A setting, command or subcommand added without documentation fails here,
with the name and the page to edit.
"""
import os
import re
import subprocess

from cgtest import CELLGATECTL, SRCDIR, Daemon, check, run_tests

MAN = os.path.join(SRCDIR, "man")
NAMECHARS = "A-Za-z0-9_."


def man_text(page):
    """The page's roff source with font escapes and markup removed."""
    with open(os.path.join(MAN, page), encoding="utf-8") as f:
        src = f.read()
    src = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", src)
    src = src.replace("\\&", "").replace("\\-", "-").replace("\\e", "\\")
    src = src.replace("\\(aq", "'").replace("\\ ", " ").replace("\\~", " ")
    return src


def tag_lines(text):
    """The tag lines of .TP paragraphs (macros and quotes stripped)."""
    tags = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith(".TP"):
            continue
        j = i + 1
        while j < len(lines) and lines[j].startswith(('.\\"', "'\\\"")):
            j += 1
        if j < len(lines):
            tag = re.sub(r"^\.(B|I|BR|RB|BI|IB|IR|RI)\s+", "", lines[j])
            tags.append(tag.replace('"', ""))
    return tags


def mentions(text, word):
    """word occurs in text, not as part of a longer name."""
    pat = r"(?<![%s])%s(?![A-Za-z0-9_]|\.[A-Za-z0-9_])" % (
        NAMECHARS, re.escape(word))
    return re.search(pat, text, re.IGNORECASE) is not None


def start():
    d = Daemon()
    d.start()
    return d


def test_settings_documented():
    d = start()
    try:
        settings = d.ctl_json("settings", "list")
    finally:
        d.cleanup()
    check(isinstance(settings, list) and len(settings) > 0,
          "settings list returns settings")
    tags = tag_lines(man_text("cellgate.conf.5"))
    for s in settings:
        name, alias = s["name"], s.get("alias")
        entry = [t for t in tags if mentions(t, name)]
        check(len(entry) > 0, "setting %s has an entry (.TP) in "
              "man/cellgate.conf.5" % name)
        if alias:
            check(any(mentions(t, "AT+" + alias) for t in entry),
                  "setting %s: its entry in man/cellgate.conf.5 names "
                  "AT+%s" % (name, alias))


def test_commands_documented():
    d = start()
    try:
        settings = d.ctl_json("settings", "list")
        rc, reply = d.at("AT+H")
    finally:
        d.cleanup()
    check(rc == 0 and reply.endswith("OK"), "AT+H succeeds")
    setting_names = set()
    for s in settings:
        setting_names.add(s["name"].upper())
        if s.get("alias"):
            setting_names.add(s["alias"].upper())
    commands = []
    for line in reply.split("\n"):
        if line.startswith("+H:commands:"):
            commands += [c for c in line.split(":", 2)[2].split()
                         if c.upper() not in setting_names]
    check(len(commands) > 0, "AT+H lists commands besides settings")
    tags = tag_lines(man_text("cellgate-sms.7"))
    for c in commands:
        check(any(mentions(t, "AT+" + c) for t in tags),
              "command AT+%s has an entry (.TP) in man/cellgate-sms.7" % c)


def section(text, name):
    """The lines of one .SH section of a page."""
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH |\Z)" % re.escape(name), text,
                  re.M | re.S)
    return m.group(1) if m else ""


def test_documented_commands_known():
    text = man_text("cellgate-sms.7")
    names = set()
    for tag in tag_lines(section(text, "COMMANDS")):
        names |= set(re.findall(r"AT\+([A-Za-z][A-Za-z0-9_.]*)", tag))
    names |= set(re.findall(r"AT\+([A-Za-z][A-Za-z0-9_.]*)",
                            section(text, "EXAMPLES")))
    names -= {"NAME", "ALIAS", "CMD", "COMMAND"}     # placeholders
    check(len(names) > 30, "commands documented: %d" % len(names))
    d = start()
    try:
        unknown = []
        for n in sorted(names):
            rc, reply = d.at("AT+%s=?" % n)      # =? never runs anything
            if reply.startswith("ERROR: unknown command"):
                unknown.append(n)
        rc, helptext = d.at("AT+H")
    finally:
        d.cleanup()
    check(unknown == [], "every command documented in cellgate-sms.7 is "
          "known to the daemon: unknown %s" % unknown)
    known = set(w.upper() for w in re.findall(r"[A-Za-z0-9_.]+", helptext))
    stale = [n for n in re.findall(r"unknown command ([A-Za-z0-9_.]+)", text)
             if n.upper() in known]
    check(stale == [], "cellgate-sms.7 shows no known command as unknown: "
          "%s" % stale)


def test_cellgatectl_subcommands_documented():
    p = subprocess.run([CELLGATECTL, "--help"], capture_output=True,
                       text=True, timeout=10)
    check(p.returncode == 0, "cellgatectl --help exits 0")
    subs = []
    for line in p.stdout.split("\n"):
        m = re.match(r"  ([a-z][a-z-]*)((?: [a-z][a-z-]*)*)(?:\s|$)", line)
        if m:
            subs.append((m.group(1) + m.group(2)).strip())
    check(len(subs) > 0, "cellgatectl --help lists subcommands")
    text = re.sub(r"\s+", " ", man_text("cellgatectl.1"))
    for s in subs:
        check(mentions(text, s), "cellgatectl %s is described in "
              "man/cellgatectl.1" % s)


def test_pages_have_sections():
    for page, title in (("cellgated.8", "CELLGATED"),
                        ("cellgatectl.1", "CELLGATECTL"),
                        ("cellgate.conf.5", "CELLGATE.CONF"),
                        ("cellgate-sms.7", "CELLGATE-SMS")):
        text = man_text(page)
        check(re.search(r'^\.TH "?%s"? ' % re.escape(title), text,
                        re.MULTILINE) is not None,
              "%s has a .TH %s header" % (page, title))
        for sec in ("NAME", "DESCRIPTION", "SEE ALSO"):
            check(re.search(r'^\.SH "?%s"?$' % sec, text, re.MULTILINE)
                  is not None, "%s has a %s section" % (page, sec))


def test_no_sudo_program_examples():
    """The unit sets NoNewPrivileges=yes: a program setting run through
    sudo (system.reboot_command, modem.power_cycle_command, hooks) cannot
    work, so no page or sample config suggests one."""
    texts = {page: man_text(page) for page in
             ("cellgated.8", "cellgatectl.1", "cellgate.conf.5",
              "cellgate-sms.7")}
    for name in ("etc/cellgate.conf", "README.md"):
        with open(os.path.join(SRCDIR, name), encoding="utf-8") as f:
            texts[name] = f.read()
    for name, text in texts.items():
        check(re.search(r"/sudo\b", text) is None,
              "%s suggests no program run through sudo" % name)


if __name__ == "__main__":
    run_tests(test_settings_documented, test_commands_documented,
              test_documented_commands_known,
              test_cellgatectl_subcommands_documented,
              test_pages_have_sections, test_no_sudo_program_examples)
