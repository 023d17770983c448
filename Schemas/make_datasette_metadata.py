#!/usr/bin/env python3
"""Writes Schemas/metadata.json, Datasette's metadata for a phasecast database, from the view
tables of Schemas/README.md (each `### \`v_…\`` section's column table), so that the two never
disagree. Run after editing the README's view columns; StoreTests checks every column of every
documented view has a description.

Usage: python3 Schemas/make_datasette_metadata.py [DATABASE_NAME]  (default: fleet, the file
stem Datasette shows; rename the key for another file name)
"""
import json
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 64)
name = sys.argv[1] if len(sys.argv) > 1 else "fleet"
text = open(os.path.join(here, "README.md"), encoding="utf-8").read()
tables = {}
sections = re.split(r"^### ", text, flags=re.M)[1:]
for section in sections:
    heading, _, body = section.partition("\n")
    body = body.split("\n## ")[0]
    views = re.findall(r"`(v_[a-z_]+)`", heading.split(":")[0])
    if not views:
        continue
    summary = re.sub(r"`([^`]*)`", r"\1", heading.split(":", 1)[1].strip()) if ":" in heading else ""
    columns = {}
    for line in body.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        meaning = cells[-1]
        for column in re.findall(r"`([a-z0-9_]+)`", cells[0]):
            columns[column] = re.sub(r"`([^`]*)`", r"\1", meaning)
    for view in views:
        tables[view] = {"description": summary, "columns": columns}
metadata = {
    "title": "phasecast",
    "description": "Request logs, rollups, forecasts and capacity plans of an LLM serving fleet: "
                   "prefill and decode, by phasecast. The views are documented in Schemas/README.md.",
    "databases": {name: {"tables": tables}},
}
with open(os.path.join(here, "metadata.json"), "w", encoding="utf-8") as handle:
    json.dump(metadata, handle, indent=2, ensure_ascii=False, sort_keys=True)
    handle.write("\n")
print(f"{len(tables)} views, {sum(len(t['columns']) for t in tables.values())} columns -> Schemas/metadata.json")
