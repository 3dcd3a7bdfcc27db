"""The benchmarks-game binary-trees program; a node is (left, right)."""
import sys


def make(d):
    if d == 0:
        return (None, None)
    return (make(d - 1), make(d - 1))


def check(t):
    if t is None:
        return 0
    return 1 + check(t[0]) + check(t[1])


n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
min_depth = 4
max_depth = max(min_depth + 2, n)
stretch = max_depth + 1
print(f"stretch tree of depth {stretch}\t check: {check(make(stretch))}")
long_lived = make(max_depth)
for d in range(min_depth, max_depth + 1, 2):
    iterations = 1 << (max_depth - d + 4)
    total = 0
    for _ in range(iterations):
        total += check(make(d))
    print(f"{iterations}\t trees of depth {d}\t check: {total}")
print(f"long lived tree of depth {max_depth}\t check: {check(long_lived)}")
