"""Word tables for synthesis and derivation: the token pattern, stop words,
synonyms, insertable and deletable words, British/American spellings and the
function-word groups a synthetic text may swap within.
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[^\W_]+")  # wiretrace's token, for Latin script
SPLIT_RE = re.compile(r"([^\W_]+)")
STOP = frozenset("""
a an the and or but nor of to in on at by for from with without into onto over under
about above below after before since until during as than then that this these those
there here it its is are was were be been being has have had having do does did done
will would shall should can could may might must not no yes he she they we you i him
her them us me his hers their theirs our your my who whom whose which what when where
why how all any both each few more most other some such only own same so too very just
also said says say if while because though although whether up down out off again
further once per via mr mrs ms dr one two three four five six seven eight nine ten
""".split())
# word -> synonym for light rewording (applied both ways, case kept)
SYNONYMS = dict(p.split("/") for p in """
said/stated rose/climbed fell/dropped big/large buy/purchase show/reveal help/assist
start/begin plan/proposal firm/company rise/increase cut/reduce chief/head
quickly/rapidly expected/anticipated major/key important/significant talks/negotiations
deal/agreement officials/authorities warned/cautioned announced/unveiled profit/earnings
government/administration country/nation shares/stock about/around despite/notwithstanding
strong/robust weak/sluggish rival/competitor people/individuals told/informed
results/figures sales/revenues move/step biggest/largest decision/ruling
""".split())
SYNONYMS.update({v: k for k, v in list(SYNONYMS.items())})
INSERTABLE = ("also", "now", "still", "reportedly", "recently", "further", "already",
              "meanwhile", "later", "again")
DELETABLE = frozenset("also now still just very then however already recently even "
                      "further really currently".split())
_ISE_ROOTS = ("organ|recogn|real|critic|apolog|final|priorit|emphas|author|privat|"
              "character|summar|minim|maxim|stabil|mobil|legal|subsid|util|modern|"
              "special|central|capital|normal|standard|global|liberal|symbol|harmon|"
              "penal|nation|computer|rational|optim|custom|categor|jeopard|scrutin|"
              "familiar|formal|industrial|commercial|memor|visual|neutral|polar")
BRITISH_AMERICAN = [
    (re.compile(rf"\b((?:{_ISE_ROOTS})i)s(e|ed|es|ing|ation|ations)\b"), r"\1z\2"),
    (re.compile(rf"\b((?:{_ISE_ROOTS})i)z(e|ed|es|ing|ation|ations)\b"), r"\1s\2"),
    (re.compile(r"\b(lab|fav|col|behavi|neighb|hon|harb|rum|hum|vig)our(s|ed|ing|ite|ites)?\b"),
     r"\1or\2"),
    (re.compile(r"\b(cent|theat|met|fib)re(s)?\b"), r"\1er\2"),
    (re.compile(r"\b(defen|offen|licen)ce(s)?\b"), r"\1se\2"),
    (re.compile(r"\bprogramme(s)?\b"), r"program\1"),
]
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*\s+[\"'(\[]*$")
_UPPER = re.compile(r"[A-Z]")
# Function words a synthetic text may swap within their group, so that it never keeps
# a long run of its skeleton's words ("as I have said it was of ...").
FUNCTION_GROUPS = [g.split() for g in (
    "you he she we they it one", "is was are were seems looks remains",
    "has have had gets", "be become stay", "am feel",
    "will would can could may might should must cannot",
    "of in on at for with from by into over under about after before",
    "the a this that its his her their our your my some each",
    "and but or because although while if though whereas",
    "not also just still very so only even then now really",
    "what which who whom whose where when how why whether",
    "there here today soon later", "said says added noted stressed")]
_CUES = {w: k for k, w in enumerate(
    "the a an to will would could should may might can has have had is was are were be "
    "been being of in for and its his her their said by with on at from that it he she they "
    "we not also".split())}
