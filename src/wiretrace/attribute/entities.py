"""Who a source or medium is, whatever the text calls it.

``The Associated Press``, ``the AP news agency`` and ``AP`` are one outlet;
a person named in full once is the same person when a later sentence calls
them by surname, and "he" or "she" is the last person credited when that
person is the sentence's subject.  The rules, in order:

1. strip what does not name: determiners, possessive 's, and the kind of
   outlet ("news agency", "broadcaster", "newspaper");
2. an outlet's known names and abbreviations (``OUTLET_ALIASES``) give its
   short name;
3. a name of capitalised words is kept whole; a later surname alone is the
   earlier full name;
4. a pronoun is the last named source, if there is one;
5. a description ("the spokeswoman") is the person last described so;
6. anything else (an anonymous "a Western military official") is its own
   text without its determiner; versions are compared case-blind.
"""

from __future__ import annotations

import re

# short name: the names and forms an outlet goes by (lowercase, no determiner)
OUTLET_ALIASES: dict[str, tuple[str, ...]] = {
    "AP": ("ap", "associated press", "the associated press", "ap news agency"),
    "Reuters": ("reuters", "reuters news agency", "thomson reuters"),
    "AFP": ("afp", "agence france-presse", "agence france presse", "france-presse"),
    "VOA": ("voa", "voice of america"),
    "BBC": ("bbc", "bbc news", "british broadcasting corporation"),
    "CNN": ("cnn",),
    "France 24": ("france 24", "france24"),
    "Al Jazeera": ("al jazeera", "aljazeera"),
    "BFM": ("bfm", "bfmtv", "bfm tv"),
    "Bloomberg": ("bloomberg", "bloomberg news"),
    "The New York Times": ("new york times", "nyt"),
    "The Washington Post": ("washington post",),
    "The Wall Street Journal": ("wall street journal", "wsj"),
    "The Guardian": ("guardian",),
    "Politico": ("politico",),
    "Fox News": ("fox news",),  # not "fox": Liam Fox is no outlet
    "NBC": ("nbc", "nbc news"),
    "ABC": ("abc", "abc news"),
    "CBS": ("cbs", "cbs news"),
    "NPR": ("npr", "national public radio"),
    "Xinhua": ("xinhua", "xinhua news agency"),
    "TASS": ("tass",),
    "Interfax": ("interfax",),
    "Kyodo": ("kyodo", "kyodo news"),
    "Vanguard": ("vanguard",),
    "dpa": ("dpa", "deutsche presse-agentur"),
}
ALIAS_TO_OUTLET = {alias: short for short, aliases in OUTLET_ALIASES.items()
                   for alias in aliases}
# words that say a source is an outlet even when its name is not in the table
MEDIUM_WORDS = re.compile(r"\b(news agency|agency|broadcaster|television|tv|radio|newspaper|"
                          r"daily|gazette|times|post|journal|news|press|media|outlet|"
                          r"magazine|website|channel|network|wire)\b", re.I)
OUTLET_KIND = re.compile(r"\b(?:the\s+)?(news agency|agency|broadcaster|newspaper|"
                         r"daily|magazine|website|channel|network|news service)\b", re.I)
DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.I)
# a singular person's pronouns name the person last named; "they", "we" or
# "I" (inside a quote) name no one that can be told from the text alone
PRONOUNS = {"he", "she", "him", "her", "his"}
UNRESOLVED_PRONOUNS = {"they", "them", "we", "i", "you", "it"}
ORGANISATION_HEADS = {"company", "firm", "group", "bank", "agency", "ministry", "corporation",
                      "airline", "utility", "concern", "insurer", "maker", "producer"}
RELATIVES = {"who", "which", "that", "whom"}  # no entity of their own
# a name ending so is an organisation's, not a person's ("the Soufan Center")
ORGANISATION_WORDS = {"Center", "Centre", "Group", "Corp", "Inc", "Co", "Bank", "Ministry",
                      "Agency", "University", "Institute", "Council", "Party", "Union",
                      "Company", "Association", "Committee", "Department", "Office", "Court",
                      "Army", "Forces", "Government", "Republic", "Federation", "Board",
                      "Exchange", "Fund", "Reserve", "Commission", "House", "Senate",
                      "Congress", "Parliament", "Assembly", "Organisation", "Organization",
                      "Foundation", "Trust", "Securities", "Holdings", "Industries", "Ltd",
                      "Corporation", "Times", "Post", "News", "Service", "Authority"}
MARKED_NAME = re.compile(r"<([^<>\n]{2,60})>")
ORGANISATION_NAME = re.compile(r"(?:[A-Z][\w&.-]*[ ]){1,4}(?:Inc|Corp|Co|Ltd|Plc|PLC|Bank|Group|"
                               r"Corporation|Company|Holdings|Industries|Airlines)\b\.?")
# words that open a source span without being part of the name
LEADING_WORDS = {"But", "And", "Earlier", "Meanwhile", "However", "Also", "Then", "So", "Yet",
                 "Now", "Still", "Later", "Separately", "Elsewhere", "In", "On", "At"}
TITLE = re.compile(r"(?:Gen|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Adm|Prof|Rev|President|"
                   r"Minister|General|Chairman|Chairwoman|Secretary|Chancellor|Governor|Senator|"
                   r"Mayor|Chief|Director|Ambassador|Judge|King|Queen|Prince|Pope|Premier|"
                   r"Spokesman|Spokeswoman|Spokesperson|Commissioner|Inspector|Detective|MP|"
                   r"Lord|Lady|Sir|Dame|Investor|Analyst|Economist|Trader|Broker|Banker|"
                   r"Lawyer|Attorney|Official|Executive|Officer|Manager|Vice|Deputy|Leader|"
                   r"Head|Partner|Founder|Editor|Correspondent|Professor|Adviser|Advisor|"
                   r"Counsel|Representative|Treasurer)\.?")
FULL_NAME = re.compile(r"(?<![\w.])(?:[A-Z][a-z]+\.?[ ]+)?[A-Z][a-z’'-]+(?:[ ]+[A-Z][a-z’'-]+)+")
NAME_WORD = re.compile(r"[A-Z][\w’'.-]*")
# the endings of plural roles, which open sentences capitalised: Forecasters,
# Analysts, Officials, Residents
PLURAL_ROLE = re.compile(r"(?:ers|sts|ians|ants|ents|ors|ives|ials|ies|ans|ees)$")
NAME_LINKS = {"of", "de", "du", "la", "le", "van", "von", "der", "al", "bin", "da", "del"}


def leading_name(text: str) -> str | None:
    """The name a source span gives, if any: the last run of capitalised words of
    its head (before any comma), "Wassim Nasr, a journalist" -> "Wassim Nasr",
    "ministry spokeswoman Anne-Claire Legendre" -> "Anne-Claire Legendre".

    A run counts when it closes the head or has two words or more: in "a
    Western military official" no one is named.  A possessive ("Niger's new
    junta") names the owner, not the source: no name."""
    head = text.split(",")[0].split()
    runs: list[list[str]] = []
    current: list[str] = []
    closes = False
    for i, word in enumerate(head):
        if NAME_WORD.fullmatch(word) or (current and (word.lower() in NAME_LINKS
                                                      or word.isdigit())):
            current.append(word)
            closes = i == len(head) - 1
        else:
            if current:
                runs.append(current)
            current, closes = [], False
    if current:
        runs.append(current)
    found = None
    for run in runs:
        while run and run[-1].lower() in NAME_LINKS:
            run.pop()
        if run and run[0].lower() in {"the", "a", "an"}:
            run = run[1:]
        if not run or (len(run) < 2 and run is not runs[-1]):
            continue
        if len(run) < 2 and not closes:
            continue
        found = run
    if found is None or re.search(r"[’']s$", found[-1]) and not closes:
        return None
    titles = [k for k, word in enumerate(found) if TITLE.fullmatch(word)]
    if titles and titles[-1] < len(found) - 1:
        found = found[titles[-1] + 1:]  # "Finance Minister Jane Doe" -> "Jane Doe"
    if len(found) == 1 and PLURAL_ROLE.search(found[0]):
        return None  # "Forecasters said": a sentence's capital, not a name
    return re.sub(r"[’']s$", "", " ".join(found).rstrip(".")) or None


def outlet_of(text: str) -> str | None:
    """The outlet's short name, when ``text`` names a known one."""
    plain = DETERMINER.sub("", text.strip()).lower()
    plain = re.sub(r"[’']s\b", "", plain)
    plain = OUTLET_KIND.sub("", plain)
    plain = " ".join(plain.replace(",", " ").split())
    if plain in ALIAS_TO_OUTLET:
        return ALIAS_TO_OUTLET[plain]
    for size in (3, 2, 1):  # "the AP news agency", "broadcaster BFM": the name inside
        words = plain.split()
        for i in range(len(words) - size + 1):
            found = ALIAS_TO_OUTLET.get(" ".join(words[i:i + size]))
            if found:
                return found
    return None


def is_medium(text: str) -> bool:
    return outlet_of(text) is not None or bool(MEDIUM_WORDS.search(text))


class EntityResolver:
    """Normalises the sources of one article in reading order, remembering the
    people already named (for surnames and pronouns)."""

    def __init__(self, text: str = "") -> None:
        self.people: dict[str, str] = {}  # surname -> full name
        # full names anywhere in the text, so that "Mody" is "Salifou Mody" even
        # when the first mention is not a source ("a coup leader, Gen. Salifou Mody")
        self.mentions: list[tuple[int, str]] = []  # (where, full name) of every person
        for run in FULL_NAME.finditer(text):
            words = run.group().split()
            titles = [k for k, word in enumerate(words) if TITLE.fullmatch(word)]
            words = words[titles[-1] + 1:] if titles else words  # "Finance Minister X Y"
            organisation = words and words[-1] in ORGANISATION_WORDS \
                or text[max(0, run.start() - 4):run.start()].lower() == "the "
            if len(words) >= 2 and not is_medium(run.group()) and not organisation \
                    and words[0] not in LEADING_WORDS:
                self.people.setdefault(words[-1], " ".join(words))
                self.mentions.append((run.start(), " ".join(words)))
        # organisations named anywhere, for "the company said": Reuters marks them
        # <Integrated Generics Inc>, others end on Inc, Corp, Bank ...
        self.organisations: list[tuple[int, str]] = [
            (m.start(), " ".join(m.group(1).split())) for m in MARKED_NAME.finditer(text)]
        self.organisations += [(m.start(), m.group()) for m in ORGANISATION_NAME.finditer(text)
                               if text[max(0, m.start() - 1):m.start()] != "<"]
        self.organisations.sort()
        self.last_named: str | None = None
        self.last_named_at = -1
        self.named: set[str] = set()  # the entities resolve() gave as names
        self.roles: dict[str, str] = {}  # full name -> how its source span described it

    def _person_before(self, at: int | None) -> str | None:
        """The person last named before ``at``: as a source, or anywhere in the text."""
        if at is None:
            return self.last_named
        mentioned = [(where, name) for where, name in self.mentions if where < at]
        if mentioned and mentioned[-1][0] > self.last_named_at:
            return self.people.get(mentioned[-1][1].split()[-1], mentioned[-1][1])
        return self.last_named

    def resolve(self, text: str, at: int | None = None) -> str | None:
        """The entity a source span names; ``at``: where the span starts (for pronouns)."""
        text = " ".join(text.replace("<", " ").replace(">", " ").split())
        words = text.split()
        while len(words) > 1 and words[0] in LEADING_WORDS:  # "But Blair", "Earlier X"
            words = words[1:]
        text = " ".join(words)
        if not text:
            return None
        lowered = text.lower()
        if lowered in PRONOUNS:
            return self._person_before(at)
        if lowered in RELATIVES or lowered in UNRESOLVED_PRONOUNS:
            return None
        outlet = outlet_of(text)
        if outlet:
            self.named.add(outlet)
            return outlet
        name = leading_name(text)
        if name:
            parts = name.split()
            if len(parts) == 1 and parts[0] in self.people:
                name = self.people[parts[0]]
            elif len(parts) >= 2 and not is_medium(name):
                self.people.setdefault(parts[-1], name)
                self.roles[name] = lowered
            self.last_named = name
            self.last_named_at = at if at is not None else self.last_named_at
            self.named.add(name)
            return name
        described = DETERMINER.sub("", text).rstrip(".,")
        head = described.lower().split()[-1] if described else ""
        if head in ORGANISATION_HEADS and len(described.split()) <= 2:
            # "the company said": the organisation last named before
            named = [name for where, name in self.organisations if at is None or where < at]
            if named:
                self.named.add(named[-1])
                return named[-1]
        # "the spokeswoman" after "ministry spokeswoman Anne-Claire Legendre"
        for person, role in reversed(self.roles.items()):
            if head and re.search(rf"\b{re.escape(head)}\b", role) and len(described.split()) <= 2:
                return person
        return described or None


# cues of saying, reporting or vouching: "asked for", "rejected" or "wants"
# are attributions in PolNeAR's sense, but credit no one for information
CREDIT_CUE = re.compile(
    r"\b(?:sa(?:id|ys?|ying)|t(?:old|ells?|elling)|report\w*|according|quot\w*|cit(?:e|ed|es|ing)"
    r"|confirm\w*|den(?:y|ied|ies|ying)|warn\w*|announc\w*|stat(?:e|ed|es|ing|ement)"
    r"|add(?:ed|s|ing)?|wr(?:ote|ites?|iting)|tweet\w*|post(?:ed|s)|claim\w*|insist\w*"
    r"|expla\w*|describ\w*|comment\w*|acknowledg\w*|admit\w*|argu\w*|assert\w*"
    r"|not(?:ed|es|ing)|recall\w*|reveal\w*|disclos\w*|estimat\w*|predict\w*"
    r"|suggest\w*|urg(?:e|ed|es|ing)|interview\w*|spok(?:e|en)|speaking|vow\w*|pledg\w*"
    r"|promis\w*|accus\w*|alleg\w*|blam\w*|call(?:ed|s|ing)?|show(?:ed|s|n)|found"
    r"|conclu\w*|testif\w*|declar\w*|repl\w*|respond\w*|believ\w*|think\w*|thought"
    r"|expect\w*|learn(?:ed|t))\b", re.I)
# what no source is: a function word the tagger took for one
NOT_A_SOURCE = {"can't", "cannot", "not", "one", "it", "this", "that", "there", "what",
                "which", "who", "whom", "these", "those", "here", "so", "also"}


MAX_SOURCE_WORDS = 8


# "did not say", "declined to comment", "would not confirm": no one vouches
NEGATED_CUE = re.compile(r"\b(?:not|n[’']t|never|declined|refused|no)\b", re.I)


def is_credit(cue_text: str, source_text: str | None, entity: str | None,
              before_cue: str = "") -> bool:
    """Whether an attribution credits someone for information (see ``CREDIT_CUE``);
    ``before_cue``: the few words before the cue, where a negation would be."""
    if not entity or not source_text or not CREDIT_CUE.search(cue_text):
        return False
    if NEGATED_CUE.search(cue_text) or NEGATED_CUE.search(" ".join(before_cue.split()[-2:])):
        return False
    words = [w.strip(".,").lower() for w in entity.split()]
    # a description of a dozen words is a clause the tagger took for a source
    return bool(words) and words[-1] not in NOT_A_SOURCE and len(words[-1]) > 1 \
        and len(words) <= MAX_SOURCE_WORDS
