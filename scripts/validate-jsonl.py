#!/usr/bin/env python3
"""Validate JSON lines against a JSON Schema (2020-12).

usage: validate-jsonl.py SCHEMA < events.jsonl
Prints the first failing line number and why, and exits 1; exits 0 when every line is valid.
"""
import json
import sys

from jsonschema import Draft202012Validator


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    count = 0
    for number, line in enumerate(sys.stdin, start=1):
        line = line.rstrip("\n")
        if not line:
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            print(f"line {number}: not JSON: {error}", file=sys.stderr)
            return 1
        errors = sorted(validator.iter_errors(event), key=lambda e: e.path)
        if errors:
            best = min(errors, key=lambda e: len(list(e.path)))
            print(f"line {number}: {best.message} at {list(best.absolute_path)}: {line[:300]}", file=sys.stderr)
            return 1
        count += 1
    print(f"{count} lines valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
