"""Runs the tests that drive kvmd's own code (tests/kvmd/test_*.py) and ends with 'N passed, N failed'.

Without kvmd's source or the modules it imports the tests are skipped, and say so; with CI set they fail
instead, because CI must not skip them.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    sys.path.insert(0, HERE)
    import kvmd_env  # pylint: disable=import-outside-toplevel
    try:
        kvmd_env.load()
    except kvmd_env.Unavailable as ex:
        if os.environ.get("CI"):
            print(f"tests/kvmd: {ex}; CI must run these tests", file=sys.stderr)
            print("0 passed, 1 failed")
            return 1
        print(f"tests/kvmd: skipped, {ex}")
        print("0 passed, 0 failed")
        return 0
    pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern, top_level_dir=HERE)
    result = _Result.run(suite)
    if result.skipped and os.environ.get("CI"):
        print("tests/kvmd: CI must not skip these tests", file=sys.stderr)
    failed = len(result.bad) + (len(result.skipped) if os.environ.get("CI") else 0)
    passed = len(result.good)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


class _Result(unittest.TextTestResult):
    """Counts each test once, by its id: a test with failing subtests, or a class whose setUpClass failed, is one failure."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bad: set[str] = set()
        self.good: set[str] = set()

    @staticmethod
    def run(suite: unittest.TestSuite) -> "_Result":
        runner = unittest.TextTestRunner(verbosity=2, stream=sys.stdout, resultclass=_Result)
        return runner.run(suite)  # type: ignore[return-value]

    def addSuccess(self, test) -> None:
        super().addSuccess(test)
        if test.id() not in self.bad:
            self.good.add(test.id())

    def _bad(self, test) -> None:
        self.bad.add(test.id())
        self.good.discard(test.id())

    def addFailure(self, test, err) -> None:
        super().addFailure(test, err)
        self._bad(test)

    def addError(self, test, err) -> None:
        super().addError(test, err)
        self._bad(test)

    def addUnexpectedSuccess(self, test) -> None:
        super().addUnexpectedSuccess(test)
        self._bad(test)

    def addSubTest(self, test, subtest, err) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._bad(test)


if __name__ == "__main__":
    sys.exit(main())
