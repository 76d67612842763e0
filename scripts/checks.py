"""What the check scripts share: each check printed as `ok:` or `FAILED:`, and the tally at the end."""
passed, failed = 0, 0


def check(condition, description):
    """Prints the check's outcome and counts it."""
    global passed, failed
    if condition:
        passed += 1
        print(f"ok: {description}")
    else:
        failed += 1
        print(f"FAILED: {description}")


def summary():
    """Prints 'N passed, N failed'; the exit status: 1 when any check failed."""
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
