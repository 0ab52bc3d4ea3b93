"""The fake answers every recorded request as the real Infisical server did.

tests/infisical/recording/calls.jsonl holds 181 exchanges with a real server. They are replayed in
order against a fresh fake (tests/infisical/recording/replay.py), and each answer must have the recorded
status, error name and message, and keys (tests/infisical/recording/exchanges.py). One test per line, so a
failure names the call.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.infisical import FakeInfisical

from .recording.exchanges import load
from .recording.replay import Outcome, Replay

EXCHANGES = load()


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[int, Outcome]]:
    with FakeInfisical(internet=False) as fake:  # the recorded server could not reach GitHub
        replay = Replay(fake, EXCHANGES)
        try:
            yield {outcome.exchange.index: outcome for outcome in replay.run()}
        finally:
            replay.close()


@pytest.mark.parametrize("index", range(len(EXCHANGES)), ids=[str(e) for e in EXCHANGES])
def test_the_fake_answers_like_the_real_server(outcomes: dict[int, Outcome], index: int) -> None:
    outcome = outcomes[index]
    assert outcome.differences == [], "\n".join(outcome.differences)


def test_the_recording_is_complete() -> None:
    assert len(EXCHANGES) == 181
    assert {e.status for e in EXCHANGES} == {200, 400, 401, 403, 404, 422, 500}
