"""bench/spam_wave.py, small: a wave through the real comment view leaves no spam visible and loses no
real comment, with the shipped rate limits."""

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_RATE_LIMITS

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[1] / "bench" / "spam_wave.py"


def _bench():
    spec = importlib.util.spec_from_file_location("spam_wave", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_small_spam_wave_shows_no_spam_and_loses_no_real_comment(settings):
    settings.PNYX_COMMENT_RATE_LIMITS = DEFAULT_RATE_LIMITS
    bench = _bench()
    tally = bench.wave(bots=80, bot_addresses=2, regulars=4, newcomers=3)
    assert tally.bot["sent"] == 80 and tally.visible_spam == 0
    assert tally.bot["refused 429"] > 0 and tally.bot["spam"] > 0 and tally.bot["pending"] > 0
    assert tally.real_lost == 0 and tally.real["approved"] > 0 and tally.real["pending"] == 3
    assert "spam visible              0" in bench.report(tally)
