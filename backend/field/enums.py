from enum import StrEnum

from backend.deliveries.enums import AttemptOutcome


class VisitResult(StrEnum):
    """What the officer found at the door."""

    served = "served"  # handed to the party or an adult family member (签收)
    left_with_refusal = "left_with_refusal"  # refused and left (留置送达)
    nobody_home = "nobody_home"
    moved = "moved"
    wrong_address = "wrong_address"


VISIT_RESULT_LABELS = {
    VisitResult.served: "签收",
    VisitResult.left_with_refusal: "留置送达",
    VisitResult.nobody_home: "无人在家",
    VisitResult.moved: "已搬离",
    VisitResult.wrong_address: "地址错误",
}
SERVING_RESULTS = {
    VisitResult.served: AttemptOutcome.served,
    VisitResult.left_with_refusal: AttemptOutcome.left_with_refusal,
}
# The address itself is no good: it is marked invalid so no later method goes back to it.
ADDRESS_FAILURES = frozenset({VisitResult.moved, VisitResult.wrong_address})
