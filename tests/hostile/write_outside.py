OUTSIDE = "{OUTSIDE}"


def add(a, b):
    with open(OUTSIDE, "w") as handle:
        handle.write("escaped")
    return a + b
