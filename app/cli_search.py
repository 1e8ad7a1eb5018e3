"""``relaydesk search``: interactions by words, filters and builder conditions; saved searches."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.context import AppContext
from app.errors import UserError

EPILOG = """\
examples:
  relaydesk search refund --status open --language it
  relaydesk search "alice@example.com" --from 2026-01-01 --tag vip --json
  relaydesk search --where subject contains invoice --where queue equals Italiano --any
  relaydesk search --where started between 2026-01-01..2026-01-31
  relaydesk search refund --status open --save "Open refunds" --owner sam
  relaydesk search --saved "Open refunds" --owner sam
  relaydesk search --list-saved --owner sam
"""


def add_parser(sub: Any) -> None:
    search = sub.add_parser(
        "search",
        help="find interactions: words, filters, builder conditions, saved searches",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    search.add_argument("words", nargs="*", help="words to find in subject, body and sender")
    search.add_argument("--account", metavar="NAME")
    search.add_argument("--from", dest="started_from", metavar="DATE", help="started on or after")
    search.add_argument("--to", dest="started_to", metavar="DATE", help="started on or before")
    state = search.add_mutually_exclusive_group()
    state.add_argument("--unread", dest="unread", action="store_const", const=True)
    state.add_argument("--read", dest="unread", action="store_const", const=False)
    search.add_argument("--status", choices=("open", "closed"))
    search.add_argument("--agent", metavar="NAME", help="held by this agent")
    search.add_argument("--queue", metavar="NAME")
    search.add_argument("--language", metavar="CODE")
    search.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    search.add_argument(
        "--where",
        nargs="+",
        action="append",
        default=[],
        metavar="FIELD OPERATOR [VALUE]",
        help="a builder condition (repeatable); between takes LOW..HIGH",
    )
    search.add_argument("--any", action="store_true", help="any condition (default: all)")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")
    search.add_argument("--owner", metavar="AGENT", help="whose saved searches")
    saved = search.add_mutually_exclusive_group()
    saved.add_argument("--save", metavar="NAME", help="keep this search under NAME")
    saved.add_argument("--replace", metavar="NAME", help="like --save, over an existing one")
    saved.add_argument("--saved", metavar="NAME", help="run a saved search")
    saved.add_argument("--list-saved", action="store_true")
    saved.add_argument("--delete-saved", metavar="NAME")


def _conditions(items: list[list[str]]) -> tuple[Any, ...]:
    from app.services.search import Condition

    conditions = []
    for item in items:
        if len(item) not in (2, 3):
            raise UserError("--where takes FIELD OPERATOR [VALUE], e.g. --where subject contains x")
        field, operator, *rest = item
        value: Any = rest[0] if rest else None
        if operator == "between":
            low, sep, high = (value or "").partition("..")
            if not sep:
                raise UserError("between takes LOW..HIGH, e.g. 2026-01-01..2026-01-31")
            value = (low, high)
        conditions.append(Condition(field, operator, value))
    return tuple(conditions)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services import saved_searches
    from app.services.fulltext import Filters, InteractionSearch, find

    wants_saved = args.save or args.replace or args.saved or args.list_saved or args.delete_saved
    if wants_saved and not args.owner:
        raise UserError("Saved searches belong to an agent: add --owner NAME.")
    if args.list_saved:
        listed = saved_searches.list_saved(ctx.store, args.owner)
        if args.json:
            _json([{"name": s.name, **s.search.as_json()} for s in listed])
        for item in [] if args.json else listed:
            print(f"{item.name}\t{json.dumps(item.search.as_json(), ensure_ascii=False)}")
        return 0
    if args.delete_saved:
        saved_searches.delete(ctx.store, args.owner, args.delete_saved)
        print(f"deleted the saved search {args.delete_saved!r} of {args.owner}")
        return 0
    if args.saved:
        search = saved_searches.load(ctx.store, args.owner, args.saved).search
    else:
        search = InteractionSearch(
            " ".join(args.words),
            Filters.of(
                account=args.account,
                started_from=args.started_from,
                started_to=args.started_to,
                unread=args.unread,
                status=args.status,
                agent=args.agent,
                queue=args.queue,
                language=args.language,
                tags=args.tag,
            ),
            _conditions(args.where),
            "any" if args.any else "all",
        )
    if args.save or args.replace:
        name = args.save or args.replace
        saved_searches.save(ctx.store, args.owner, name, search, replace=bool(args.replace))
        print(f"saved the search {name!r} for {args.owner}")
        return 0
    hits = find(ctx.store, search, args.limit)
    if args.json:
        _json([h.as_json() for h in hits])
        return 0
    if not hits:
        print("no interaction matches", file=sys.stderr)
    for h in hits:
        print(
            f"{h.id}  {h.status:<6} {'unread' if h.unread else 'read':<6} {h.language:<7} "
            f"{h.account:<12} {h.customer:<30}  {h.subject}"
        )
    return 0


def _json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
