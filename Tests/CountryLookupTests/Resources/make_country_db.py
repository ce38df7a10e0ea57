"""Writes a MaxMind DB (format 2) country database with mmdb-writer, shaped like GeoLite2-Country.

Two ways to say what goes in:

    make_country_db.py OUT NETWORK=CC ...
        each network (IPv4 or IPv6 CIDR) with country.iso_code and registered_country.iso_code CC;
        NETWORK=registered:CC gives it registered_country only (no country), as an anycast or
        satellite range has in GeoLite2.
    make_country_db.py OUT --random N --seed S [--sample FILE]
        N random networks (four in five IPv4, /12 to /24; the rest IPv6 in 2000::/3, /20 to /48) with
        random countries; FILE gets one address inside every 50th network, one a line.

--ip-version 4 makes an IPv4-only database (default: IPv6 with IPv4 at ::/96, as MaxMind's are).
--record-size 28 or 32 writes the search tree with records of that many bits, as a database with more nodes
than 24 bits can count has them (GeoLite2-City: 28), though these few nodes would fit 24.
--padding N puts a record of N bytes (no country) at 1.0.0.0/24, first in the data section, so that the records
after it lie N bytes on: past 2**24, records need the high bits of 28- and 32-bit records.
Runs in the tests' virtual environment (scripts/test-python-env): mmdb-writer and netaddr.
"""

import argparse
import random
import sys

import mmdb_writer
from mmdb_writer import MMDBWriter
from netaddr import IPNetwork, IPSet

# The countries random networks get; the ones tests name come first.
COUNTRIES = ["DE", "AT", "CH", "FR", "US", "GB", "NL", "JP", "BR", "IN", "AU", "CA", "ZA", "SE", "PL", "IT"]
CONTINENTS = {"US": "NA", "CA": "NA", "BR": "SA", "JP": "AS", "IN": "AS", "AU": "OC", "ZA": "AF"}


def country(code):
    return {"geoname_id": 1000 + COUNTRIES.index(code) if code in COUNTRIES else 999,
            "iso_code": code, "names": {"en": "Country " + code, "de": "Land " + code}}


def record(code, registered_only=False):
    """A record as GeoLite2-Country has them: continent, country and registered_country maps."""
    r = {"continent": {"code": CONTINENTS.get(code, "EU"), "geoname_id": 6255148,
                       "names": {"en": "Continent"}},
         "registered_country": country(code)}
    if not registered_only:
        r["country"] = country(code)
    return r


def random_networks(count, seed, sample_path):
    rng = random.Random(seed)
    sample = open(sample_path, "w") if sample_path else None
    seen = IPSet()
    networks = []
    while len(networks) < count:
        if rng.random() < 0.8:
            length = rng.randint(12, 24)
            value = rng.getrandbits(32) & ~((1 << (32 - length)) - 1)
            net = IPNetwork((value, length), version=4)
        else:
            length = rng.randint(20, 48)
            value = (0x2 << 125 | rng.getrandbits(125)) & ~((1 << (128 - length)) - 1)
            net = IPNetwork((value, length), version=6)
        networks.append((net, rng.choice(COUNTRIES)))
        if sample and len(networks) % 50 == 0:
            sample.write(str(net[rng.randrange(net.size)]) + "\n")
    if sample:
        sample.close()
    return networks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("networks", nargs="*", help="NETWORK=CC or NETWORK=registered:CC")
    parser.add_argument("--ip-version", type=int, default=6, choices=[4, 6])
    parser.add_argument("--random", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample")
    parser.add_argument("--record-size", type=int, choices=[24, 28, 32])
    parser.add_argument("--padding", type=int, default=0)
    args = parser.parse_args()

    if args.record_size:
        fitting = mmdb_writer.TreeWriter._adjust_record_size

        def adjust(tree_writer):
            fitting(tree_writer)
            tree_writer.record_size = max(tree_writer.record_size, args.record_size)
            tree_writer.data_offset = tree_writer.record_size * 2 / 8 * tree_writer._node_counter

        mmdb_writer.TreeWriter._adjust_record_size = adjust

    writer = MMDBWriter(ip_version=args.ip_version, ipv4_compatible=args.ip_version == 6,
                        database_type="redirectd-Test-Country", languages=["en", "de"],
                        description="redirectd test country database")
    records = {}
    if args.padding:
        # In pieces, each different (the writer stores equal values once): a string holds at most 16,843,035
        # bytes.
        pieces = [chr(65 + i % 26) * min(1_000_000, args.padding - i * 1_000_000)
                  for i in range((args.padding + 999_999) // 1_000_000)]
        writer.insert_network(IPSet([IPNetwork("1.0.0.0/24")]), {"padding": pieces})
    if args.random:
        for net, code in random_networks(args.random, args.seed, args.sample):
            writer.insert_network(IPSet([net]), records.setdefault(code, record(code)))
    for item in args.networks:
        network, _, code = item.partition("=")
        registered_only = code.startswith("registered:")
        code = code.removeprefix("registered:")
        if len(code) != 2:
            sys.exit(f"make_country_db.py: {item}: expected NETWORK=CC or NETWORK=registered:CC")
        writer.insert_network(IPSet([IPNetwork(network)]), record(code, registered_only))
    writer.to_db_file(args.out)


if __name__ == "__main__":
    main()
