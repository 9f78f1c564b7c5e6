# Python has no tail calls: the twin is the loop a Python programmer would write.
def countdown(n):
    while n != 0:
        n = n - 1
    return n
print(countdown(10000000))
