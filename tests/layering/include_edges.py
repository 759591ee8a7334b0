#!/usr/bin/env python3
"""Every #include from one module of src/ into another is an edge that is allowed here, by
name: a new dependency between modules is a decision, made in this list (and in
docs/architecture.md), not something that creeps in. Each allowed edge also points back
along the order of docs/architecture.md's module table, so the layering holds by itself.
Usage: include_edges.py SRC_DIR"""
import os
import re
import sys

ORDER = ["util", "model", "config", "engine", "resolve", "probes", "bgp", "store", "detect",
         "report", "serve", "alert", "monitor", "lab", "cli"]

ALLOWED = {
    "util": set(),
    "model": {"util"},
    "config": {"model", "util"},
    "engine": {"model", "util"},
    "resolve": {"config", "engine", "model", "util"},
    "probes": {"config", "engine", "model", "util"},
    "bgp": {"config", "engine", "model", "util"},
    # The writer's back-off runs on the engine's injected clock.
    "store": {"config", "engine", "model", "util"},
    # Detection is a pure function of the result stream: the model alone.
    "detect": {"model"},
    "report": {"detect", "model", "store"},
    "serve": {"detect", "engine", "model", "report", "util"},
    "alert": {"config", "engine", "model", "util"},
    # The runtime that wires the parts a monitor is built from; cli builds the real ones.
    "monitor": {"alert", "bgp", "config", "detect", "engine", "model", "probes", "resolve", "serve",
                "store", "util"},
    "lab": {"config", "detect", "model", "report", "util"},
    "cli": {"alert", "bgp", "config", "detect", "engine", "lab", "model", "monitor", "probes", "report",
            "resolve", "serve", "store", "util"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main() -> int:
    src = sys.argv[1]
    failures = []
    for module, allowed in ALLOWED.items():
        for target in allowed:
            if ORDER.index(target) >= ORDER.index(module):
                failures.append(f"the allow-list itself: {module} -> {target} goes against the module order")
    modules = sorted(entry for entry in os.listdir(src) if os.path.isdir(os.path.join(src, entry)))
    for module in modules:
        if module not in ALLOWED:
            failures.append(f"src/{module}/ is a module this list does not know: add it, in its place in the order")
            continue
        for root, _, files in os.walk(os.path.join(src, module)):
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        match = INCLUDE.match(line)
                        if not match:
                            continue
                        target = match.group(1)
                        if target != module and target not in ALLOWED[module]:
                            failures.append(f"{os.path.relpath(path, os.path.dirname(src))}:{number}: {module} -> {target} is not an allowed edge")
    for failure in failures:
        print(failure)
    if not failures:
        print(f"{len(modules)} modules, every include edge allowed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
