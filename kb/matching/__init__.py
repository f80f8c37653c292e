"""Pure matching: text against signatures (:mod:`.signatures`), versions against an
entry's condition sets (:mod:`.versions`)."""

from kb.matching.signatures import (
    CompiledSignature,
    certain_words,
    choose_fragment,
    compile_signature,
    could_match,
    from_prepared,
    prepare,
    required_literal,
    required_literals,
    scan_words,
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
    "choose_fragment",
    "compile_signature",
    "contains",
    "could_match",
    "evaluate",
    "from_prepared",
    "prepare",
    "required_literal",
    "required_literals",
    "scan_words",
    "versions_in_range",
]
