"""What field delivery asks of a map vendor: an address's position and road distances between points."""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from backend.field.coords import Point


class MapError(RuntimeError):
    """The map service failed or refused (its message is Chinese and shown to the user)."""


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Road metres and, when the vendor gives them, driving seconds from each point to each other."""

    metres: list[list[int]]
    seconds: list[list[int]] | None = None


class MapGateway(ABC):
    @abstractmethod
    def geocode(self, address: str) -> Point | None:
        """The WGS-84 position of ADDRESS, or None when the vendor cannot place it."""

    @abstractmethod
    def distance_matrix(self, points: list[Point]) -> list[list[int]]:
        """Road distance in metres from each point to each other (row = from, column = to)."""

    def travel_matrix(self, points: list[Point]) -> TravelMatrix:
        """Distances and driving times (this default: distances only; times come from the average speed)."""
        return TravelMatrix(self.distance_matrix(points))
