"""The API world (tests/api) for the board's and the administration's tests."""

from tests.api.conftest import as_user, world  # noqa: F401  (fixtures used here)
