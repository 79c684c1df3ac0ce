"""What field delivery asks of a map vendor: an address's position and road distances between points."""

from abc import ABC, abstractmethod

from backend.field.coords import Point


class MapError(RuntimeError):
    """The map service failed or refused (its message is Chinese and shown to the user)."""


class MapGateway(ABC):
    @abstractmethod
    def geocode(self, address: str) -> Point | None:
        """The WGS-84 position of ADDRESS, or None when the vendor cannot place it."""

    @abstractmethod
    def distance_matrix(self, points: list[Point]) -> list[list[int]]:
        """Road distance in metres from each point to each other (row = from, column = to)."""
