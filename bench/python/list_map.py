"""Maps + 1 over a list of n integers ten times. CPython's idiom is a list
comprehension (a body recursion 200,000 deep overflows its stack)."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
xs = list(range(1, n + 1))
for _ in range(10):
    xs = [x + 1 for x in xs]
print(f"sum = {sum(xs)}")
