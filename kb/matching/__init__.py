"""Pure matching: text against signatures (:mod:`.signatures`), versions against an
entry's condition sets (:mod:`.versions`)."""

from kb.matching.signatures import (
    CompiledSignature,
    certain_words,
    compile_signature,
    from_prepared,
    prepare,
    required_literal,
    required_literals,
)
from kb.matching.versions import (
    Applicability,
    Condition,
    ConditionResult,
    ConditionSet,
    Evaluation,
    Known,
    SetResult,
    at_or_past,
    canonical,
    contains,
    evaluate,
    versions_in_range,
)

__all__ = [
    "Applicability",
    "CompiledSignature",
    "Condition",
    "ConditionResult",
    "ConditionSet",
    "Evaluation",
    "Known",
    "SetResult",
    "at_or_past",
    "canonical",
    "certain_words",
    "compile_signature",
    "contains",
    "evaluate",
    "from_prepared",
    "prepare",
    "required_literal",
    "required_literals",
    "versions_in_range",
]
