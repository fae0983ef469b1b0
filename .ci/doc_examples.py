#!/usr/bin/env python3
"""Lists the public items of a crate whose docs hold no code example.

Reads rustdoc's JSON (`cargo rustdoc -p PKG --lib -- -Z unstable-options
--output-format json`): the items reachable from the crate root (public
modules, re-exports followed), and the public inherent methods and
associated constants of its public types. Trait implementations, fields
and variants are not items that need one. Exits 1 when any lacks one.

Usage: doc_examples.py CRATE.json...
"""

import json
import sys

ITEM_KINDS = {
    "function", "constant", "static", "type_alias", "macro", "proc_macro",
    "struct", "enum", "union", "trait", "trait_alias",
}


def kind_of(item):
    inner = item["inner"]
    return next(iter(inner)) if isinstance(inner, dict) else inner


def missing_examples(path):
    with open(path, encoding="utf-8") as file:
        doc = json.load(file)
    index = doc["index"]
    root = str(doc["root"])
    seen = set()
    missing = []

    def lacks_example(item):
        return "```" not in (item.get("docs") or "")

    def where(item):
        span = item.get("span") or {}
        line = (span.get("begin") or [0])[0]
        return f'{span.get("filename", "?")}:{line}'

    def visit(item_id, prefix):
        item_id = str(item_id)
        if item_id in seen or item_id not in index:
            return
        seen.add(item_id)
        item = index[item_id]
        kind = kind_of(item)
        name = item.get("name") or ""
        public = item["visibility"] == "public"
        if kind == "module":
            if public or item_id == root:
                inner_prefix = prefix if item_id == root else f"{prefix}{name}::"
                for child in item["inner"]["module"]["items"]:
                    visit(child, inner_prefix)
            return
        if kind == "use":
            target = item["inner"]["use"].get("id")
            if public and target is not None:
                visit(target, prefix)
            return
        if not public:
            return
        path_name = f"{prefix}{name}"
        if kind in ITEM_KINDS and lacks_example(item):
            missing.append((where(item), kind, path_name))
        if kind not in ("struct", "enum", "union"):
            return
        for impl_id in item["inner"][kind]["impls"]:
            impl = index.get(str(impl_id))
            if impl is None:
                continue
            body = impl["inner"]["impl"]
            if body.get("trait") is not None or body.get("blanket_impl") is not None:
                continue
            for member_id in body["items"]:
                member = index.get(str(member_id))
                if member is None or member["visibility"] != "public":
                    continue
                if lacks_example(member):
                    missing.append(
                        (where(member), kind_of(member), f'{path_name}::{member.get("name")}')
                    )

    visit(root, index[root]["name"] + "::")
    return sorted(missing)


def main():
    total = 0
    for path in sys.argv[1:]:
        missing = missing_examples(path)
        total += len(missing)
        for where, kind, name in missing:
            print(f"{where}: {kind} {name} has no example")
    print(f"{total} public items without an example in {len(sys.argv) - 1} crates")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
