"""``python -m ingest FILE``: print what was understood of one file, as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from ingest import LoadError, understand


def main(argv: list[str] | None = None) -> int:
    """Parse one file and print its metadata, removed furniture, sections and chunks."""
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Show how one document is read (no model, no storage).",
                                     epilog="example: python -m ingest corpus/pcc-response-mappa-joint-inspection-2022.txt")
    parser.add_argument("file")
    parser.add_argument("--max-tokens", type=int, default=200, help="chunk size limit (approximate word-pieces)")
    parser.add_argument("--brief", action="store_true", help="omit chunk texts")
    args = parser.parse_args(argv)
    try:
        result = understand(args.file, max_tokens=args.max_tokens).to_json()
    except LoadError as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 1
    if args.brief:
        for c in result["chunks"]:
            c["text"] = c["text"][:80]
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
