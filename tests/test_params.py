"""TraceParams: each parameter declared once (help text and values taken), and
validation, the command line and the docs reading that declaration."""

from __future__ import annotations

import math

import pytest

from wiretrace.params import Knob, TraceParams


def test_every_parameter_declares_its_help_and_its_values():
    for name in TraceParams.names():
        knob = TraceParams.knob(name)
        assert isinstance(knob, Knob) and knob.help.endswith(".") and len(knob.help) > 15
        assert knob.kind in (int, float)
        knob.check(name, getattr(TraceParams(), name))  # the default is a value it takes
    with pytest.raises(KeyError):
        TraceParams.knob("no_such_parameter")


@pytest.mark.parametrize(("name", "value", "words"), [
    ("seed_ngram", 0, "seed_ngram must be a positive integer, got 0"),
    ("seed_ngram", 2.0, "must be a positive integer, got 2.0"),
    ("seed_ngram", True, "must be a positive integer, got True"),
    ("max_gap", -1, "max_gap must be a non-negative integer, got -1"),
    ("max_df", 1, "max_df must be None or an integer >= 2, got 1"),
    ("story_min_share", 0, "story_min_share must be in (0, 1], got 0"),
    ("story_min_share", 1.5, "must be in (0, 1], got 1.5"),
    ("lsh_threshold", math.nan, "must be in (0, 1], got nan"),
    ("close_in_time_days", -1, "close_in_time_days must be a non-negative number, got -1"),
    ("close_in_time_days", math.inf, "must be a non-negative number, got inf"),
    ("close_in_time_days", "2", "must be a non-negative number, got '2'"),
])
def test_a_bad_value_fails_at_once_naming_the_parameter(name, value, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        TraceParams(**{name: value})


def test_values_at_the_bounds():
    assert TraceParams(story_min_share=1, close_in_time_days=0, max_df=None, max_gap=0)
    assert TraceParams(max_df=2).effective_max_df(10**6) == 2
    assert TraceParams().effective_max_df(100) == 10 and \
        TraceParams().effective_max_df(10**6) == 100
