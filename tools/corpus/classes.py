"""Group keraslite's first errors in a report into failure classes.

    python tools/corpus/classes.py [NAME]      # NAME.json under tools/corpus/_work/reports/

A class is (error type, message with numbers and quoted names blurred, the deepest keraslite
frame); each is listed with its cases, most frequent first. Only reference-passing cases count.
"""

import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def blur(message: str) -> str:
    message = re.sub(r"/tmp/corpus-\w+/", "", message)
    message = re.sub(r"\d+", "N", message)
    return message[:140]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    name = argv[0] if argv else "whole"
    with open(os.path.join(HERE, "_work", "reports", name + ".json")) as handle:
        report = json.load(handle)
    classes = collections.defaultdict(list)
    for case_id, entry in report["cases"].items():
        ref, kl = entry.get("reference"), entry.get("keraslite")
        if not ref or ref["status"] != "PASS" or not kl:
            continue
        cells = kl.get("cells", []) if report.get("mode") == "cells" else [kl]
        for cell in cells:
            if cell.get("status") == "PASS" or not cell.get("error") and kl["status"] == "PASS":
                continue
            error = cell.get("error") or kl.get("error") or {"type": kl["status"], "message": ""}
            where = error.get("keraslite_at") or error.get("raised_at") or ""
            where = re.sub(r"^/tmp/corpus-\w+/", "script ", where)
            key = (
                error["type"],
                blur(error.get("message", "")),
                re.sub(r":\d+$", "", where) if where.startswith("script ") else where,
            )
            classes[key].append(
                f"{case_id}" + (f"#{cell['index']}" if "index" in cell and report.get("mode") == "cells" else "")
            )
    for (kind, message, where), cases in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(cases):3d}  {kind}: {message}\n     at {where}\n     " + ", ".join(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
