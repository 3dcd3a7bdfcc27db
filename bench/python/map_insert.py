"""Inserts the keys 7, 14, ..., 7n into a dict."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
m = {}
for i in range(1, n + 1):
    m[i * 7] = i
print(f"size = {len(m)}")
