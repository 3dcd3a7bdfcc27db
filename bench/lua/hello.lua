-- Start-up time of lua5.4.
print("hello, world")
