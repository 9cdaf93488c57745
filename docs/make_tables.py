"""Re-make the study tables of docs/reproduction.md from the study summaries kept in
docs/results/ (each a study's summary.json, copied there: per-seed values and every
evaluation, no checkpoints).

A generated table stands in reproduction.md between the two lines

    <!-- table: results/NAME.json -->
    <!-- end of table -->

and is exactly what ``ugan.results.format_table`` makes of that summary, so that no number of a
table is typed by hand and none can go stale. ``<!-- table: results/NAME.json convergence -->``
stands for ``ugan.results.format_convergence`` instead: when each run covered every mode for good.

    python docs/make_tables.py           rewrite the tables in place
    python docs/make_tables.py --check   rewrite nothing; exit 1 naming the tables that differ
"""

import argparse
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # the checkout's ugan, installed or not

from ugan import jsonfile  # noqa: E402
from ugan.results import format_convergence, format_table  # noqa: E402

BLOCK = re.compile(r"(<!-- table: (?P<name>[^ ]+)(?: (?P<view>convergence))? -->\n)(?P<table>.*?)"
                   r"(<!-- end of table -->)", re.DOTALL)
VIEWS = {None: format_table, "convergence": format_convergence}


def made_tables(text, docs=DOCS):
    """(the text with every table block re-made, the names of the blocks that changed)."""
    changed = []

    def remake(match):
        path = docs / match["name"]
        if not path.is_file():
            raise FileNotFoundError(f"make_tables: {match['name']} is named by a table block but "
                                    f"{path} does not exist")
        table = VIEWS[match["view"]](jsonfile.read(path)) + "\n"
        if table != match["table"]:
            changed.append(match["name"])
        return match[1] + table + match[5]

    return BLOCK.sub(remake, text), changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a table differs from its summary")
    parser.add_argument("--doc", type=Path, default=DOCS / "reproduction.md")
    args = parser.parse_args(argv)
    try:
        text, changed = made_tables(args.doc.read_text(), args.doc.parent)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        for name in changed:
            print(f"{args.doc}: the table of {name} differs from what its summary makes",
                  file=sys.stderr)
        return 1 if changed else 0
    args.doc.write_text(text)
    print(f"{args.doc}: {len(changed)} table(s) re-made" + (f": {', '.join(changed)}"
                                                          if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
