#!/usr/bin/env python3
"""Import circles between the top-level modules of each crate.

A module `a` uses a module `b` of the same crate when its files name
`crate::b` (in a `use` or a path) or, for a module's own submodules,
`super::b`. Tests (`#[cfg(test)] mod tests` and `tests.rs` files) are left
out: a test may use anything. A circle (a strongly connected set of two or
more modules) means neither module can be read, tested or moved without the
other. Exit 1, naming each circle, when a crate has one.

Usage: .ci/import_cycles.py [CRATE_SRC_DIR ...]  (default: every crate's src)
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def crate_dirs():
    dirs = [ROOT / "src"]
    for manifest in sorted(ROOT.glob("adapters/**/Cargo.toml")):
        src = manifest.parent / "src"
        if src.is_dir():
            dirs.append(src)
    return dirs


def without_tests(text):
    """The text with `#[cfg(test)]` items (a `mod tests { … }`) cut out."""
    out = []
    i = 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j == -1:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        brace = text.find("{", j)
        semicolon = text.find(";", j)
        if brace == -1 or (semicolon != -1 and semicolon < brace):
            i = semicolon + 1
            continue
        depth = 0
        k = brace
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        i = k + 1


def top_module(src, path):
    """The top-level module a file belongs to (None for lib.rs)."""
    rel = path.relative_to(src)
    first = rel.parts[0]
    if first in ("lib.rs", "main.rs"):
        return None
    return first[:-3] if first.endswith(".rs") else first


def uses(text, modules):
    named = set()
    for match in re.finditer(r"\bcrate::(\w+)", text):
        named.add(match.group(1))
    # `use crate::{a, b::c}`
    for group in re.finditer(r"\bcrate::\{([^}]*)\}", text):
        for item in group.group(1).split(","):
            head = item.strip().split("::")[0]
            if head:
                named.add(head)
    return {name for name in named if name in modules}


def strongly_connected(graph):
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def circles(src):
    files = [p for p in src.rglob("*.rs") if p.name != "tests.rs"]
    modules = {top_module(src, p) for p in files} - {None}
    graph = {module: set() for module in modules}
    for path in files:
        module = top_module(src, path)
        if module is None:
            continue
        text = without_tests(path.read_text())
        graph[module] |= uses(text, modules) - {module}
    return [c for c in strongly_connected(graph) if len(c) > 1], graph


def main(argv):
    dirs = [pathlib.Path(a).resolve() for a in argv] or crate_dirs()
    found = False
    for src in dirs:
        components, graph = circles(src)
        name = src.parent.relative_to(ROOT) if src.parent != ROOT else "."
        for component in components:
            found = True
            edges = ", ".join(
                f"{a} -> {b}"
                for a in component
                for b in sorted(graph[a])
                if b in component
            )
            print(f"import circle in {name}: {' <-> '.join(component)} ({edges})")
    if not found:
        print(f"ok: no import circle between the top-level modules of {len(dirs)} crates")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
