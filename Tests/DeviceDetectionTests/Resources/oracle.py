"""The device oracle: for each user agent of the corpus files given as arguments (one agent a line, `#` lines are
comments), prints `OS<TAB>FORM<TAB>KIND<TAB>FAMILY<TAB>AGENT` as ua-parser (the operating system) and user-agents
(the form) see it, in DeviceDetection's names.

OS is one of DeviceOS's names, `none` when ua-parser names a system DeviceOS has no name for (Tizen, KaiOS,
BlackBerry OS, webOS, FreeBSD, ...: the classifier should answer nil), or `-` when ua-parser does not know
("Other"). FORM is `tablet`, `mobile` or `desktop` (user-agents' is_tablet, is_mobile, is_pc, asked in that
order) or `-`. FAMILY is ua-parser's own family name, for the test's messages. KIND is the device type that
device-detector 6.5.1's test fixtures (Matomo's, in the installed package) give the agent (`smartphone`, `tablet`,
`tv`, `console`, `car browser`, ...), or `-` for an agent not in them: user-agents knows no televisions or consoles,
so the test leaves those out of the form comparison.

user-agents 2.2.0 calls ua-parser's legacy `Parse`, which runs Python regular expressions; here it is handed the
same rules' results from ua-parser's default (native, ua-parser-rs) resolver instead, so that 36,000 agents take
seconds, not minutes. The rules and user-agents' own logic are unchanged.
"""

import os
import sys

import device_detector
import ua_parser
import user_agents.parsers

LINUX_FAMILIES = {
    "Linux", "Ubuntu", "Kubuntu", "Xubuntu", "Lubuntu", "Debian", "Fedora", "Red Hat", "CentOS", "SUSE",
    "openSUSE", "Mandriva", "Mageia", "Gentoo", "Slackware", "Arch Linux", "Mint", "Linux Mint", "PCLinuxOS",
    "Puppy", "Knoppix", "Raspbian",
}


def our_os(family):
    if family == "Other":
        return "-"
    if family in ("iOS", "iPadOS"):
        return "ios"
    if family == "Android":
        return "android"
    if family.startswith("Windows"):
        return "windows"
    if family in ("Mac OS X", "macOS", "Mac OS"):
        return "macos"
    if family == "Chrome OS":
        return "chromeos"
    if family in LINUX_FAMILIES:
        return "linux"
    return "none"


def legacy_parse(agent, **_):
    """ua-parser's legacy `Parse` dictionary, from its current resolver."""
    result = ua_parser.parse(agent).with_defaults()
    browser, system, device = result.user_agent, result.os, result.device
    return {
        "string": agent,
        "user_agent": {"family": browser.family, "major": browser.major, "minor": browser.minor,
                       "patch": browser.patch},
        "os": {"family": system.family, "major": system.major, "minor": system.minor, "patch": system.patch,
               "patch_minor": system.patch_minor},
        "device": {"family": device.family, "brand": device.brand, "model": device.model},
    }


class LegacyParser:
    Parse = staticmethod(legacy_parse)


user_agents.parsers.user_agent_parser = LegacyParser


def form(agent):
    parsed = user_agents.parse(agent)
    if parsed.is_tablet:
        return "tablet"
    if parsed.is_mobile:
        return "mobile"
    if parsed.is_pc:
        return "desktop"
    return "-"


def fixture_kinds():
    """Agent -> device type, from device-detector's fixtures (its bots left out)."""
    import yaml_rs  # device-detector's own YAML reader, installed with it

    folder = os.path.join(os.path.dirname(device_detector.__file__), "tests", "fixtures", "upstream")
    kinds = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yml") or name == "bots.yml":
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as fixture:
            for entry in yaml_rs.loads(fixture.read()) or []:
                agent = entry.get("user_agent")
                kind = (entry.get("device") or {}).get("type")
                if agent and kind:
                    kinds.setdefault(agent, kind)
    return kinds


def main():
    kinds = fixture_kinds()
    out = sys.stdout
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as corpus:
            for line in corpus:
                agent = line.rstrip("\n")
                if not agent or agent.startswith("#"):
                    continue
                system = ua_parser.parse_os(agent)
                family = system.family if system else "Other"
                kind = kinds.get(agent, "-")
                out.write(f"{our_os(family)}\t{form(agent)}\t{kind}\t{family}\t{agent}\n")


main()
