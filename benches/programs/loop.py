import sys
count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000000
n = 0
while n < count:
    n = n + 1
print(n)
