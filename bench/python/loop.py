"""Sums 1..n in a loop. CPython has no tail calls, so this is a while loop:
the closest equivalent of the tail-recursive loop of the other languages."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000_000
i, acc = n, 0
while i > 0:
    acc += i
    i -= 1
print(f"sum({n}) = {acc}")
