from enum import StrEnum

from backend.deliveries.enums import AttemptOutcome


class VisitResult(StrEnum):
    """What the officer found at the door."""

    served = "served"  # handed to the party (本人签收)
    served_to_family = "served_to_family"  # handed to an adult family member living there (同住成年家属代收)
    left_with_refusal = "left_with_refusal"  # refused and left (留置送达)
    nobody_home = "nobody_home"
    moved = "moved"
    wrong_address = "wrong_address"


VISIT_RESULT_LABELS = {
    VisitResult.served: "本人签收",
    VisitResult.served_to_family: "成年家属代收",
    VisitResult.left_with_refusal: "留置送达",
    VisitResult.nobody_home: "无人在家",
    VisitResult.moved: "已搬离",
    VisitResult.wrong_address: "地址错误",
}
SERVING_RESULTS = {
    VisitResult.served: AttemptOutcome.served,
    VisitResult.served_to_family: AttemptOutcome.served,
    VisitResult.left_with_refusal: AttemptOutcome.left_with_refusal,
}
# The address itself is no good: it is marked invalid so no later method goes back to it.
ADDRESS_FAILURES = frozenset({VisitResult.moved, VisitResult.wrong_address})
# A visit that did not serve fails its attempt with its own reason (not one generic "unreachable").
FAILURE_OUTCOMES = {
    VisitResult.nobody_home: AttemptOutcome.nobody_home,
    VisitResult.moved: AttemptOutcome.moved,
    VisitResult.wrong_address: AttemptOutcome.wrong_address,
}
