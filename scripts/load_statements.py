#!/usr/bin/env python3
"""Load a CSV of statements into Ceasefire Positions through its API alone,
as a newsroom's tool would: the actors, the officials and their offices,
the conditions, the sources, the quotes and the positions. Standard library
only; safe to run twice (what exists is found, not written again).

    python scripts/load_statements.py http://127.0.0.1:8000 TOKEN statements.csv \\
        [--source-text article.txt]

TOKEN is an editor's API token (``make editor USER_NAME=tool``). Each row
of the CSV is one position; the columns (see scripts/example-statements.csv):

    actor, actor_kind, iso_code     whose stance (found by name, else created)
    speaker, speaker_office, office_rank, office_from
                                    an official whose words these are, and the
                                    office through which they speak for the actor
    topic, stance, attribution      own | speaking_for | claim | report
    conditions                      names, separated by ";"
    quote, said_on, said_on_precision
    publisher, title, url, published_on   the source (found by title, else created)

Positions are recorded as drafts for a senior editor to publish, unless
``--publish`` is given (with a senior editor's token).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


class API:
    def __init__(self, base: str, token: str):
        self.base = base.rstrip("/") + "/api/v1/"
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None, **query) -> dict:
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Token {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{method} {url} -> {error.code}: {error.read().decode()}") from None

    def first(self, path: str, **query) -> dict | None:
        results = self.call("GET", path, **query)["results"]
        return results[0] if results else None


def actor(api: API, name: str, kind: str, iso_code: str = "") -> str:
    """The slug of the actor with this name (or alias), created when missing."""
    found = api.first("actors/", name=name)
    if found is None:
        found = api.call("POST", "actors/", {"name": name, "kind": kind, "iso_code": iso_code})
        print(f"  actor {found['slug']} created")
    return found["slug"]


def office(api: API, holder: str, organisation: str, title: str, rank: str, start: str):
    held = api.call("GET", "roles/", holder=holder, organisation=organisation)["results"]
    if any(role["title"] == title for role in held):
        return
    ranks = {"head": 1, "minister": 2, "spokesperson": 3, "other": 4}
    api.call(
        "POST",
        "roles/",
        {
            "holder": holder,
            "organisation": organisation,
            "kind": "office",
            "title": title,
            "speaks_for_rank": ranks[rank],
            "start_date": start or None,
        },
    )
    print(f"  office {title} of {organisation} recorded for {holder}")


def existing_source(api: API, publisher: str, title: str) -> int | None:
    for found in api.call("GET", "sources/", q=title)["results"]:
        if (found["publisher"], found["title"]) == (publisher, title):
            return found["id"]
    return None


def existing_quote(api: API, source: int, text: str) -> int | None:
    for found in api.call("GET", "quotes/", source=source, page_size=200)["results"]:
        if found["text"] == text:
            return found["id"]
    return None


def existing_position(api: API, actor: str, topic: str, quote: int) -> dict | None:
    for found in api.call("GET", "positions/", actor=actor, topic=topic)["results"]:
        if found["quote"]["id"] == quote:
            return found
    return None


def condition(api: API, name: str) -> str:
    for known in api.call("GET", "conditions/")["results"]:
        if known["name"] == name:
            return known["slug"]
    return api.call("POST", "conditions/", {"name": name})["slug"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("token")
    parser.add_argument("csv", type=argparse.FileType(encoding="utf-8"))
    parser.add_argument("--source-text", type=argparse.FileType(encoding="utf-8"))
    parser.add_argument("--publish", action="store_true")
    args = parser.parse_args(argv)
    api = API(args.site, args.token)
    stored_text = args.source_text.read() if args.source_text else ""
    sources: dict[str, int] = {}
    quotes: dict[tuple[int, str], int] = {}
    for row in csv.DictReader(args.csv):
        print(f"{row['actor']} on {row['topic']}:")
        subject = actor(api, row["actor"], row["actor_kind"], row["iso_code"])
        speaker = None
        if row["speaker"]:
            speaker = actor(api, row["speaker"], "official")
            if row["speaker_office"]:
                office(
                    api,
                    speaker,
                    subject,
                    row["speaker_office"],
                    row["office_rank"],
                    row["office_from"],
                )
        quote = {
            "text": row["quote"],
            "said_on": row["said_on"] or None,
            "said_on_precision": row["said_on_precision"] or "day",
        }
        if speaker:
            quote["speaker"] = speaker
        else:
            quote["speaker_label"] = row["publisher"]
        source = sources.get(row["title"]) or existing_source(api, row["publisher"], row["title"])
        if source is None:
            quote["new_source"] = {
                "publisher": row["publisher"],
                "title": row["title"],
                "url": row["url"],
                "published_on": row["published_on"] or None,
                "text": stored_text,
            }
        else:
            quote["source"] = source
        position = {
            "actor": subject,
            "topic": row["topic"],
            "stance": row["stance"],
            "attribution": row["attribution"],
            "conditions": [condition(api, c.strip()) for c in row["conditions"].split(";") if c],
            "status": "published" if args.publish else "draft",
        }
        known = None
        if source is not None:
            known = quotes.get((source, row["quote"])) or existing_quote(api, source, row["quote"])
        if known is not None:
            position["quote"] = known
            if found := existing_position(api, subject, row["topic"], known):
                print(f"  position {found['id']} exists ({found['status']})")
                continue
        else:
            position["new_quote"] = quote
        made = api.call("POST", "positions/", position)
        source = sources.setdefault(row["title"], made["quote"]["source"]["id"])
        quotes[source, row["quote"]] = made["quote"]["id"]
        where = ", ".join(f"{c['actor']} ({c['why']})" for c in made["counts_for"]) or "nowhere"
        print(f"  position {made['id']} ({made['status']}), counts for {where}")
        for warning in made["warnings"]:
            print(f"  warning: {warning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
