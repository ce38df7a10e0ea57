#!/usr/bin/env python3
"""A sample spool for the report page's benchmark and screenshots: N click events on L links over D days up to
now, written as redirectd writes them (one JSON line each, docs/events.md) into per-hour files under ready/, and
the links' redirect files with tags. Seeded: the same arguments give the same events.

    sample_spool.py --spool DIR --redirects DIR [--links 100] [--days 30] [--events 300000] [--sessions 100000]
                    [--seed 1]

The figures are made up but shaped like a campaign's: a few links and referrers lead, most clicks are people,
a fifth are bots of every category, about half carry a valid session; one link in ten has rules and an A/B split.
"""

import argparse
import json
import os
import random
import time

REFERRERS = ["www.google.com", "t.co", "www.facebook.com", "l.instagram.com", "www.linkedin.com",
             "news.ycombinator.com", "www.reddit.com", "duckduckgo.com", "www.bing.com", "mail.google.com",
             "outlook.live.com", "m.youtube.com", "github.com", "medium.com", "substack.com", "www.ecosia.org",
             "search.brave.com", "web.whatsapp.com", "teams.microsoft.com", "app.slack.com", "discord.com",
             "mastodon.social", "bsky.app", "www.threads.net"]
COUNTRIES = ["DE", "US", "GB", "FR", "AT", "CH", "NL", "IT", "ES", "PL", "SE", "DK", "NO", "FI", "BE", "CZ", "PT",
             "IE", "CA", "AU", "JP", "BR", "IN", "MX"]
DEVICES = [("ios", "mobile", 30), ("android", "mobile", 28), ("windows", "desktop", 20), ("macos", "desktop", 10),
           ("linux", "desktop", 3), ("chromeos", "desktop", 1), ("ios", "tablet", 4), ("android", "tablet", 2)]
BOTS = [("googlebot", "crawler", 30), ("bingbot", "crawler", 12), ("slack-preview", "preview", 15),
        ("head-request", "preview", 8), ("uptimerobot", "monitor", 8), ("gptbot", "ai", 6), ("curl", "library", 7),
        ("mimecast", "scanner", 6), ("feedly", "feed", 3), ("no-user-agent", "other", 5)]
WORDS = ["spring", "summer", "autumn", "winter", "sale", "news", "launch", "webinar", "app", "guide", "offer",
         "welcome", "pricing", "docs", "podcast", "event", "survey", "trial", "upgrade", "poster"]
TAGS = ["email", "social", "print", "app", "web", "audio", "campaign:spring", "campaign:summer", "partner"]


def link_ids(count, rng):
    ids = []
    while len(ids) < count:
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        if name not in ids:
            ids.append(name)
    return ids


def zipf_weights(n, s=1.0):
    return [1.0 / (i + 1) ** s for i in range(n)]


def write(spool, redirects, links=100, days=30, events=300_000, sessions=100_000, seed=1):
    rng = random.Random(seed)
    ids = link_ids(links, rng)
    ruled = set(ids[::10])
    os.makedirs(redirects, exist_ok=True)
    for i, link in enumerate(ids):
        tags = rng.sample(TAGS, rng.randint(0, 2))
        with open(os.path.join(redirects, link + ".toml"), "w") as f:
            f.write(f'url = "https://shop.example.com/{link}"\n')
            f.write("tags = [" + ", ".join(json.dumps(t) for t in tags) + "]\n")
    for sub in ("current", "ready", "shipped"):
        os.makedirs(os.path.join(spool, sub), exist_ok=True)

    now_ms = int(time.time() * 1000)
    start = now_ms - days * 86_400_000
    link_w = zipf_weights(len(ids), 0.8)
    ref_w = zipf_weights(len(REFERRERS))
    country_w = zipf_weights(len(COUNTRIES))
    times = sorted(rng.randrange(start, now_ms - 120_000) for _ in range(events))
    files = {}
    for n, ms in enumerate(times):
        redirect = rng.choices(ids, link_w)[0] if rng.random() > 0.01 else "no-such-link"
        outcome = "redirected" if redirect != "no-such-link" else "not-found"
        if outcome == "redirected" and rng.random() < 0.03:
            outcome = rng.choice(["expired", "disabled"])
        status = rng.random()
        session_status = "valid" if status < 0.5 else "absent" if status < 0.95 else "malformed"
        session = f"s-{rng.randrange(sessions)}" if session_status == "valid" else None
        bot = rng.choices(BOTS, [b[2] for b in BOTS])[0] if rng.random() < 0.2 else None
        device = rng.choices(DEVICES, [d[2] for d in DEVICES])[0] if rng.random() < 0.85 else None
        country = rng.choices(COUNTRIES, country_w)[0] if rng.random() < 0.85 else None
        referrer = rng.choices(REFERRERS, ref_w)[0] if rng.random() < 0.6 else None
        rule = variant = None
        if redirect in ruled and outcome == "redirected":
            if device and device[0] in ("ios", "android"):
                rule = device[0]
            else:
                variant = rng.choice(["a", "b"])
        event = {
            "v": 1, "id": f"{ms >> 16:08x}-{ms & 0xffff:04x}-7000-8000-{n:012x}",
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z",
            "outcome": outcome, "redirect": redirect, "session": session, "session_status": session_status,
            "session_source": "path" if session else None, "source": "newsletter", "type": "redirect",
            "properties": {}, "target": f"https://shop.example.com/{redirect}" if outcome == "redirected" else None,
            "status": 302 if outcome == "redirected" else 404 if outcome == "not-found" else 410,
            "rule": rule, "variant": variant, "country": country, "device": device[0] if device else None,
            "form": device[1] if device else None,
            "request": {"method": "HEAD" if bot and bot[0] == "head-request" else "GET", "ip": f"203.0.113.{n % 250}",
                        "user_agent": None if bot and bot[0] == "no-user-agent" else
                        f"{bot[0]}/1.0" if bot else "Mozilla/5.0 (sample)",
                        "referer": f"https://{referrer}/" if referrer else None, "accept_language": "en",
                        "host": "go.example.com", "query": ""},
            "bot": bot[0] if bot else None, "bot_category": bot[1] if bot else None,
        }
        hour = ms // 3_600_000 * 3_600_000
        name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(hour // 1000)) + ".jsonl"
        files.setdefault(name, []).append(json.dumps(event, separators=(",", ":")))
    for name, lines in files.items():
        with open(os.path.join(spool, "ready", name), "w") as f:
            f.write("\n".join(lines) + "\n")
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spool", required=True)
    ap.add_argument("--redirects", required=True)
    ap.add_argument("--links", type=int, default=100)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    write(a.spool, a.redirects, a.links, a.days, a.events, a.sessions, a.seed)


if __name__ == "__main__":
    main()
