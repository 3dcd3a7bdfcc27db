"""fib(n) by naive double recursion. python3 fib.py 32"""
import sys


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 32
print(f"fib({n}) = {fib(n)}")
