"""Generation: distinct random codes in chunks, checked against storage as they go.

Randomness arrives as a ``random.Random`` (``secrets.SystemRandom`` unless a test injects a
seeded one).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Container, Generator
from random import Random

from perks.domain.coupon_codes._settings import MAX_VALID_CHARACTERS, PLACEHOLDER, CodeSettings
from perks.domain.errors import Conflict

CHUNK_SIZE = 10_000
# Rounds of drawing in a row that yield no new code before the space counts as exhausted;
# with at most half the space in use, 200 fruitless rounds happen with probability < 2**-200.
_MAX_FRUITLESS_ROUNDS = 200


def generate_codes(
    settings: CodeSettings,
    count: int,
    *,
    taken: Callable[[str], bool] | Container[str] = (),
    random: Random | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Generator[list[str], Collection[str] | None, None]:
    """Yield ``count`` distinct codes in chunks of ``chunk_size``, none of them ``taken``.

    Storage checks a whole chunk at once; if some codes turn out to exist, it sends them back
    and receives as many replacements (which it checks in turn) before the next chunk::

        codes = generate_codes(settings, count)
        for chunk in codes:
            while clashes := repository.existing(chunk):
                repository.insert(c for c in chunk if c not in clashes)
                chunk = codes.send(clashes)
            repository.insert(chunk)

    A code never comes twice, rejected ones included. Raises ``Conflict`` when the space runs
    out (everything else taken). The default source is ``secrets.SystemRandom``: codes must not
    be guessable from one another.
    """
    if count < 0 or chunk_size < 1:
        raise ValueError("count must be >= 0 and chunk_size >= 1")
    draw = _Drawer(settings, random if random is not None else secrets.SystemRandom())
    is_taken = _taken_predicate(taken)
    seen: set[str] = set()
    remaining = count
    while remaining > 0:
        chunk = _fresh(draw, min(chunk_size, remaining), seen, is_taken)
        remaining -= len(chunk)
        rejected = yield chunk
        while rejected:
            clashes = set(rejected)
            if not clashes <= set(chunk):
                raise ValueError("only codes of the chunk just yielded can be sent back")
            chunk = _fresh(draw, len(clashes), seen, is_taken)
            rejected = yield chunk


def _taken_predicate(taken: Callable[[str], bool] | Container[str]) -> Callable[[str], bool] | None:
    if callable(taken):
        return taken
    if isinstance(taken, Collection) and not taken:
        return None
    return taken.__contains__


def _fresh(
    draw: _Drawer, wanted: int, seen: set[str], is_taken: Callable[[str], bool] | None
) -> list[str]:
    fresh: list[str] = []
    fruitless = 0
    while len(fresh) < wanted:
        codes = draw(wanted - len(fresh))
        if is_taken is None and not fresh:
            # The common case, in C: nothing collides, so the chunk goes out as drawn.
            drawn = set(codes)
            if len(drawn) == len(codes) and seen.isdisjoint(drawn):
                seen |= drawn
                return codes
        before = len(fresh)
        for code in codes:
            if code in seen:
                continue
            seen.add(code)
            if is_taken is None or not is_taken(code):
                fresh.append(code)
        fruitless = 0 if len(fresh) > before else fruitless + 1
        if fruitless > _MAX_FRUITLESS_ROUNDS:
            details = f"no unused code is left for {wanted - len(fresh):,} more codes"
            raise Conflict(details, pointer="/numberOfCoupons")
    return fresh


_LATIN_1 = range(256)


class _Drawer:
    """Draws codes many at a time: random bytes become characters by ``bytes.translate`` and
    fill a buffer of templates by slice assignment, so Python does no per-character work."""

    def __init__(self, settings: CodeSettings, random: Random) -> None:
        characters = settings.characters
        assert 1 <= len(characters) <= MAX_VALID_CHARACTERS
        template = settings.prefix + settings.pattern
        assert "\n" not in template
        assert "\n" not in characters
        # One byte per character when Latin-1 can hold them, else four (UTF-32).
        narrow = all(ord(c) < len(_LATIN_1) for c in template + "".join(characters))
        self._encoding, self._width = ("latin-1", 1) if narrow else ("utf-32-le", 4)
        self._random = random
        self._record = (template + "\n").encode(self._encoding)
        self._slots = [i for i, c in enumerate(template) if c == PLACEHOLDER]
        # Bytes at or above the largest multiple of the alphabet's size are dropped,
        # so that every character is equally likely.
        accepted = 256 - 256 % len(characters)
        self._acceptance = accepted / 256
        self._reject = bytes(range(accepted, 256))
        encoded = [c.encode(self._encoding) for c in characters]
        self._planes = [
            bytes(encoded[b % len(characters)][plane] for b in range(256))
            for plane in range(self._width)
        ]

    def __call__(self, n: int) -> list[str]:
        needed = n * len(self._slots)
        kept = b""
        while len(kept) < needed:
            extra = int((needed - len(kept)) / self._acceptance * 1.02) + 16
            kept += self._random.randbytes(extra).translate(None, self._reject)
        kept = kept[:needed]
        buffer = bytearray(self._record * n)
        step = len(self._record)
        for plane, table in enumerate(self._planes):
            characters = kept.translate(table)
            for k, slot in enumerate(self._slots):
                buffer[slot * self._width + plane :: step] = characters[k * n : (k + 1) * n]
        codes = buffer.decode(self._encoding).split("\n")
        codes.pop()
        return codes
