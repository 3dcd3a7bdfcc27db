"""wc in Python, the peer of examples/scripts/wc.reef: lines, words
(split on whitespace) and bytes of each file, in wc's format."""

import sys


def count(name):
    lines = words = size = 0
    with open(name, "rb") as f:
        for line in f:
            lines += 1
            words += len(line.split())
            size += len(line)
    return lines, words, size


def main():
    rows = [(name, count(name)) for name in sys.argv[1:]]
    total = tuple(sum(c[i] for _, c in rows) for i in range(3))
    width = len(str(total[2]))
    for name, c in rows:
        print(" ".join(str(n).rjust(width) for n in c), name)
    if len(rows) > 1:
        print(" ".join(str(n).rjust(width) for n in total), "total")


main()
