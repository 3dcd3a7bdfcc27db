"""Start-up time of CPython."""
print("hello, world")
