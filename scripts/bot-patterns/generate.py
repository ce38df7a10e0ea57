"""Turns the crawler-user-agents list and our own patterns into the bot matcher's tables.

Run by scripts/update-bot-patterns, which installs the pinned packages into a virtual environment first.
Writes:
  Sources/BotDetection/BotPatternTables.swift       the automaton and the rules, as static strings
  Tests/BotPatternData/crawler-user-agents.tsv      every example instance of the list, for the tests
  Tests/BotPatternData/browsers.txt                 fake-useragent's browser user agents (the negative set)
  Tests/BotPatternData/device-detector-browsers.txt the browsers of Matomo Device Detector's test fixtures
                                                    (the broad negative set: old and feature phones, TVs, ...)
and prints recall and false positives.

How the matcher works (the Swift side is Sources/BotDetection/BotMatcher.swift):
- Every pattern is a regular expression in a small subset. Groups and alternations are multiplied out, so
  a pattern becomes a few alternatives, each a flat sequence of character sets with `?`, `*` or `+`, and
  optionally `^` first and `$` last. Matching is ASCII case-insensitive.
- Each alternative has a key: its longest run of plain characters. An alternative that is nothing but its
  key (anchors aside) is a literal, checked by comparing bytes; the rest (a handful) are run by a small
  backtracking matcher, only when their key was found.
- From each key a fragment of at most FRAGMENT_LENGTH bytes is taken (the one rarest in browser agents, so
  browsers rarely cause a verification), and all fragments are compiled into one Aho-Corasick automaton,
  written out as a full transition table over an alphabet of byte classes. Matching is one table lookup per
  byte of the user agent, whatever the number of patterns; a state that ends a fragment lists the
  alternatives to verify at that position.
- When several rules match: our `first` rules win over the list, the list over our `last` rules; within
  those, the match whose key starts leftmost, then the rule that comes first.
"""

import importlib.metadata
import json
import os
import random
import re
import sys

FRAGMENT_LENGTH = 6
DIGITS = 91
DIGIT0 = 0x24  # '$' .. '~': no '"' and no '#', so a raw string literal `#"..."#` holds any sequence of digits
UNBOUNDED = 90

CATEGORY_ORDER = ["crawler", "preview", "monitor", "ai", "library", "scanner", "feed", "other"]
# The list's tags, most telling first: an entry with two tags gets the first of this order.
TAG_CATEGORY = [
    ("ai-crawler", "ai"),
    ("social-preview", "preview"),
    ("feed-reader", "feed"),
    ("monitoring", "monitor"),
    ("scanner", "scanner"),
    ("http-library", "library"),
    ("browser-automation", "library"),
    ("search-engine", "crawler"),
    ("seo", "crawler"),
    ("advertising", "crawler"),
    ("archiver", "crawler"),
    ("academic", "crawler"),
]


class PatternError(Exception):
    pass


def lower(b):
    return b | 0x20 if 0x41 <= b <= 0x5A else b


def fold(chars):
    """The set of bytes a case-insensitive match of any of `chars` accepts."""
    out = set()
    for b in chars:
        out.add(b)
        if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A:
            out.add(b ^ 0x20)
    return frozenset(out)


ALL = frozenset(range(256))
DIGIT_SET = frozenset(range(0x30, 0x3A))
SPACE_SET = frozenset(b" \t\n\r\f\v")
WORD_SET = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class Parser:
    """Recursive descent over the regex subset; the result is a list of alternatives of items."""

    def __init__(self, text):
        self.text = text
        self.i = 0

    def fail(self, message):
        raise PatternError(f"{message} at offset {self.i} in {self.text!r}")

    def peek(self):
        return self.text[self.i] if self.i < len(self.text) else None

    def parse(self):
        alternatives = self.alternation()
        if self.i != len(self.text):
            self.fail("unbalanced )")
        return alternatives

    def alternation(self):
        alternatives = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            alternatives.append(self.sequence())
        return alternatives

    def sequence(self):
        items = []
        while self.peek() is not None and self.peek() not in "|)":
            c = self.peek()
            if c == "^":
                self.i += 1
                items.append(("bol",))
                continue
            if c == "$":
                self.i += 1
                items.append(("eol",))
                continue
            if c == "(":
                self.i += 1
                if self.text.startswith("?:", self.i):
                    self.i += 2
                elif self.peek() == "?":
                    self.fail("lookaround is not supported")
                inner = self.alternation()
                if self.peek() != ")":
                    self.fail("missing )")
                self.i += 1
                item = ("group", inner)
            elif c == "[":
                item = ("set", self.char_class())
            elif c == "\\":
                item = ("set", self.escape())
            elif c == ".":
                self.i += 1
                item = ("set", ALL - {0x0A})
            elif c in "*+?{":
                self.fail("quantifier without anything to repeat")
            else:
                self.i += 1
                item = ("set", fold(c.encode()))
            q = self.peek()
            if q in ("*", "+", "?"):
                self.i += 1
                if self.peek() in ("?", "+"):
                    self.fail("lazy and possessive quantifiers are not supported")
                low, high = {"*": (0, UNBOUNDED), "+": (1, UNBOUNDED), "?": (0, 1)}[q]
                if item[0] == "group":
                    if q != "?":
                        self.fail("only ? may follow a group")
                    item = ("group", item[1] + [[]])
                else:
                    item = ("token", item[1], low, high)
            elif q == "{":
                self.fail("counted repetition is not supported")
            elif item[0] == "set":
                item = ("token", item[1], 1, 1)
            items.append(item)
        return items

    def escape(self):
        self.i += 1
        c = self.peek()
        if c is None:
            self.fail("pattern ends in \\")
        self.i += 1
        if c == "d":
            return DIGIT_SET
        if c == "s":
            return SPACE_SET
        if c == "S":
            return ALL - SPACE_SET
        if c == "w":
            return WORD_SET
        if c == "W":
            return ALL - WORD_SET
        if c.isalnum():
            self.fail(f"escape \\{c} is not supported")
        return fold(c.encode())

    def char_class(self):
        self.i += 1
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        members = set()
        first = True
        while True:
            c = self.peek()
            if c is None:
                self.fail("missing ]")
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "\\":
                members |= self.escape()
                continue
            self.i += 1
            if self.peek() == "-" and self.i + 1 < len(self.text) and self.text[self.i + 1] != "]":
                self.i += 1
                end = self.peek()
                self.i += 1
                members |= set(range(ord(c), ord(end) + 1))
            else:
                members |= set(c.encode())
        members = fold(members)
        return frozenset(ALL - members) if negated else members


def expand(alternatives):
    """Multiplies groups out: the flat sequences of tokens and anchors a pattern stands for."""
    out = []
    for items in alternatives:
        seqs = [[]]
        for item in items:
            if item[0] == "group":
                inner = expand(item[1])
                seqs = [s + t for s in seqs for t in inner]
            else:
                seqs = [s + [item] for s in seqs]
        out.extend(seqs)
    if len(out) > 64:
        raise PatternError("a pattern multiplies out to more than 64 alternatives")
    return out


def single_char(token):
    """The lowercase byte a (1,1) token stands for, or None when it accepts more than one letter."""
    if token[0] != "token" or token[2] != 1 or token[3] != 1:
        return None
    chars = token[1]
    lows = {lower(b) for b in chars}
    if len(lows) == 1 and fold(lows) == chars:
        return next(iter(lows))
    return None


class Alternative:
    def __init__(self, rule, seq, source):
        self.rule = rule
        self.bol = False
        self.eol = False
        if seq and seq[0] == ("bol",):
            self.bol = True
            seq = seq[1:]
        if seq and seq[-1] == ("eol",):
            self.eol = True
            seq = seq[:-1]
        if any(item[0] in ("bol", "eol") for item in seq):
            raise PatternError(f"^ and $ only at the start and end of an alternative in {source!r}")
        self.tokens = seq
        chars = [single_char(t) for t in seq]
        # The key: the longest run of plain characters.
        best, start = (0, 0), None
        for i, c in enumerate(chars + [None]):
            if c is not None and start is None:
                start = i
            if c is None and start is not None:
                if i - start > best[1] - best[0]:
                    best = (start, i)
                start = None
        if best[1] - best[0] < 2 and not (best[1] - best[0] == len(seq) and len(seq) > 0):
            raise PatternError(f"an alternative of {source!r} has no literal part of two characters or more")
        self.key = bytes(chars[best[0]:best[1]])
        self.key_from = best[0]
        self.is_literal = best == (0, len(seq))
        self.fragment_end = None
        self.fragment = None

    def choose_fragment(self, background_counts):
        key = self.key
        width = min(len(key), FRAGMENT_LENGTH)
        options = [(background_counts(key[s:s + width]), -s, s) for s in range(len(key) - width + 1)]
        _, _, s = min(options)
        self.fragment = key[s:s + width]
        self.fragment_end = s + width  # in the key

    def matches(self, data, low):
        """Reference semantics, for the generator's own checks: search anywhere in `data` (bytes, and lowered)."""
        if self.is_literal:
            if self.bol:
                return low.startswith(self.key) and (not self.eol or len(low) == len(self.key))
            if self.eol:
                return low.endswith(self.key)
            return self.key in low
        if self.key not in low:
            return False
        starts = [0] if self.bol else range(len(data) + 1)
        return any(match_tokens(self.tokens, 0, data, s, self.eol) for s in starts)


def holds_at(a, data, low, p):
    """Whether alternative `a` matches with its key starting at byte `p`."""
    if low[p:p + len(a.key)] != a.key:
        return False
    if a.is_literal:
        return (not a.bol or p == 0) and (not a.eol or p + len(a.key) == len(low))
    return (match_tokens(a.tokens, a.key_from, data, p, a.eol)
            and match_backward(a.tokens, a.key_from - 1, data, p, a.bol))


def leftmost(a, data, low):
    """Where the key of the leftmost match of `a` starts, or None."""
    p = low.find(a.key)
    while p >= 0:
        if holds_at(a, data, low, p):
            return p
        p = low.find(a.key, p + 1)
    return None


def match_backward(tokens, t, data, i, bol):
    """Tokens `...t` match leftwards, ending just before byte `i`."""
    if t < 0:
        return not bol or i == 0
    _, chars, low, high = tokens[t]
    n = 0
    while n < high and i - n > 0 and data[i - n - 1] in chars:
        n += 1
    while n >= low:
        if match_backward(tokens, t - 1, data, i - n, bol):
            return True
        n -= 1
    return False


def match_tokens(tokens, t, data, i, eol):
    if t == len(tokens):
        return not eol or i == len(data)
    _, chars, low, high = tokens[t]
    n = 0
    while n < high and i + n < len(data) and data[i + n] in chars:
        n += 1
    while n >= low:
        if match_tokens(tokens, t + 1, data, i + n, eol):
            return True
        n -= 1
    return False


class Rule:
    def __init__(self, pattern, label, category, origin):
        self.pattern = pattern
        self.label = label
        self.category = category
        self.origin = origin
        self.regex = re.compile(pattern, re.IGNORECASE)
        self.alternatives = [Alternative(self, seq, pattern) for seq in expand(Parser(pattern).parse())]

    def matches(self, data, low=None):
        if low is None:
            low = data.lower()
        return any(a.matches(data, low) for a in self.alternatives)


def label_for(rule):
    """The plain characters of the rule's first alternative, e.g. `ahrefsbot` for `Ahrefs(Bot|SiteAudit)`."""
    chars = [single_char(t) for t in rule.alternatives[0].tokens]
    text = "".join(chr(c) if c is not None else " " for c in chars)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:40] or "bot"


def category_for(tags):
    for tag, category in TAG_CATEGORY:
        if tag in tags:
            return category
    return "crawler"


def read_own(path):
    """Our rules (`first`, `last`) and our changes to the list's (`bound`: pattern → narrower one, `drop`)."""
    first, last, bound, dropped = [], [], {}, set()
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if parts[0] == "bound" and len(parts) == 3:
            Rule(parts[2], "", "crawler", f"own:{number}")  # fails here on a pattern outside the subset
            bound[parts[1]] = (parts[2], number)
            continue
        if parts[0] == "drop" and len(parts) == 2:
            dropped.add(parts[1])
            continue
        if len(parts) != 4 or parts[0] not in ("first", "last") or parts[3] not in CATEGORY_ORDER:
            raise PatternError(f"{path}:{number}: expected place, pattern, label, category separated by tabs "
                               "(or `bound`, the list's pattern, ours; or `drop`, the list's pattern)")
        rule = Rule(parts[1], parts[2], parts[3], f"own:{number}")
        (first if parts[0] == "first" else last).append(rule)
    return first, last, bound, dropped


def list_rules(entries, bound, dropped):
    """The list's rules, as the list means them: a pattern `bound` in own-patterns.tsv is replaced by ours, a
    dropped one left out. A bound pattern must still match every instance the list gives for it."""
    known = {entry["pattern"] for entry in entries}
    for pattern in list(bound) + sorted(dropped):
        if pattern not in known:
            raise PatternError(f"own-patterns.tsv names {pattern!r}, which is not a pattern of the list")
    listed = []
    for index, entry in enumerate(entries):
        if entry["pattern"] in dropped:
            continue
        original = Rule(entry["pattern"], "", category_for(entry.get("tags", [])), f"list:{index}")
        rule = original
        if entry["pattern"] in bound:
            pattern, number = bound[entry["pattern"]]
            rule = Rule(pattern, "", original.category, f"list:{index} bound by own:{number}")
            lost = [s for s in entry["instances"] if not rule.regex.search(s)]
            if lost:
                raise PatternError(f"own-patterns.tsv:{number}: {pattern!r} misses instances of the list's "
                                   f"{entry['pattern']!r}: {lost}")
        # The label stays the list's, so that a bounded pattern names its agent as before.
        rule.label = label_for(original)
        listed.append(rule)
    return listed


class Automaton:
    """Aho-Corasick over the fragments, as a complete table over byte classes."""

    def __init__(self, fragments):
        alphabet = sorted({b for f in fragments for b in f})
        # Class 0: every byte no fragment has. Upper-case letters share their lower-case letter's class.
        self.byte_class = [0] * 256
        for index, b in enumerate(alphabet, 1):
            for v in fold([b]):
                self.byte_class[v] = index
        self.classes = len(alphabet) + 1
        goto = [{}]
        ends = [set()]
        depth = [0]
        for f in fragments:
            s = 0
            for b in f:
                c = self.byte_class[b]
                if c not in goto[s]:
                    goto.append({})
                    ends.append(set())
                    depth.append(depth[s] + 1)
                    goto[s][c] = len(goto) - 1
                s = goto[s][c]
            ends[s].add(f)
        fail = [0] * len(goto)
        order = []
        queue = [0]
        delta = [[0] * self.classes for _ in goto]
        while queue:
            s = queue.pop(0)
            order.append(s)
            for c in range(self.classes):
                if c in goto[s]:
                    t = goto[s][c]
                    fail[t] = delta[fail[s]][c] if s != 0 else 0
                    ends[t] |= ends[fail[t]]
                    delta[s][c] = t
                    queue.append(t)
                else:
                    delta[s][c] = delta[fail[s]][c] if s != 0 else 0
        # Number the states so that every state that ends a fragment comes after all that do not: the
        # matcher then tells them apart with one comparison.
        plain = [s for s in order if not ends[s]]
        accepting = [s for s in order if ends[s]]
        number = {s: i for i, s in enumerate(plain + accepting)}
        self.first_accepting = len(plain)
        self.count = len(goto)
        self.delta = [[number[delta[s][c]] for c in range(self.classes)] for s in plain + accepting]
        self.ends = [sorted(ends[s]) for s in accepting]

    def run(self, data):
        """(position after the byte, fragments ending there) for every hit; the generator's own check."""
        s = 0
        hits = []
        for i, b in enumerate(data):
            s = self.delta[s][self.byte_class[b]]
            if s >= self.first_accepting:
                hits.append((i + 1, self.ends[s - self.first_accepting]))
        return hits


def digits(value, width):
    if not 0 <= value < DIGITS ** width:
        raise PatternError(f"{value} does not fit in {width} base-{DIGITS} digits")
    out = []
    for _ in range(width):
        out.append(chr(DIGIT0 + value % DIGITS))
        value //= DIGITS
    return "".join(reversed(out))


def swift_string(text, indent="    "):
    """A raw static string literal, cut into lines of up to 110 characters with `\\` line continuations."""
    if '"#' in text or "\n" in text:
        raise PatternError("table text would end the raw string literal")
    width = 110
    chunks = [text[i:i + width] for i in range(0, len(text), width)] or [""]
    body = "\\#\n".join(chunks)
    return '#"""\n' + body + '\n"""#'


# Fixtures of device-detector whose entries are devices a person holds: the browsers there, and the in-app web
# views (client type `mobile app`, agent of a web view), are people's. bots.yml and the fixtures of feed readers,
# media players, podcast and other apps are not read.
DEVICE_FIXTURES = ("camera", "car_browser", "clienthints", "console", "desktop", "feature_phone", "peripheral",
                   "phablet", "portable_media_player", "smart_display", "smart_speaker", "smartphone", "tablet", "tv",
                   "unknown", "wearable")


def device_detector_browsers():
    """The user agents of people's browsers in device-detector's fixtures (a Python port of Matomo's Device
    Detector, whose fixtures it ships): each entry says its client type, and bots are in bots.yml apart."""
    import importlib.util
    import yaml

    # Found, not imported: the package's own dependencies are not installed.
    package = importlib.util.find_spec("device_detector").submodule_search_locations[0]
    folder = os.path.join(package, "tests", "fixtures", "upstream")
    agents = set()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yml") or re.sub(r"(-\d+)?\.yml$", "", name) not in DEVICE_FIXTURES:
            continue
        for entry in yaml.safe_load(open(os.path.join(folder, name), encoding="utf-8")):
            client = entry.get("client") if isinstance(entry.get("client"), dict) else {}
            agent = str(entry.get("user_agent") or "")
            if "bot" in entry or not agent.strip() or "\n" in agent:
                continue
            webview = client.get("type") == "mobile app" and agent.startswith("Mozilla/")
            if client.get("type") == "browser" or webview:
                agents.add(agent)
    return sorted(agents)


def main():
    root = sys.argv[1]
    data_root = os.path.join(root, "Tests", "BotPatternData")
    import crawleruseragents
    import fake_useragent

    list_version = importlib.metadata.version("crawler-user-agents")
    fua_version = importlib.metadata.version("fake-useragent")
    dd_version = importlib.metadata.version("device-detector")
    people = device_detector_browsers()
    list_path = os.path.join(os.path.dirname(crawleruseragents.__file__), "crawler-user-agents.json")
    entries = json.load(open(list_path, encoding="utf-8"))
    browsers_path = os.path.join(os.path.dirname(fake_useragent.__file__), "data", "browsers.jsonl")
    browser_rows = [json.loads(line)["useragent"] for line in open(browsers_path, encoding="utf-8")]
    browsers = sorted(set(browser_rows))

    first, last, bound, dropped = read_own(os.path.join(root, "scripts", "bot-patterns", "own-patterns.tsv"))
    listed = list_rules(entries, bound, dropped)
    rules = first + listed + last

    # Fragments are chosen to be rare in browsers, so that a browser's agent rarely needs a verification.
    lowered_browsers = [b.lower().encode() for b in browsers]
    cache = {}

    def background(fragment):
        if fragment not in cache:
            cache[fragment] = sum(b.count(fragment) for b in lowered_browsers)
        return cache[fragment]

    alternatives = [a for r in rules for a in r.alternatives]
    for a in alternatives:
        a.choose_fragment(background)
    fragments = sorted({a.fragment for a in alternatives})
    automaton = Automaton(fragments)

    # Check the translation against Python's own regular expressions, on everything at hand.
    instances = [(i, s) for i, e in enumerate(entries) for s in e["instances"]]
    rng = random.Random(13)
    probes = [s for _, s in instances] + browsers + people
    for r in rules:
        for a in r.alternatives:
            host = rng.choice(browsers)
            cut = rng.randrange(len(host) + 1)
            key = a.key.decode()
            probes += [key, key.upper(), host[:cut] + key + host[cut:], host[:cut] + key.title() + "-" + host[cut:]]
    for probe in probes:
        data = probe.encode()
        low = data.lower()
        for r in rules:
            if r.regex is not None and bool(r.regex.search(probe)) != r.matches(data, low):
                raise PatternError(f"translation of {r.pattern!r} ({r.origin}) disagrees with Python on {probe!r}")
    # And the automaton against the alternatives it stands for.
    by_fragment = {}
    for n, a in enumerate(alternatives):
        by_fragment.setdefault(a.fragment, []).append(n)

    rank = {id(r): i for i, r in enumerate(rules)}

    # When several rules match: our first rules, then the list, then our last rules; within each, the match
    # that starts leftmost (an agent names itself first: "Feedly/1.0 (...; like FeedFetcher-Google)"), then
    # the rule that comes first.
    tier = {id(r): (0 if r in first else 1 if r in listed else 2) for r in rules}

    def score(a, p):
        return (tier[id(a.rule)], p, rank[id(a.rule)])

    def classify(data):
        low = data.lower()
        best = None
        for end, ended in automaton.run(data):
            for f in ended:
                for n in by_fragment[f]:
                    a = alternatives[n]
                    start = end - a.fragment_end
                    if start >= 0 and holds_at(a, data, low, start) and (best is None or score(a, start) < best):
                        best = score(a, start)
        return rules[best[2]] if best else None

    def reference(data):
        low = data.lower()
        found = [score(a, p) for a in alternatives for p in [leftmost(a, data, low)] if p is not None]
        return rules[min(found)[2]] if found else None

    for probe in probes:
        data = probe.encode()
        if classify(data) is not reference(data):
            raise PatternError(f"automaton disagrees with the rules on {probe!r}")

    write_swift(root, rules, alternatives, automaton, list_version, len(first), len(first) + len(listed))
    os.makedirs(data_root, exist_ok=True)
    with open(os.path.join(data_root, "crawler-user-agents.tsv"), "w", encoding="utf-8") as out:
        out.write(f"# Example instances of crawler-user-agents {list_version} (MIT licence, see "
                  "LICENSE-crawler-user-agents): list index, pattern, instance.\n")
        for i, s in instances:
            out.write(f"{i}\t{entries[i]['pattern']}\t{s}\n")
    with open(os.path.join(data_root, "browsers.txt"), "w", encoding="utf-8") as out:
        out.write(f"# Browser user agents of fake-useragent {fua_version} (Apache-2.0 licence, see "
                  "LICENSE-fake-useragent), one per line, each once.\n")
        for b in browsers:
            out.write(b + "\n")

    with open(os.path.join(data_root, "device-detector-browsers.txt"), "w", encoding="utf-8") as out:
        out.write(f"# People's browsers (and in-app web views) in the test fixtures of device-detector {dd_version} "
                  "(Matomo Device Detector's fixtures; LGPL-3.0-or-later, see LICENSE-device-detector), one per "
                  "line, each once.\n")
        for agent in people:
            out.write(agent + "\n")

    # The figures.
    kept = [(i, s) for i, s in instances if entries[i]["pattern"] not in dropped]
    flagged = sum(1 for _, s in kept if classify(s.encode()))

    def own_only(rules, s):
        return any(r.matches(s) for r in rules)

    generic_only = sum(1 for _, s in instances if own_only(first + last, s.encode()))
    own_last_only = sum(1 for _, s in instances if own_only(last, s.encode()))
    false_unique = [b for b in browsers if classify(b.encode())]
    false_rows = sum(1 for b in browser_rows if classify(b.encode()))
    print(f"crawler-user-agents {list_version}: {len(entries)} patterns, {len(instances)} instances")
    print(f"rules: {len(first)} own first + {len(listed)} list ({len(bound)} bound, {len(dropped)} dropped) + "
          f"{len(last)} own last = {len(rules)}; "
          f"{len(alternatives)} alternatives ({sum(not a.is_literal for a in alternatives)} need the regex "
          f"matcher), {len(fragments)} fragments")
    print(f"automaton: {automaton.count} states x {automaton.classes} byte classes")
    print(f"recall on the list's instances, less the {len(instances) - len(kept)} of dropped patterns: "
          f"{flagged}/{len(kept)} = {flagged / len(kept):.4f}")
    for i, s in instances:
        if entries[i]["pattern"] in dropped:
            flag = classify(s.encode())
            print(f"  instance of dropped {entries[i]['pattern']}: {flag.label if flag else 'not flagged'}: {s}")
    print(f"  by our own rules alone (no list): {generic_only / len(instances):.4f}; "
          f"by our generic `last` rules alone: {own_last_only / len(instances):.4f}")
    print(f"false positives on fake-useragent {fua_version}: {len(false_unique)}/{len(browsers)} distinct agents, "
          f"{false_rows}/{len(browser_rows)} rows")
    for b in false_unique:
        print(f"  flagged browser: {classify(b.encode()).label}: {b}")
    flagged_people = [p for p in people if classify(p.encode())]
    print(f"flagged on device-detector {dd_version}'s browsers: {len(flagged_people)}/{len(people)} = "
          f"{len(flagged_people) / len(people):.4%}")
    for p in flagged_people:
        print(f"  flagged browser: {classify(p.encode()).label}: {p}")


def write_swift(root, rules, alternatives, automaton, list_version, list_start, last_start):
    label_text = ""
    rule_table = ""
    for r in rules:
        rule_table += digits(len(label_text), 3) + digits(CATEGORY_ORDER.index(r.category), 1)
        label_text += r.label
    rule_table += digits(len(label_text), 3) + digits(0, 1)

    sets = []
    literal_text = ""
    alt_text = ""
    alt_starts = ""
    rule_index = {id(r): i for i, r in enumerate(rules)}
    for a in alternatives:
        alt_starts += digits(len(alt_text), 3)
        flags = (1 if a.bol else 0) | (2 if a.eol else 0) | (0 if a.is_literal else 4)
        alt_text += digits(rule_index[id(a.rule)], 2) + digits(flags, 1)
        if a.is_literal:
            alt_text += digits(len(a.key), 1) + digits(len(literal_text), 3)
            literal_text += a.key.decode("ascii")
        else:
            alt_text += digits(a.key_from, 1) + digits(len(a.key), 1) + digits(len(a.tokens), 1)
            for _, chars, low, high in a.tokens:
                if chars not in sets:
                    sets.append(chars)
                alt_text += digits(sets.index(chars), 2) + digits(low, 1) + digits(high, 1)
    alt_starts += digits(len(alt_text), 3)
    set_text = "".join("".join("1" if b in s else "0" for b in range(256)) for s in sets)

    index_of = {id(a): n for n, a in enumerate(alternatives)}
    by_fragment = {}
    for a in alternatives:
        by_fragment.setdefault(a.fragment, []).append(a)
    candidate_text = ""
    candidate_starts = ""
    for ended in automaton.ends:
        candidate_starts += digits(len(candidate_text) // 3, 3)
        found = sorted((a for f in ended for a in by_fragment[f]), key=lambda a: index_of[id(a)])
        for a in found:
            # How far back from the end of the fragment the key starts.
            candidate_text += digits(index_of[id(a)], 2) + digits(a.fragment_end, 1)
    candidate_starts += digits(len(candidate_text) // 3, 3)

    transitions = "".join(digits(t, 2) for row in automaton.delta for t in row)
    class_text = "".join(digits(c, 1) for c in automaton.byte_class)

    out = []
    out.append("// Generated by scripts/update-bot-patterns from crawler-user-agents "
               f"{list_version} (https://github.com/monperrus/crawler-user-agents, MIT licence, "
               "Copyright (c) 2017 Martin Monperrus) and scripts/bot-patterns/own-patterns.tsv. Do not edit.")
    out.append("// swift-format-ignore-file")
    out.append("")
    out.append("/// The tables of ``BotMatcher``, made by `scripts/update-bot-patterns`.")
    out.append("///")
    out.append("/// Numbers are base-91 digits (`$` is 0, `~` is 90), most significant first, so that every table is a")
    out.append("/// static string: its bytes are part of the binary, nothing is built when a process starts. Computed")
    out.append("/// properties, so that the compiler sees every number as a constant and every table as an address.")
    out.append("enum BotPatternTables {")
    out.append(f'    static var listVersion: String {{ "{list_version}" }}')
    out.append(f"    static var ruleCount: Int {{ {len(rules)} }}")
    out.append(f"    static var alternativeCount: Int {{ {len(alternatives)} }}")
    out.append("    /// Rules before this one are our own `first` rules; from ``lastRulesStart`` on, our `last` rules.")
    out.append(f"    static var listRulesStart: Int {{ {list_start} }}")
    out.append(f"    static var lastRulesStart: Int {{ {last_start} }}")
    out.append(f"    static var stateCount: Int {{ {automaton.count} }}")
    out.append(f"    static var classCount: Int {{ {automaton.classes} }}")
    out.append(f"    /// States from this one on end at least one fragment.")
    out.append(f"    static var firstAcceptingState: Int {{ {automaton.first_accepting} }}")
    out.append("    /// Per rule: where its label starts in ``labels`` (3 digits) and its category (1 digit, the order")
    out.append("    /// of ``BotCategory/allCases``); one more entry ends the last label.")
    out.append(f"    static var rules: StaticString {{ {swift_string(rule_table)} }}")
    out.append("    static var labels: StaticString { " + swift_string(label_text) + " }")
    out.append("    /// Per byte: its class (1 digit); upper-case letters share the lower-case letter's class.")
    out.append(f"    static var byteClasses: StaticString {{ {swift_string(class_text)} }}")
    out.append("    /// Per state, per class: the next state (2 digits).")
    out.append(f"    static var transitions: StaticString {{ {swift_string(transitions)} }}")
    out.append("    /// Per accepting state: where its candidates start (3 digits, in candidates); one more ends the last.")
    out.append(f"    static var candidateStarts: StaticString {{ {swift_string(candidate_starts)} }}")
    out.append("    /// Candidates: an alternative (2 digits) and where its fragment ends in its key (1 digit).")
    out.append(f"    static var candidates: StaticString {{ {swift_string(candidate_text)} }}")
    out.append("    /// Per alternative: where it starts in ``alternatives`` (3 digits); one more ends the last.")
    out.append(f"    static var alternativeStarts: StaticString {{ {swift_string(alt_starts)} }}")
    out.append("    /// Alternatives: rule (2 digits), flags (1 digit: 1 `^`, 2 `$`, 4 regex), then for a literal its")
    out.append("    /// length (1 digit) and start in ``literals`` (3 digits); for a regex the token its key starts at, the")
    out.append("    /// key's length, the token count (1 digit each), then per token a set (2 digits), a minimum and a")
    out.append("    /// maximum count (1 digit each; 90 is unbounded).")
    out.append(f"    static var alternatives: StaticString {{ {swift_string(alt_text)} }}")
    out.append("    /// The literals' lower-case bytes, one after another.")
    out.append(f"    static var literals: StaticString {{ {swift_string(literal_text)} }}")
    out.append("    /// Character sets of the regex tokens: 256 characters each, `1` where the byte belongs.")
    out.append(f"    static var sets: StaticString {{ {swift_string(set_text)} }}")
    out.append("}")
    out.append("")
    path = os.path.join(root, "Sources", "BotDetection", "BotPatternTables.swift")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    try:
        main()
    except PatternError as error:
        print(f"update-bot-patterns: {error}", file=sys.stderr)
        sys.exit(1)
