"""Builds the dict of map_insert, then looks every key up and sums the values."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
m = {}
for i in range(1, n + 1):
    m[i * 7] = i
total = 0
for i in range(1, n + 1):
    total += m[i * 7]
print(f"size = {len(m)}, sum = {total}")
