def deeper(n):
    return deeper(n + 1) + 1


def add(a, b):
    return deeper(0)
