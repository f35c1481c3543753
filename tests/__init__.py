"""The test suite: a package, so that `tests.support` is imported the same way everywhere."""
import pytest

# The helpers of tests/support/ assert too: give their failures pytest's detailed messages.
pytest.register_assert_rewrite("tests.support")
