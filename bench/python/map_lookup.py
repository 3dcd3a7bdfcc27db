"""Builds the dict of map_insert, then looks every key up and sums the values.
Prints the lookup phase's own time (bench/run reads it)."""
import sys
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
m = {}
for i in range(1, n + 1):
    m[i * 7] = i
total = 0
t0 = time.perf_counter()
for i in range(1, n + 1):
    total += m[i * 7]
t1 = time.perf_counter()
print(f"size = {len(m)}, sum = {total}")
print(f"lookup_us {int((t1 - t0) * 1e6)}")
