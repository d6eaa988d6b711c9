"""Custom effects as stored: a rule vocabulary definition, the applications that may use it, and
when it was created and changed (Talon.One's ``CustomEffect``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from perks.domain.vocabulary import CustomEffectDefinition

__all__ = ["CustomEffect"]


@dataclass(frozen=True, slots=True)
class CustomEffect:
    definition: CustomEffectDefinition
    application_ids: tuple[int, ...]
    created: datetime
    modified: datetime

    @property
    def id(self) -> int:
        return self.definition.id
