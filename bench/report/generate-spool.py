#!/usr/bin/env python3
"""Writes a click spool for the report benchmark: ready/ files of hourly buckets, in the responder's line format.

    generate-spool.py SPOOL [--events N] [--links L] [--sessions S] [--referrers R] [--days D] [--seed K]

Events are spread evenly over D days ending 2026-11-30 (one file per hour), over L links (a few carry rules and an
A/B split), S sessions and R referrer hosts, with about 12 % bots of every category, a few not-found and expired
clicks, countries and devices. Lines are written directly (no responder), a few MB at a time.
"""
import argparse
import os
import random
import time
import uuid

COUNTRIES = ["DE", "US", "GB", "FR", "NL", "AT", "CH", "IT", "ES", "PL", "SE", "DK", "BE", "CA", "AU", "JP", "BR",
             "IN", "MX", "CZ", "NO", "FI", "IE", "PT", None, None, None]
DEVICES = [("ios", "mobile"), ("android", "mobile"), ("windows", "desktop"), ("macos", "desktop"),
           ("linux", "desktop"), ("ios", "tablet"), ("chromeos", "desktop"), (None, None)]
BOTS = [("googlebot", "crawler", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
        ("slack-preview", "preview", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
        ("head-request", "preview", "Mozilla/5.0"),
        ("uptimerobot", "monitor", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"),
        ("gptbot", "ai", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)"),
        ("curl", "library", "curl/8.5.0"), ("proofpoint", "scanner", "Proofpoint URL Defense"),
        ("feedly", "feed", "Feedly/1.0"), ("no-user-agent", "other", None)]
BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Safari/537.36")


def js(value):
    if value is None:
        return "null"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("spool")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--referrers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ready = os.path.join(args.spool, "ready")
    os.makedirs(ready, exist_ok=True)
    os.makedirs(os.path.join(args.spool, "current"), exist_ok=True)
    links = [f"campaign-{i:03d}" for i in range(args.links)]
    referrers = [None] * (args.referrers // 4 + 1) + [f"https://site{i}.example.org/page?x={i}"
                                                      for i in range(args.referrers)]
    hours = args.days * 24
    start = 1795910400 - hours * 3600  # hours ending 2026-11-30T00:00:00Z
    per_hour, extra = divmod(args.events, hours)
    written = 0
    for hour in range(hours):
        count = per_hour + (1 if hour < extra else 0)
        base = start + hour * 3600
        name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(base)) + ".jsonl"
        offsets = sorted(rng.randrange(3_600_000) for _ in range(count))
        link_picks = rng.choices(range(len(links)), k=count)
        session_picks = rng.choices(range(args.sessions), k=count)
        referrer_picks = rng.choices(range(len(referrers)), k=count)
        kind = rng.choices(range(100), k=count)
        out = []
        for k in range(count):
            ms = base * 1000 + offsets[k]
            seconds, milli = divmod(ms, 1000)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
            stamp += f".{milli:03d}Z"
            link = links[link_picks[k]]
            roll = kind[k]
            outcome = "redirected"
            status = 302
            target = f"https://shop.example.com/{link}"
            if roll == 0:
                outcome, status, target, link = "not-found", 404, None, "unknown-" + str(link_picks[k] % 5)
            elif roll == 1:
                outcome, status, target = "expired", 302, "https://shop.example.com/expired"
            session = None if roll % 7 == 3 else f"s-{session_picks[k]}"
            status_text = "valid" if session else ("malformed" if roll % 14 == 3 else "absent")
            bot = None
            if roll >= 88:
                bot = BOTS[roll % len(BOTS)]
            device, form = DEVICES[(session_picks[k] + roll) % len(DEVICES)]
            country = COUNTRIES[(session_picks[k] * 7 + roll) % len(COUNTRIES)]
            rule = variant = None
            if link_picks[k] % 10 == 0 and outcome == "redirected":
                if device == "ios":
                    rule = "ios"
                else:
                    variant = "a" if session_picks[k] % 2 else "b"
            referer = referrers[referrer_picks[k]]
            user_agent = bot[2] if bot else BROWSER
            method = "HEAD" if bot and bot[0] == "head-request" else "GET"
            click_id = str(uuid.UUID(int=rng.getrandbits(128)))
            out.append(
                f'{{"v":1,"id":"{click_id}","time":"{stamp}","outcome":"{outcome}","redirect":"{link}",'
                f'"session":{js(session)},"session_status":"{status_text}",'
                f'"session_source":{js("path" if session else None)},"source":"newsletter","type":"redirect",'
                f'"properties":{{"campaign":"{link}"}},"target":{js(target)},"status":{status},'
                f'"rule":{js(rule)},"variant":{js(variant)},"country":{js(country)},"device":{js(device)},'
                f'"form":{js(form)},"request":{{"method":"{method}","ip":"203.0.113.{roll}",'
                f'"user_agent":{js(user_agent)},"referer":{js(referer)},"accept_language":"de-DE",'
                f'"host":"go.example.com","query":""}},"bot":{js(bot[0] if bot else None)},'
                f'"bot_category":{js(bot[1] if bot else None)}}}\n')
        with open(os.path.join(ready, name), "w") as f:
            f.write("".join(out))
        written += count
    print(f"{written} events in {hours} files under {ready}")


if __name__ == "__main__":
    main()
