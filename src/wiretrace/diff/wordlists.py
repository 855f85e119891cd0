"""The small word lists that tell a change of meaning from a change of spelling.

Used by :mod:`wiretrace.diff.spelling` (what is not a spelling variant) and
:mod:`wiretrace.diff.facts` (what kind of fact a word change alters); the English
word pairs that veto a spelling variant are in :mod:`wiretrace.diff.lexicon`.  All words
are normalised (:func:`wiretrace.text.tokens.normalise_word`: case-folded, accents
removed); English, the language of the wire copy wiretrace is tuned on.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["CALENDAR_WORDS", "MODALS", "NEGATIONS", "NUMBER_WORDS", "TITLES",
           "is_negation", "is_opposite", "modal_of"]

# Cardinals, ordinals and multipliers: "three" -> "four" is a changed figure.
NUMBER_WORDS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
ninety hundred hundreds thousand thousands million millions billion billions trillion
trillions dozen dozens first second third fourth fifth sixth seventh eighth ninth tenth
eleventh twelfth twentieth hundredth thousandth half twice thrice double triple quadruple
bn mln
""".split())

# Days, months and relative days: "Monday" -> "Tuesday" is a changed date.  Month
# names that are also words (may, march) count only when capitalised (facts.py).
CALENDAR_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan feb mar apr jun jul aug sep sept
oct nov dec today yesterday tomorrow tonight weekend
""".split())

# Words that deny what follows; "n't" endings are found by their spelling.
NEGATIONS = frozenset("not no never without nor neither none nobody nothing cannot".split())

# Modal verbs, and the contracted negatives that carry one ("won't" is "will not").
MODALS = frozenset("will would could may might must should can shall ought".split())
_CONTRACTED = {"won": "will", "wouldn": "would", "couldn": "could", "shouldn": "should",
               "can": "can", "mustn": "must", "mightn": "might", "shan": "shall"}

# Titles before a name: "Gen." -> "General" is not another person named.
TITLES = frozenset("""
mr mrs ms miss dr prof sir lord lady gen general sen senator rep gov governor lt col colonel
sgt capt captain cmdr adm admiral maj major pres president rev st mt ft
""".split())

# Words of one sense against words of the other: increase -> decrease is the news.
_OPPOSITES = [(a.split(), b.split()) for a, b in (
    ("rise rises rising rose risen increase increases increased increasing raise raises raised "
     "raising grow grows grew grown growing climb climbs climbed climbing jump jumps jumped "
     "surge surges surged soar soared soars gain gains gained gaining boost boosts boosted "
     "hike hikes hiked up higher highest upward upwards expand expanded expands expansion "
     "strengthen strengthened strengthens",
     "fall falls falling fell fallen decrease decreases decreased decreasing cut cuts cutting "
     "reduce reduces reduced reducing lower lowered lowers lowering shrink shrinks shrank "
     "shrunk decline declines declined declining drop drops dropped dropping slip slipped "
     "slips plunge plunged plunges loss losses lose loses lost losing down lowest downward "
     "downwards contract contracted contraction weaken weakened weakens"),
    ("more most", "less least fewer fewest"),
    ("profit profits surplus surpluses", "loss losses deficit deficits"),
    ("win wins winning won victory", "lose loses losing lost defeat defeated"),
    ("above over", "below under"),
    ("before earlier early", "after later late"),
    ("approve approves approved approving approval accept accepts accepted accepting "
     "confirm confirms confirmed admit admits admitted",
     "reject rejects rejected rejecting rejection refuse refuses refused deny denies denied"),
    ("buy buys buying bought buyer buyers", "sell sells selling sold seller sellers"),
    ("support supports supported supporting for pro", "oppose opposes opposed opposing against"),
    ("strong stronger strongest", "weak weaker weakest"),
    ("positive better best good", "negative worse worst bad"),
    ("large larger largest big bigger biggest", "small smaller smallest"),
    ("open opens opened opening", "close closes closed closing shut"),
    ("start starts started begin began begun", "end ends ended finish finished stop stopped"),
    ("first", "last"), ("maximum", "minimum"), ("majority", "minority"),
    ("guilty convicted", "innocent acquitted"), ("true", "false"), ("alive", "dead"),
    ("success successful succeeded succeed", "failure failed fail fails unsuccessful"),
    ("allow allows allowed permit permitted lift lifted", "ban bans banned forbid forbade "
     "impose imposed"),
    ("north northern", "south southern"), ("east eastern", "west western"),
    ("bullish", "bearish"), ("inflow inflows", "outflow outflows"),
)]
_SIDES: dict[str, set[tuple[int, int]]] = {}
for _group, (_one, _other) in enumerate(_OPPOSITES):
    for _side, _words in enumerate((_one, _other)):
        for _word in _words:
            _SIDES.setdefault(_word, set()).add((_group, _side))
# Prefixes that turn a word into its opposite: one side bare or both swapped.
_NEGATING_PREFIXES = frozenset(("un", "in", "im", "ir", "il", "dis", "non", "anti", "de"))
_SWAPPED_PREFIXES = (("in", "ex"), ("in", "de"), ("im", "ex"), ("in", "out"), ("up", "down"),
                     ("over", "under"), ("pro", "anti"), ("inc", "dec"))
_MIN_STEM = 4


@lru_cache(maxsize=65536)
def is_opposite(x: str, y: str) -> bool:
    """Whether normalised words ``x`` and ``y`` say opposite things: a listed pair
    (rise/fall, approve/reject) or the same stem under opposite prefixes
    (includes/excludes, increase/decrease, direct/indirect, likely/unlikely)."""
    for group, side in _SIDES.get(x, ()):
        if (group, 1 - side) in _SIDES.get(y, ()):
            return True
    short, long = sorted((x, y), key=len)
    if len(short) >= _MIN_STEM and long.endswith(short) \
            and long[:len(long) - len(short)] in _NEGATING_PREFIXES:
        return True
    for p, q in _SWAPPED_PREFIXES:
        for u, v in ((x, y), (y, x)):
            if u.startswith(p) and v.startswith(q) and u[len(p):] == v[len(q):] \
                    and len(u) - len(p) >= _MIN_STEM:
                return True
    return False


def modal_of(norm: str) -> str | None:
    """The modal verb a normalised word is or contracts (``wouldn't`` -> would)."""
    if norm in MODALS:
        return norm
    if norm == "cannot":
        return "can"
    if norm.endswith("n't"):
        return _CONTRACTED.get(norm[:-2])
    return None


def is_negation(norm: str) -> bool:
    """Whether a normalised word (apostrophes straight) denies: not, never, didn't."""
    return norm in NEGATIONS or norm.endswith("n't")

