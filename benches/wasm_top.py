#!/usr/bin/env python3
"""Where a wasm module's bytes go, as `twiggy top` prints it: each section's
size, then each function's code size (named from the name section), the
largest first.

usage: benches/wasm_top.py MODULE.wasm [COUNT]
(benches/workers_vs_workers_rs.sh leaves the bound modules in
<WORKERS_TARGET_DIR>/bench/{anyfn,plain}/index_bg.wasm)
"""
import sys

SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
            6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
            12: "data count", 13: "tag"}


def leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def main():
    data = open(sys.argv[1], "rb").read()
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    at, imported, bodies, names = 8, 0, [], {}
    print(f"{len(data):10d}  the module")
    while at < len(data):
        kind = data[at]
        size, at = leb(data, at + 1)
        end = at + size
        label = SECTIONS.get(kind, str(kind))
        if kind == 2:  # imports: functions come first in the index space
            n, j = leb(data, at)
            for _ in range(n):
                for _ in range(2):
                    length, j = leb(data, j)
                    j += length
                what = data[j]
                j += 1
                if what == 0:
                    imported += 1
                    _, j = leb(data, j)
                elif what in (1, 2):
                    j += 1 if what == 1 else 0
                    flags, j = leb(data, j)
                    _, j = leb(data, j)
                    if flags & 1:
                        _, j = leb(data, j)
                elif what == 3:
                    j += 2
                elif what == 4:
                    _, j = leb(data, j + 1)
        elif kind == 10:
            n, j = leb(data, at)
            for _ in range(n):
                length, j = leb(data, j)
                bodies.append(length)
                j += length
        elif kind == 0:
            length, j = leb(data, at)
            label = f"custom {data[j:j + length].decode()}"
            if data[j:j + length] == b"name":
                j += length
                while j < end:
                    sub = data[j]
                    sub_size, j = leb(data, j + 1)
                    if sub == 1:
                        n, k = leb(data, j)
                        for _ in range(n):
                            index, k = leb(data, k)
                            length, k = leb(data, k)
                            names[index] = data[k:k + length].decode("utf8", "replace")
                            k += length
                    j += sub_size
        print(f"{size:10d}  {label} section")
        at = end
    rows = sorted(((size, names.get(imported + i, f"function {imported + i}"))
                   for i, size in enumerate(bodies)), reverse=True)
    print(f"{len(rows)} functions, {sum(bodies)} bytes of code; the largest:")
    for size, name in rows[:count]:
        print(f"{size:10d}  {name[:160]}")


if __name__ == "__main__":
    main()
