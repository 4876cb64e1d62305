"""Search over structured passages: BM25 term rarity, section titles, the sector glossary and fuzzy matching.

Ranking, in one pass over an inverted index (numpy, so it stays fast on a corpus 20x the bundled one):

1. The question is normalised ("1:1" -> onetoone), a word the corpus does not know is replaced by its
   closest corpus word (rapidfuzz OSA distance: "supervison", "retrun"), stop words are dropped and
   the rest stemmed (Snowball). Each content word (or glossary phrase) is a *group*: the words
   themselves, their glossary alternatives (acronyms, synonyms; phrases must stand side by side) and
   corpus words sharing their stem's start ("advert" ~ "advertisement").
2. Each group scores every passage by its best alternative: BM25 over the passage text plus a bonus
   when the word is in the passage's section path (section titles say what a passage is about); a rare
   name ("Odgers") also counts, in part, for a passage whose section's other passages use it.
3. Coverage: the share of the question's rarity (idf) that the passage matches. Passages that match
   only the common part of a question lose to those that match its specific words. A word the standards
   seldom use but everyday English uses a lot ("supposed", "never"; wordfreq) counts less of that rarity.
   Structure adds small boosts: the organisation the question names, timescales for "how often", roles
   for "who", numbers for "how many", lists for "what should it cover".
4. The best candidates are re-ranked with word-pair proximity and rapidfuzz token-set similarity, and
   passages holding the asker's own words letter for letter (not just their stems) gain a little.
5. Meaning breaks near-ties: each candidate gains its cosine closeness to the question (a small sentence
   encoder, knowledge/semantic.py) in units of the best word score. Words choose the candidates; meaning
   re-orders them.

Answer kinds shape the ranking too: "how many" is partly answered by a passage stating a quantity, "where"
favours a destination or place, "what questions should we ask" a passage that asks them.

The search abstains (no results) when even the best passage covers too little of the question, unless
the question is long and the best passage still matches several of its rare ideas, or the best passage
is very close to the question in meaning and covers nearly enough of it, or words and meaning choose the
same best passage and it covers a little less (a quarter, in a long question describing a situation).
It also abstains when the best passage lacks the question's main idea (one idea holding half its rarity:
"jury" of "jury service leave for staff"), or shares only names with the question ("Magdalen House" of
"is there staff parking at Magdalen House").
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.glossary import ACRONYMS, CHAT_WORDS, GLOSSARY, rewrite
from knowledge.parse import StructuredPassage, roles_in
from knowledge.semantic import PassageVectors, question_vector, question_vector_soon, sentences_of, vectors_of

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 0.45  # a question word in the section path counts this much of its idf
COVERAGE_FLOOR = 0.35  # score = BM25 x (floor + coverage): coverage of the question's rarity matters most
PROXIMITY_WEIGHT = 0.35
FUZZY_WEIGHT = 0.02  # per point of rapidfuzz token_set_ratio (0-100) between question and passage
CANDIDATES = 40
ROLE_BOOST = 0.1  # per role the question names that the passage is about ...
SECTION_ROLE_BOOST = 0.2  # ... and more when its section is headed by that role ("3. Service Managers")
OPENING_BOOST = 0.3  # a question about a document itself favours the document's opening, which says what it is for
INTENT_BOOST = 0.15  # "how often" questions favour passages with timescales, "who" ones passages naming roles
WHERE_BOOST = 0.3  # "where do I send it": passages naming a destination, a place or an address
NUMBER_BOOST = 0.3  # "how many": passages that state a quantity (not a year, date or reference)
PRIOR_DISTINCT = 0.6  # passages with a smaller share of distinct words (form templates) are slightly demoted
PRIOR_POWER = 0.5
STUB_WORDS = 8  # a passage of fewer content words than this is a stub (a form field, a minute) ...
STUB_POWER = 0.5  # ... demoted by (words / STUB_WORDS) ** STUB_POWER
TYPO_TRUST = 1.0  # a corrected word counts its similarity squared ("supervison": 0.83)
TYPO_SIMILARITY = 0.8  # 1 - edits / length: one slip in five letters
TYPO_SURE = 0.9  # the trust of a correction with no close rival candidate ...
TYPO_MARGIN = 0.1  # ... none within this similarity of the best
LONG_WORD = 9  # a word this long may carry two slips ("superviosn": a swap and a dropped letter) ...
LONG_TYPO_SIMILARITY = 0.7  # ... so it is corrected at a lower similarity
SENTENCE_WEIGHT = 0.9  # the best single sentence (or list item) matching the question: words that answer it together
LONG_GROUPS = 8  # a question of this many ideas or more describes a situation ...
UNKNOWN_IN_LONG_WEIGHT = 0.3  # ... where a word the standards never use counts this share of its rarity
ASKED_WEIGHT = 0.3  # a question word found only in the passage's example questions counts this share of its idf ...
ASKED_COVER = 0.8  # ... and this share of its place in the question's coverage (README, "Words of the examples")
SEMANTIC_WEIGHT = 2.5  # closeness in meaning (cosine) counts this share of the best word score (README, "Meaning")
FURTHER_COVERAGE = 0.5  # a second or third result holds at least this share of MIN_COVERAGE
RELATIVE_FLOOR = 0.3  # a second or third result scores at least this share of the best
MIN_COVERAGE = 0.48  # below this share of the question's rarity the search abstains
AGREED_COVERAGE = 0.38  # ... or this much when words and meaning choose the same best passage
LONG_AGREED = 0.25  # ... or, in a long question (LONG_GROUPS ideas or more), this much when they agree
MIN_SCORE = 2.0
ANSWER_KIND_WORDS = frozenset(
    {"deadline", "deadlines", "timescale", "timescales", "timeframe", "frequency", "how long", "how often", "how quickly",
     "how soon", "how fast", "how many", "how much", "number of", "date", "dates", "time", "number", "phone", "email", "address",
     "contact", "name", "colour", "color", "template", "form", "link", "question", "questions", "list", "process"}
)
MAIN_IDEA_SHARE = 0.5  # ... or when the best passage lacks the one idea holding this share of the question's rarity
LONG_EVIDENCE = 12.0  # ... unless it matches this much idf (two or three rare ideas of a long question) ...
LONG_COVERAGE = 0.2  # ... and at least this share
MEANING_ANSWERS = 0.45  # ... or when the best passage is this close in meaning (closeness; of 180 questions the
MEANING_COVERAGE = 0.2  # standards do not cover, none got answered this way) and covers this share of the rarity
NOT_COVERED = 0.5  # withhold the answer when an example question the standards do not cover is this close ...
NOT_COVERED_MARGIN = 0.05  # ... and closer than the best passage by this much ...
NOT_COVERED_COVERAGE = 0.7  # ... unless the best passage holds this share of the question's rarity (README,
# "Questions the standards do not cover": "return to work interview" is close to "return home interview")
FAR_MEANING = 0.35  # withhold a best passage this far in meaning (closeness below this) ...
FAR_MEANING_PLAIN = 0.3  # ... or this far, for a passage no example question speaks for (an imported one) ...
FAR_COVERAGE = 0.7  # ... that holds less than this share of the question's rarity (README, "Far in meaning")
SPELT_MEANING = True  # closeness in meaning: the nearer of the question as typed and with its acronyms spelt out
WINDOW_CHARS = 700
WINDOW_MEANING = 1.0  # the answer's first line: its words' score plus this x its cosine, in units of the best line's
PAIRS_WITHIN_SENTENCES = True  # a phrase's words must stand together in one sentence or line

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't dont down
    during each few for from further get gets got had has have having he her here hers herself him himself
    his how i i'd i'm i've if in into is isn't it it's its itself just let's me more most my myself no nor
    not of off on once only or other ought our ours ourselves out over own same shall she should shouldn't
    so some such than that that's the their theirs them themselves then there there's these they they're
    this those through to too under until up very was wasn't we we're were weren't what what's when where
    which while who whom why will with won't would wouldn't you your yours yourself yourselves s t ok okay
    please thanks thank know need needs want wants anyone someone something anything everyone
    whats hows whos wheres does do did ask asking hi hello also any us really
    i'll we'll standard standards policy rule rules guidance say says said mean means
    cant wont isnt arent hasnt havent doesnt didnt shouldnt couldnt wouldnt mustnt
    im ive youre theyre weve hes shes thats theres whens onto upon""".split()
)

_STEMMERS = threading.local()  # a Snowball stemmer keeps its working state on itself: one per thread


def _stemmer():
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer


KNOWN_STEMS: dict[str, str] = {}  # preloaded from the bundled corpus cache: the stemmer is pure Python


# words the stemmer would merge though they mean different things: "informal" (an informal process) is not
# "inform" (tell) nor "information"
STEM_EXCEPTIONS = {
    "informal": "informal", "informally": "informal", "informality": "informal",
    "busy": "busy", "busier": "busy", "busiest": "busy",  # not "business"
    "careful": "careful", "carefully": "careful",  # not "care"
    "positive": "positiv", "positively": "positiv", "positives": "positiv", "positivity": "positiv",  # not "position"
    "situated": "situated",  # where something is, not a "situation"
    "initiative": "initiativ", "initiatives": "initiativ",  # not "initial"
    "integrity": "integrity",  # not "integrate"
    "relative": "relativ", "relatively": "relativ",  # not "relate"
    "respective": "respectiv", "respectively": "respectiv",  # not "respect"
    "willing": "willing", "willingness": "willing",  # not "will"
    "allowance": "allowanc", "allowances": "allowanc",  # money paid, not "allowed"
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[word]
    known = KNOWN_STEMS.get(word)
    return known if known is not None else _stemmer().stemWord(word)


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NUMBER_UNIT = re.compile(r"^(\d+)([a-z]+)$")
_UNITS = {
    "h": "hour", "hr": "hour", "hrs": "hours", "hour": "hour", "hours": "hours", "min": "minutes", "mins": "minutes",
    "minutes": "minutes", "d": "day", "day": "day", "days": "days", "wk": "week", "wks": "weeks", "week": "week",
    "weeks": "weeks", "mth": "month", "mths": "months", "month": "month", "months": "months", "yr": "year",
    "yrs": "years", "year": "year", "years": "years", "am": "am", "pm": "pm",
}
_NEGATED = {"don": "do", "won": "will", "can": "can", "shan": "shall"}
_CONTRACTED = {"ll": "will", "re": "are", "ve": "have", "d": "would", "m": "am"}


def words(text: str) -> list[str]:
    """Lower-case words of a text, after the glossary's written-form rewrites ("1:1" -> onetoone)."""
    out = []
    for w in _WORD.findall(rewrite(text.lower().replace("’", "'"))):
        if "'" in w:
            base, _, suffix = w.partition("'")
            if suffix == "t" and base.endswith("n"):
                # "isn't" -> "is not", so "not at work" reads the same either way
                out += [_NEGATED.get(base, base[:-1]), "not"]
                continue
            if suffix in _CONTRACTED:
                out += [base, _CONTRACTED[suffix]]  # "we'll" -> "we will", not "well"
                continue
            w = base if suffix == "s" else base + suffix
        unit = _NUMBER_UNIT.match(w)
        if unit and unit.group(2) in _UNITS:
            out += [unit.group(1), _UNITS[unit.group(2)]]  # "1hr" -> "1 hour", "6wks" -> "6 weeks"
            continue
        out.append(w)
    return out


def question_words(text: str) -> list[str]:
    """The words of a question as the search reads them: `words`, with chat spellings read as the words ("pls")."""
    return [CHAT_WORDS.get(w, w) for w in words(text)]


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


@dataclass(frozen=True)
class PassageTokens:
    """What the index needs of a passage: body stems in order, section-path stems, surface words, and the stems
    of the example questions that speak for it (`knowledge/example_questions.json`; none for an import).

    `breaks` are the positions in `body` where a new sentence or line starts: two words either side of one
    are not a phrase ("... the team.\n- Meetings ..." is not "team meeting").
    """

    body: list[str]
    title: list[str]
    surface: list[str]
    breaks: list[int] = field(default_factory=list)
    asked: list[list[str]] = field(default_factory=list)  # the content stems of each example question it answers


_SENTENCE_END = re.compile(r"(?<=[.;!?:])\s+(?=[A-Z0-9\"“(-])|\n|\s\|\s")


def passage_tokens(passage: StructuredPassage) -> PassageTokens:
    """Tokenise a passage for the index (the bundled corpus ships these precomputed)."""
    surface = sorted(
        {w for w in words(passage.text + " " + " ".join(passage.headings)) if len(w) >= 4 and not w.isdigit() and w not in STOP_WORDS}
    )
    body: list[str] = []
    breaks: list[int] = []
    for piece in _SENTENCE_END.split(passage.text):
        stems = content_stems(piece)
        if stems and body:
            breaks.append(len(body))
        body += stems
    return PassageTokens(body, content_stems(" > ".join(passage.headings)), surface, breaks)


def pair_key(a: str, b: str) -> str:
    """Two stems standing next to each other (stop words aside), in either order."""
    return f"{a} {b}" if a <= b else f"{b} {a}"


@dataclass
class Group:
    """One idea of the question: its word(s) and the stem sequences that may stand for it, with weights.

    An alternative of several stems ("home working") matches a passage only when all of them occur in it.
    """

    word: str
    alts: dict[tuple[str, ...], float] = field(default_factory=dict)
    idf: float = 0.0

    def add(self, stems: tuple[str, ...], weight: float) -> None:
        if stems and self.alts.get(stems, 0.0) < weight:
            self.alts[stems] = weight

    @property
    def terms(self) -> dict[str, float]:
        """Every stem of the group with its best weight (for proximity and answer windows)."""
        out: dict[str, float] = {}
        for stems, weight in self.alts.items():
            for s in stems:
                out[s] = max(out.get(s, 0.0), weight)
        return out


# Everyday words that carry little of a question's meaning: they count less towards coverage, so a
# question is not judged unanswerable just because the standards never say "whose" or "gave".
LIGHT_WORDS = frozenset(
    """able actually allowed already always another around away back bad best better big came come comes
    could cover covers day days different doing done drop either else enough even ever every everything exactly far
    feel fill fills find first hold holds holding held gave get getting give given go goes going gone good got happen happens
    hard help helps involved keep kind knew knows knowing last least less let like little long look looking lot lots made
    make makes making many may might much must new next nothing now often old one ones other
    others own part people per person point put question questions quick quickly rather really rid right run runs ran running same
    see seen set side since sort still stuff such sure take takes taking tell tells thing things think time times
    today twice two type use used using usually want way ways well whatever whenever whether whole whose
    supposed meant expected allowed ok okay fine went honestly literally seriously obviously definitely apparently hopefully mad crazy manic hectic
    tomorrow yesterday tonight monday tuesday wednesday thursday friday mondays fridays
    roughly approximately approx etc re bit basically anything something someone anyone maybe perhaps loads
    try tries trying tried ended wondering
    work works worker workers working write writes writing wrote written year years yes yet""".split()
)
LIGHT_WEIGHT = 0.35
VARIANT_WEIGHT = 0.65  # a word sharing the asker's word's stem-start ("advert" ~ "advertisement")
PART_WEIGHT = 0.75  # one word of a glossary phrase standing alone ("team" of "team meeting")
PART_POWER = 3.0  # ... and less the longer the phrase: "work" alone says little of "return to work meeting"
SECTION_RARE = 0.75  # a question word this rare (share of the rarest possible idf) that a passage lacks ...
SECTION_WORD_WEIGHT = 0.7  # ... but its section's other passages use counts this much ("Odgers" of a report's section)
NAMES_ONLY_SHARE = 0.25  # abstain when the best passage shares only names with the question and lacks an idea this big
NAME_CAPITALISED = 0.8  # a word the standards capitalise this often inside sentences is a name
# a Title-case word inside a sentence: after a word, a comma or a bracket (not a full stop, line start or bullet)
_INNER_TITLE = re.compile(r"(?:(?<=[\w,'’)] )|(?<=[\w,'’)] \())([A-Z][a-z'’]+)\b")
_LOWER_WORD = re.compile(r"(?<![\w'’])([a-z][a-z'’]+)\b")
_CALENDAR = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)", re.I)
SURFACE_BOOST = 0.2  # the asker's own word, letter for letter, beats a word that merely shares its stem
VARIANT_MIN = 0.7  # the asker's own words, their parts of a phrase and acronyms get stem variants, never looser synonyms


# A question word the standards seldom use (idf at least RARE_SHARE of the rarest possible) but everyday
# English uses a lot ("supposed", "never", "left") weighs less: from Zipf frequency GENERAL_FROM (wordfreq)
# down to GENERAL_MIN at GENERAL_FROM + GENERAL_SPAN. Topic words the standards use often are not touched.
GENERAL_FROM = 4.0
GENERAL_SPAN = 2.0
GENERAL_MIN = 0.35
RARE_SHARE = 0.5


@lru_cache(maxsize=65536)
def everyday_weight(phrase: str) -> float:
    """How much a question word says about the topic, by how common it is in everyday English (wordfreq).

    A word the standards rarely use gets a high idf, but if it is an everyday word ("supposed", "never",
    "done") it is not what the question is about; a rare English word ("laptop", "appraisal") keeps its weight.
    """
    zipf = min((everyday_zipf(w) for w in phrase.split()), default=0.0)
    return max(GENERAL_MIN, min(1.0, 1.0 - (zipf - GENERAL_FROM) / GENERAL_SPAN * (1.0 - GENERAL_MIN)))


ABBREVIATION_MIN = 4  # a chat abbreviation this long or longer ("freq", "perf", "superv") ...
ABBREVIATION_MAX = 7
ABBREVIATION_TRUST = 0.8  # ... is read as the corpus word it begins, trusted like an acronym's spelling-out
REAL_WORD_ZIPF = 3.0  # an unknown question word this common in everyday English is spelt right: never "corrected"


ACRONYM_MAX = 6  # an acronym of up to this many letters ...
EVERYDAY_ACRONYM_ZIPF = 4.0  # ... as common as this in everyday English ("smart", "oh") is spelt out only in capitals


@lru_cache(maxsize=1)
def _spelt_out() -> tuple[dict[str, str], re.Pattern[str]]:
    """Each acronym of the glossary and its first spelling-out ("wfh" -> "working from home")."""
    table = {
        entry[0]: next(p for p in entry[1:] if " " in p or len(p) > ACRONYM_MAX)
        for entry in ACRONYMS
        if " " not in entry[0] and len(entry[0]) <= ACRONYM_MAX and any(" " in p or len(p) > ACRONYM_MAX for p in entry[1:])
    }
    return table, re.compile(r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b", re.I)


def spell_out(question: str, keep: frozenset[str] = frozenset()) -> str:
    """The question with the glossary's acronyms spelt out, for the sentence encoder, which learnt few of them;
    the acronyms in `keep` (names of councils and documents: "NPT") stay as written."""
    table, pattern = _spelt_out()

    def spelt(m: re.Match[str]) -> str:
        word = m.group(0)
        if word.lower() in keep:
            return word
        if not word.isupper() and everyday_zipf(word.lower()) >= EVERYDAY_ACRONYM_ZIPF:
            return word  # "smart goals", "oh no": everyday words, unless typed as an acronym
        return table[word.lower()]

    return pattern.sub(spelt, question)


@lru_cache(maxsize=4096)
def everyday_zipf(word: str) -> float:
    """A word's Zipf frequency in everyday English: wordfreq's "small" English list."""
    if _PLAIN_WORD.fullmatch(word):
        return _everyday_table().get(word, 0.0)
    from wordfreq import zipf_frequency  # digits, apostrophes, other scripts: wordfreq's own tokenising

    return zipf_frequency(word, "en", wordlist="small")


_PLAIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _everyday_table() -> dict[str, float]:
    """wordfreq's small English list read from its data file, as `wordfreq.zipf_frequency` reads it for a
    plain lower-case word. Importing wordfreq itself (its tokenisers, langcodes, ftfy) costs a quarter of a
    second of start-up; the file is a list of buckets of words, bucket i holding the words of frequency
    10^(-i/100), rounded to three significant digits (a test compares every word with wordfreq's answer)."""
    import gzip
    import importlib.util
    from pathlib import Path

    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "small_en.msgpack.gz"
    with gzip.open(path, "rb") as f:
        data = msgpack.load(f, raw=False)
    header, buckets = data[0], data[1:]
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"unexpected wordfreq data: {header!r}")
    table: dict[str, float] = {}
    for i, bucket in enumerate(buckets):
        if bucket:
            freq = 10 ** (-i / 100)
            freq = round(freq, math.floor(-math.log10(freq)) + 3)
            zipf = round(math.log10(freq) + 9, 2)
            for w in bucket:
                table[w] = zipf  # as wordfreq reads it: a word in two buckets has the later one
    return table


_VARIANT_SPELLINGS = (
    (re.compile(r"(ti|cen|fen|pen)c(e|es|ed|ing)$"), r"\1s\2"),  # practice ~ practise, licence ~ license
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # organise ~ organize
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),  # analyse ~ analyze
    (re.compile(r"our(s|ed|ing|able|ite|ites)?$"), r"or\1"),  # behaviour ~ behavior
    (re.compile(r"tre(s)?$"), r"ter\1"),  # centre ~ center
    (re.compile(r"ll(ed|ing|er|ers|or|ors)$"), r"l\1"),  # counselling ~ counseling, cancelled ~ canceled
    (re.compile(r"gramme(s)?$"), r"gram\1"),  # programme ~ program
    (re.compile(r"dgement(s)?$"), r"dgment\1"),  # judgement ~ judgment
    (re.compile(r"ogue(s)?$"), r"og\1"),  # catalogue ~ catalog
    (re.compile(r"^inquir"), "enquir"),  # inquiry ~ enquiry
    (re.compile(r"isor(s|y)?$"), r"iser\1"),  # advisor ~ adviser
    (re.compile(r"(fulfi|enro|insta)ll"), r"\1l"),  # fulfill ~ fulfil, enroll ~ enrol, installment ~ instalment
    (re.compile(r"eing$"), "ing"),  # ageing ~ aging
)


def _spelling_key(word: str) -> str:
    for pattern, replacement in _VARIANT_SPELLINGS:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=1)
def _stemmed_glossary() -> tuple[dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]], int]:
    """The glossary keyed by stemmed phrases, so "sick notes" and "fit notes" match their entries."""
    table: dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]] = {}
    for phrase, alternatives in GLOSSARY.items():
        key = tuple(stem(w) for w in words(phrase))
        entry = table.setdefault(key, [])
        for alt, weight in alternatives:
            stems = tuple(content_stems(alt)) or tuple(stem(w) for w in words(alt))
            if stems and all(existing != stems for existing, _ in entry):
                entry.append((stems, weight))
    return table, max(len(k) for k in table)


def _put_right(question: str, fixes: dict[str, str]) -> str:
    """The question as typed, each slip replaced by the word it was taken for ("presenttation at interview -
    what do I need" -> "presentation at interview - what do I need"): the encoder reads it as if spelt right."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(fixes, key=len, reverse=True)) + r")\b", re.I)
    return pattern.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), question)


def _in_glossary_phrase(ws: list[str], i: int, glossary: dict, longest: int) -> bool:
    """Whether word i of a question stands in a phrase of two or more words that the glossary reads."""
    stems = [stem(w) for w in ws[max(0, i - longest + 1) : i + longest]]
    at = min(i, longest - 1)  # word i's place in `stems`
    return any(
        tuple(stems[a : a + n]) in glossary
        for n in range(2, longest + 1)
        for a in range(max(0, at - n + 1), at + 1)
        if a + n <= len(stems)
    )


@dataclass(frozen=True)
class Hit:
    """A search result: the passage, its score and the window of its text that best answers the question."""

    passage: StructuredPassage
    score: float
    coverage: float
    text: str


@dataclass(frozen=True)
class QueryPlan:
    groups: tuple[Group, ...]
    prefer_docs: frozenset[str]
    corrected: str | None  # the question with typos corrected, when any were
    meant: str | None = None  # the question as typed with only its slips put right, for the sentence encoder
    asks_when: bool = False  # "how often", "when", "how long", "deadline": passages with timescales help
    asks_who: bool = False  # "who", "whose job": passages naming roles help
    asks_where: bool = False  # "where do I send / record / find it": passages naming a destination help
    roles: tuple[str, ...] = ()  # roles the question names: passages about those roles help
    asks_number: bool = False  # "how many": passages that state a number help
    asks_contents: bool = False  # "what should it cover / include": passages that list things help
    asks_duration: bool = False  # "how long is a session", "how long should it last": a length of time, not a deadline
    about_document: bool = False  # "how do I use the self assessment": the document's opening says what it is for
    asks_date: bool = False  # a plain "when" ("motivational interviewing training when"): a date answers it too


_PLAIN_WHEN = re.compile(r"\bwhen\b(?! (?:do|does|should|must|will|can|are|is) (?:i|we|you|they|he|she|staff|managers?|it)\b)")
_WHEN = re.compile(r"\b(when|how (often|long|soon|quickly|fast|many days|frequently)|deadline|timescales?|frequency|within|at what (point|points|stage|stages))\b")
_HOW_MANY = re.compile(r"\b(how (many|much)|number of|total|percent|percentage|proportion|figures|stats|statistics|size)\b")
_COUNT = re.compile(r"[£$€]\s?\d|\b\d+(?:\.\d+)?\s?%|(?<![\d.])\b\d+\b(?!\.\d)|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|dozen)\b", re.I)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# a date an event is set for: "in the Autumn 2021", "by March 2022", "from September 2021"
_EVENT_DATE = re.compile(rf"\b(?:{_MONTHS}|spring|summer|autumn|winter|end of) (?:of )?(?:19|20)\d\d\b", re.I)
# numbers that are not quantities: years, dates, times and references ("May 2020", "29/09/21", "Appendix 6")
_NOT_COUNTS = re.compile(
    rf"\b(?:19|20)\d\d\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b"
    r"|\b\d{1,2}(?::\d\d)?\s*(?:am|pm)\b|\b\d{1,2}:\d\d\b"
    r"|\b(?:appendix|appendices|part|parts|section|page|pages|standard|paragraph|para|item|no|number)\s+\d+(?:\s*(?:-|to|and)\s*\d+)?\b",
    re.I,
)
_NUMBERING = re.compile(r"^[-\s]*\(?[a-z\d]{1,3}(\.\d+)*[.)]?\s", re.M)
_CONTENTS = re.compile(
    r"\b(what|which)\b(?:\W+[\w']+){0,6}?\W+(cover|covers|covered|include|includes|included|contain|contains|in it|on it|be in|be on|go in|goes in|go on|goes on|address|addresses|consist|written in|written into|put in|put into|specify|set out|spell out)\b"
    r"|\b(contents?|checklist|list of)\b"
    # "what were the competency areas", "key principles": a plural of the kind of thing a list holds
    r"|\b(?:what (?:are|were)|key|main|core)\b(?:\s+\w+){0,3}?\s+(?:areas|principles|values|steps|stages|elements|criteria|competencies|"
    r"options|reasons|types|kinds|duties|responsibilities|priorities|themes|lessons|features|benefits|factors)\b"
)
_CONTENTS_VERBS = frozenset({"go", "goes", "going", "went"})
_LIST_ITEM = re.compile(r"^\s*(?:[-•*]|\(?[a-z\d]{1,2}[.)])\s+\S", re.M)
_STEP_WORDS = frozenset({"day", "week", "month", "stage", "step", "part", "appendix", "standard"})
_QUESTION_WORDS = frozenset({"how", "when", "what", "which", "who", "where", "why"})
OTHER_ORG_WEIGHT = 0.1  # a question naming a council: other councils' passages count a tenth (rarely the answer)
SYNONYM_OWN_WEIGHT = 0.45  # below the glossary's answers (0.55): "often" alone says less than "monthly"
_DURATION_ASK = re.compile(
    r"\bhow long (?:is|are|should|does|do|will|must|can)\b(?!.*\b(?:got|have|take to|to (?:get|reply|respond|record|complete|do)|until|before|after)\b)"
    r".*\b(?:sessions?|meetings?|supervision|interviews?|visits?|appointments?|onetoone|sup|calls?|conversations?|be|last)\b"
    r"|\bhow long (?:does|do|should|will) (?:it|they|a|an|the|each|my|our)?\s*\w*\s*last\b|\bduration\b"
)
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s*(?:hours?|hrs?|minutes?|mins?)\b|\b(?:an?|one|two|half an?)\s+hours?\b|\bduration\b", re.I)
_OPENING = re.compile(r"^(?:\d+\.?\s*)?(?:introduction|purpose|purpose of (?:the )?(?:report|document)|summary|overview|about)\b", re.I)
_WHO = re.compile(r"\b(who|whose|which (manager|role))\b")
_WHERE = re.compile(r"\bwhere\b")
_PURPOSE = re.compile(r"\b(?:purpose|point of|used for|what is it for|for what|why (?:do|should|would|must) (?:we|i|managers))\b")
# a destination: where something is sent, recorded or kept ("returned to the HR Training team", "recorded on
# Mosaic", "situated in one building"), an e-mail address or a web address
_DESTINATION = re.compile(
    r"\b(?:sent|send|return|returned|submit|submitted|forward|forwarded|e-?mail|e-?mailed|record|recorded|upload|uploaded|"
    r"save|saved|store|stored|held|kept|filed|placed|available|located|situated|based(?! on)|found|accessed|published)\s+"
    r"(?:\w+\s+){0,2}?(?:on|in|to|at|within|via|from)\s+(?:the\s+)?[A-Za-z]"
    r"|\b(?:venue|room|building|premises|address|location|environment)s?\b|\S+@\S+\.\w+|https?://|\bwww\.",
    re.I,
)
# question words that ask for a time: a passage that sets a timescale ("within two working days", "by 31st
# August") answers them even when it never says "deadline" or "how long"
TIME_ASKS = frozenset(
    {"deadline", "deadlines", "timescale", "timescales", "timeframe", "frequency", "how long", "how often",
     "how quickly", "how soon", "how fast", "by when", "time limit", "cut off", "cut off date"}
)
COUNT_ASKS = frozenset({"how many", "how much", "number of", "size"})  # "TAF team size": how many staff
COUNT_WEIGHT = 0.3  # a stated quantity answers "how many" as a timescale answers "how long"
TIMESCALE_WEIGHT = 0.5  # below a synonym (0.55): a timescale somewhere in the passage is weaker evidence


def _sentence_score(toks: frozenset[str], group_alts) -> float:
    """The rarity of the question's ideas one sentence holds: per idea, its best alternative whose words
    are all in the sentence (`group_alts`: per idea, its rarity and its alternatives as (stem set, weight))."""
    return sum(idf * max((w for alt, w in alts if alt <= toks), default=0.0) for idf, alts in group_alts)


def _alternative_sets(plan: QueryPlan) -> list[tuple[float, list[tuple[frozenset[str], float]]]]:
    """Per idea of the question: its rarity and its alternatives as (set of stems, weight)."""
    return [(g.idf, [(frozenset(alt), w) for alt, w in g.alts.items()]) for g in plan.groups]


def _holds(group: Group, here: frozenset[str]) -> bool:
    """A passage (its stems `here`) holds an idea when all the words of one of its alternatives are in it."""
    return any(all(t in here for t in alt) for alt in group.alts)


class SearchIndex:
    """An inverted index over passages with BM25 weights precomputed per (stem, passage)."""

    def __init__(
        self,
        passages: Sequence[StructuredPassage],
        tokens: Sequence[PassageTokens] | None = None,
        vectors: PassageVectors | None = None,
    ) -> None:
        self.passages: tuple[StructuredPassage, ...] = tuple(passages)
        n = len(self.passages)
        self.size = n
        self.vectors = vectors if vectors is not None else vectors_of(self.passages)[0]
        if len(self.vectors) != n:
            raise ValueError(f"{len(self.vectors)} passage vectors for {n} passages")
        tokens = list(tokens) if tokens is not None else [passage_tokens(p) for p in self.passages]
        body_tokens = [t.body for t in tokens]
        title_tokens = [set(t.title) for t in tokens]
        self.token_seqs = body_tokens
        self.token_breaks = [t.breaks for t in tokens]
        self.token_sets = [frozenset(t) for t in body_tokens]
        self.title_sets = [frozenset(t) for t in title_tokens]
        self.joined = [" ".join(toks) for toks in body_tokens]
        lengths = np.array([len(t) for t in body_tokens], dtype=np.float32)
        avgdl = float(lengths.mean()) if n else 1.0
        df: Counter[str] = Counter()
        for toks, title in zip(body_tokens, title_tokens):
            df.update(set(toks) | title)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5) if n else 1.0
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for i, toks in enumerate(body_tokens):
            norm = K1 * (1 - B + B * float(lengths[i]) / avgdl)
            for term, tf in Counter(toks).items():
                ids, weights = postings[term]
                ids.append(i)
                weights.append(tf * (K1 + 1) / (tf + norm))
        self.body = {t: (np.array(ids, dtype=np.int32), np.array(ws, dtype=np.float32)) for t, (ids, ws) in postings.items()}
        title_post: dict[str, list[int]] = defaultdict(list)
        for i, title in enumerate(title_tokens):
            for term in title:
                title_post[term].append(i)
        self.title = {t: np.array(ids, dtype=np.int32) for t, ids in title_post.items()}
        pair_post: dict[str, set[int]] = defaultdict(set)
        for i, t in enumerate(tokens):
            cut = set(t.breaks) if PAIRS_WITHIN_SENTENCES else set()
            for k, (a, b) in enumerate(zip(t.body, t.body[1:]), start=1):
                if k not in cut:
                    pair_post[pair_key(a, b)].add(i)
            for a, b in zip(t.title, t.title[1:]):
                pair_post[pair_key(a, b)].add(i)
        self.pairs = {k: np.fromiter(sorted(v), np.int32, len(v)) for k, v in pair_post.items()}
        # the words of the example questions each passage answers: everyday words the passage itself never uses
        # ("sits right next to me" of "close daily proximity"), a weak field of their own
        asked_post: dict[str, set[int]] = defaultdict(set)
        asked_pairs: dict[str, set[int]] = defaultdict(set)
        for i, t in enumerate(tokens):
            for question in t.asked:
                for term in question:
                    asked_post[term].add(i)
                for a, b in zip(question, question[1:]):
                    asked_pairs[pair_key(a, b)].add(i)
        self.asked = {k: np.fromiter(sorted(v), np.int32, len(v)) for k, v in asked_post.items()}
        self.asked_pairs = {k: np.fromiter(sorted(v), np.int32, len(v)) for k, v in asked_pairs.items()}
        # a word only the examples use matches as rare as they make it, but is not a word of the standards: the
        # question's spelling is still corrected against the standards' own words (an example may hold a slip)
        self.asked_idf = {
            term: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5)) for term, ids in self.asked.items() if term not in self.idf
        }
        surface: dict[str, str] = {}
        for t in tokens:
            for w in t.surface:
                if w not in surface:
                    surface[w] = stem(w)
        self.surface_sets = [frozenset(t.surface) for t in tokens]
        # a section told in several passages shares its rare names: the passage on "173 managers assessed"
        # follows the one naming Odgers, the firm that assessed them; stem -> passages whose section uses it
        sections: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
        for i, p in enumerate(self.passages):
            sections[(p.doc.key, p.headings)].append(i)
        section_post: dict[str, list[int]] = defaultdict(list)
        for members in sections.values():
            if len(members) > 1:
                for term in frozenset().union(*(self.token_sets[i] for i in members)):
                    section_post[term].extend(members)
        self.section_post = {t: np.array(sorted(ids), dtype=np.int32) for t, ids in section_post.items()}
        # words the standards write capitalised inside a sentence (names: "Magdalen House", "Odgers", "Sheila")
        capitalised: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        for p in self.passages:
            capitalised.update(_INNER_TITLE.findall(p.text))  # a capital after a full stop, a line start or a
            lower.update(_LOWER_WORD.findall(p.text))  # bullet says nothing; nor does an acronym ("NQSW")
        by_stem_caps: Counter[str] = Counter()
        by_stem_lower: Counter[str] = Counter()
        for w, c in capitalised.items():
            if not _CALENDAR.match(w):  # nor does a month or a day
                by_stem_caps[stem(w.lower())] += c
        for w, c in lower.items():
            by_stem_lower[stem(w)] += c
        self.name_stems = frozenset(k for k, c in by_stem_caps.items() if c >= NAME_CAPITALISED * (c + by_stem_lower[k]))
        self.surface_words = list(surface)
        self.surface_stem = surface
        self.aliases: dict[str, set[str]] = defaultdict(set)
        for p in self.passages:
            # a short title of three words or more names its document ("WSCC Management Standards"); a shorter
            # one ("Home visits") is more likely the question's topic than a document's name
            titles = (p.doc.short_title,) if len(words(p.doc.short_title)) >= 3 else ()
            for alias in (*p.doc.aliases, *titles):
                self.aliases[alias.lower()].add(p.doc.key)
        # longest names first: "WSCC Management Standards" names one document, "WSCC" alone two
        self.alias_words = sorted(
            ((tuple(stem(w) for w in words(a)), docs) for a, docs in self.aliases.items()), key=lambda item: -len(item[0])
        )
        self.alias_vocab = frozenset(w for a in self.aliases for w in words(a))
        by_doc: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(self.passages):
            by_doc[p.doc.key].append(i)
        self.doc_index = {k: np.array(v, dtype=np.int32) for k, v in by_doc.items()}
        self.by_id = {p.id: p for p in self.passages}
        self.position = {p.id: i for i, p in enumerate(self.passages)}
        # form templates and repeated table labels ("Include: | Actions") say little: a mild prior against them
        # and so do stubs of a few words ("Start of PDR year:", "That the report be noted.")
        self.prior = np.array(
            [
                (min(1.0, (len(set(t)) / len(t)) / PRIOR_DISTINCT) ** PRIOR_POWER) * min(1.0, len(t) / STUB_WORDS) ** STUB_POWER
                if t else 0.5
                for t in body_tokens
            ],
            dtype=np.float32,
        )
        self.has_timescale = np.array([bool(p.timescales) for p in self.passages], dtype=bool)
        # each document's opening passages (its first, and those under an introduction or purpose heading)
        firsts = {p.doc.key: i for i, p in reversed(list(enumerate(self.passages)))}
        self.opening = np.array(
            [firsts[p.doc.key] == i or bool(p.headings and _OPENING.search(p.headings[-1])) for i, p in enumerate(self.passages)],
            dtype=bool,
        )
        self.duration_score = np.array([bool(_DURATION.search(p.text)) for p in self.passages], dtype=np.float32)
        self.timescale_score = self.has_timescale.astype(np.float32)
        self.has_date = np.array([bool(_EVENT_DATE.search(p.text)) for p in self.passages], dtype=bool)
        self.has_number = np.array([bool(_COUNT.search(_NOT_COUNTS.sub(" ", _NUMBERING.sub("", p.text)))) for p in self.passages], dtype=bool)
        self.count_score = self.has_number.astype(np.float32)
        # passages that ask questions ("What is working well?"), weighted like a word met that often (BM25's tf part)
        asked = np.array([p.text.count("?") for p in self.passages], dtype=np.float32)
        self.asks_questions = np.where(asked >= 2, asked * (K1 + 1) / (asked + K1), 0.0).astype(np.float32)
        self.has_questions = (asked >= 2).astype(np.float32)
        self.has_destination = np.array([bool(_DESTINATION.search(p.text)) for p in self.passages], dtype=bool)
        self.has_list = np.array([len(_LIST_ITEM.findall(p.text)) >= 3 for p in self.passages], dtype=bool)
        self.has_role = np.array([bool(p.roles) for p in self.passages], dtype=bool)
        role_members: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(self.passages):
            for role in p.roles:
                role_members[role].append(i)
        self.role_index = {r: np.array(v, dtype=np.int32) for r, v in role_members.items()}
        # a section headed by a role ("3. Service Managers", "4. Head of Service") is about that role
        section_members: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(self.passages):
            for role in roles_in(" > ".join(p.headings)):
                section_members[role].append(i)
        self.section_role_index = {r: np.array(v, dtype=np.int32) for r, v in section_members.items()}
        self._piece_cache: dict[int, list[tuple[str, frozenset[str]]]] = {}
        self._sentence_sets: dict[int, list[frozenset[str]]] = {}  # passage -> its sentences' stems (index side)
        self._where: dict[int, dict[str, list[int]]] = {}  # passage -> each stem's positions in it
        self._recent: dict[str, tuple[QueryPlan, list[tuple[int, float, float]]]] = {}
        self._agreed: dict[str, bool] = {}  # question -> words and meaning chose the same best passage
        self._lock = threading.Lock()
        self.sorted_stems = sorted(self.idf)
        self._typo_candidates: list[str] | None = None  # corpus words + everyday words, built on the first typo
        self._sorted_surface: list[str] | None = None  # corpus words in order, for abbreviations ("freq")
        self._variants: dict[str, str] | None = None  # corpus words by British/American spelling key, likewise
        everyday_weight("the")  # load the word-frequency table now, not on the first question

    # ---- the question --------------------------------------------------------------------------

    def knows(self, term: str) -> bool:
        return term in self.idf

    def variants(self, term: str) -> list[str]:
        """Corpus stems that differ from `term` only in a short ending ("advert" ~ "advertis", "frequenc" ~ "frequent")."""
        if len(term) < 5:
            return []
        out: list[str] = []
        for cut in range(len(term), max(4, len(term) - 3), -1):
            if cut < len(term) and cut < 6 and len(term) < 8:
                break  # "matern" must not become "materi": short shared prefixes are different words
            prefix = term[:cut]
            lo = bisect.bisect_left(self.sorted_stems, prefix)
            for other in self.sorted_stems[lo : lo + 8]:
                if not other.startswith(prefix):
                    break
                if other != term and len(other) - cut <= 3 and other not in out:
                    out.append(other)
            if out:
                break
        return out[:4]

    def _typo_words(self) -> list[str]:
        if self._typo_candidates is None:
            extra = sorted(w for w in STOP_WORDS | LIGHT_WORDS if len(w) >= 4 and w.isalpha() and w not in self.surface_stem)
            self._typo_candidates = self.surface_words + extra
        return self._typo_candidates

    def _spelling_variants(self) -> dict[str, str]:
        """The corpus's words by their spelling key: "counseling" finds "counselling"."""
        if self._variants is None:
            variants: dict[str, str] = {}
            for w in self.surface_words:
                variants.setdefault(_spelling_key(w), w)
            self._variants = variants
        return self._variants

    def _abbreviation(self, word: str) -> str | None:
        """The corpus word a chat abbreviation begins ("freq" -> frequency, "perf" -> performance): of the
        words at least two letters longer that start with it, the one whose stem the most passages use."""
        if not (ABBREVIATION_MIN <= len(word) <= ABBREVIATION_MAX and word.isalpha()):
            return None
        if self._sorted_surface is None:
            self._sorted_surface = sorted(self.surface_words)
        lo = bisect.bisect_left(self._sorted_surface, word)
        found: list[str] = []
        for other in self._sorted_surface[lo : lo + 200]:
            if not other.startswith(word):
                break
            if len(other) >= len(word) + 2:
                found.append(other)
        if not found:
            return None
        return min(found, key=lambda w: (self.idf.get(self.surface_stem[w], self.max_idf), len(w), w))

    def _split_compounds(self, ws: list[str]) -> list[str]:
        """A word the standards never use that is two words they do ("checkpoints" = check + points)."""
        glossary, _ = _stemmed_glossary()
        out: list[str] = []
        for w in ws:
            unknown = len(w) >= 7 and w.isalpha() and w not in STOP_WORDS and not self.knows(stem(w)) and (stem(w),) not in glossary
            if unknown and process.extractOne(w, self._typo_words(), scorer=OSA.normalized_similarity, score_cutoff=TYPO_SIMILARITY):
                unknown = False  # a slip ("lesssons"), which spelling correction mends
            if unknown:
                for k in range(len(w) - 3, 2, -1):  # the longest known first part
                    a, b = w[:k], w[k:]
                    if a in self.surface_stem and b in self.surface_stem or (
                        self.knows(stem(a)) and self.knows(stem(b)) and a not in STOP_WORDS and b not in STOP_WORDS
                        and len(a) >= 4 and len(b) >= 4
                    ):
                        out += [a, b]
                        break
                else:
                    out.append(w)
                continue
            out.append(w)
        return out

    def plan(self, question: str) -> QueryPlan:
        """Content-word groups of a question with glossary alternatives and typo corrections."""
        ws = question_words(question)
        # "min": minutes after a number ("90 min"), otherwise the minimum ("min frequency of team meetings")
        ws = self._split_compounds([("minutes" if k and ws[k - 1].isdigit() else "minimum") if w == "min" else w for k, w in enumerate(ws)])
        prefer: set[str] = set()
        consumed: set[int] = set()
        about_document = False
        glossary, longest = _stemmed_glossary()
        # spelling first, so a corrected word also gets its glossary meaning ("supervison" -> "supervision" -> 1:1)
        trust = [1.0] * len(ws)
        others: dict[int, list[tuple[str, float]]] = {}
        stem_fixes: dict[int, str] = {}
        fixes: dict[str, str] = {}  # slip -> the word it was taken for
        corrected = False
        for i, w in enumerate(ws):
            if w in self.alias_vocab or w in STOP_WORDS or len(w) < 4 or w.isdigit():
                continue
            if w.endswith("s") and stem(w) == w and (self.knows(w[:-1]) or (w[:-1],) in glossary):
                ws[i] = w[:-1]  # plural acronyms, which the stemmer leaves alone: "PDRs", "TMs", "IROs"
                continue
            if self.knows(stem(w)) or (stem(w),) in glossary or (w,) in glossary:
                continue
            if _in_glossary_phrase(ws, i, glossary, longest):
                continue  # part of a phrase the glossary reads ("dishing out" is allocation, not "wishing")
            if everyday_zipf(w) >= REAL_WORD_ZIPF:
                # a real word, not a slip ("notification" is not "identification", "lunch" not "launch"):
                # only its other spelling is read as the word the standards use ("counseling" ~ "counselling")
                variant = self._spelling_variants().get(_spelling_key(w))
                if variant:
                    ws[i] = variant
                    fixes[w] = variant
                    corrected = True
                continue
            full = self._abbreviation(w)
            if full:
                # a word cut short in chat ("freq", "perf", "superv"): the corpus word it begins
                ws[i], trust[i], corrected = full, ABBREVIATION_TRUST, True
                fixes[w] = full
                continue
            # OSA distance counts a swap of two letters ("retrun") as one edit; candidates are the corpus's
            # words and the everyday words the search ignores ("gidance" is "guidance", not a rare term)
            cutoff = LONG_TYPO_SIMILARITY if len(w) >= LONG_WORD else TYPO_SIMILARITY
            matches = process.extract(w, self._typo_words(), scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=3)
            if not matches and len(w) <= 5:
                # a short word with two letters swapped ("wrok", "fomr") is one slip, though a large share of it
                swaps = process.extract(w, self._typo_words(), scorer=OSA.distance, score_cutoff=1, limit=5)
                matches = [(m, TYPO_SIMILARITY, k) for m, _, k in swaps if len(m) == len(w) and sorted(m) == sorted(w)][:1]
            if matches:
                ws[i], best = matches[0][0], matches[0][1]
                # one close word, or one far closer than its rivals: the correction is near certain
                # ("trining" can only be "training"; "probbation" is "probation", not "protection")
                sure = len(matches) == 1 or best - matches[1][1] >= TYPO_MARGIN
                trust[i] = TYPO_TRUST * (max(best**2, TYPO_SURE) if sure else best**2)
                others[i] = [] if sure else [(stem(m), TYPO_TRUST * sc**2) for m, sc, _ in matches[1:]]
                fixes[w] = ws[i]
                corrected = True
                continue
            # a slip that also changes the ending ("appoving" ~ "approved"): compare stems
            own = stem(w)
            if len(own) >= 5:
                match = process.extractOne(own, self.sorted_stems, scorer=OSA.normalized_similarity, score_cutoff=TYPO_SIMILARITY)
                if match:
                    stem_fixes[i] = match[0]
                    trust[i] = TYPO_TRUST * match[1] ** 2
                    corrected = True
        # then the documents the question names (after spelling, so "WSCC Managment Standards" still names one)
        said = [stem_fixes.get(i) or stem(w) for i, w in enumerate(ws)]
        for alias_words, docs in self.alias_words:
            for i in range(len(ws) - len(alias_words) + 1):
                span = range(i, i + len(alias_words))
                if tuple(said[i : i + len(alias_words)]) == alias_words and not consumed.intersection(span):
                    prefer |= docs
                    consumed.update(span)
        if consumed and all(w in STOP_WORDS or w in LIGHT_WORDS for i, w in enumerate(ws) if i not in consumed):
            consumed.clear()  # the question is about a document itself ("how do I use the ..."): search its name too
            about_document = True
        elif consumed and _PURPOSE.search(" ".join(ws)):
            about_document = True  # "what is the self-assessment used for": its opening says
        stems = [stem_fixes.get(i) or stem(w) for i, w in enumerate(ws)]
        groups: dict[int, Group] = {}
        for i, w in enumerate(ws):
            if i in consumed or w in STOP_WORDS or (len(w) < 2 and not w.isdigit()):
                continue
            if w in LIGHT_WORDS and not self.knows(stems[i]) and (stems[i],) not in glossary and (w,) not in glossary:
                continue  # an everyday word the standards never use ("whatever", "stuff") says nothing here
            groups[i] = Group(word=w)
            groups[i].add((stems[i],), trust[i])
            for alt, weight in others.get(i, ()):
                groups[i].add((alt,), weight)
        i = 0
        while i < len(ws):
            for n in range(min(longest, len(ws) - i), 0, -1):
                key = tuple(stems[i : i + n])
                if n == 1 and key not in glossary and ws[i].endswith("s") and (ws[i][:-1],) in glossary:
                    key = (ws[i][:-1],)  # plural acronyms: "TMs", "IROs"
                if key not in glossary or any(j in consumed for j in range(i, i + n)):
                    continue
                if all(ws[j] in STOP_WORDS for j in range(i, i + n)):
                    continue  # a phrase of stop words alone ("ask for") must not become a rare idea of the question
                owner = next((j for j in range(i, i + n) if j in groups), None)
                if owner is None:
                    if n == 1:
                        break
                    owner = i
                    groups[owner] = Group(word=" ".join(ws[i : i + n]))
                certainty = min(trust[i : i + n])
                if n > 1:
                    # the phrase as a whole is the idea; each of its words alone is only part of it
                    share = PART_WEIGHT * min(1.0, 2 / max(1, sum(1 for j in range(i, i + n) if j in groups))) ** PART_POWER
                    parts = {alt: w * share for j in range(i, i + n) if j in groups for alt, w in groups[j].alts.items()}
                    for j in range(i, i + n):
                        groups.pop(j, None)
                    groups[owner] = Group(word=" ".join(ws[i : i + n]))
                    # a question phrase ("how often", "how long") asks for something; its word alone in a
                    # passage ("often termed differently") is weak evidence, the glossary's answers are better
                    asking = ws[i] in _QUESTION_WORDS
                    own_weight = SYNONYM_OWN_WEIGHT if asking else 1.0
                    groups[owner].add(tuple(s for j, s in enumerate(key) if ws[i + j] not in STOP_WORDS), certainty * own_weight)
                    for alt, weight in parts.items():
                        groups[owner].add(alt, weight * own_weight)
                for alt, weight in glossary[key]:
                    groups[owner].add(alt, weight * certainty)
                i += n - 1
                break
            i += 1
        # "day 4", "week 2": a numbered step of a procedure is one idea, its number alone ("4.") is not
        for i in sorted(groups):
            if ws[i] in _STEP_WORDS and i + 1 in groups and ws[i + 1].isdigit() and groups[i].word == ws[i]:
                step = Group(word=f"{ws[i]} {ws[i + 1]}")
                step.add((stems[i], ws[i + 1]), 1.0)
                step.add((stems[i],), PART_WEIGHT * 0.5)
                groups[i] = step
                del groups[i + 1]
        for group in groups.values():
            for alt, weight in list(group.alts.items()):
                if len(alt) == 1 and weight >= VARIANT_MIN and not alt[0].isdigit():
                    for variant in self.variants(alt[0]):
                        group.add((variant,), VARIANT_WEIGHT * weight)
        for i, group in groups.items():
            own = [self.idf[s] for s in content_stems(group.word) if s in self.idf]
            known = [max(self.idf.get(s, 0.0) for s in alt) for alt in group.alts if all(s in self.idf for s in alt)]
            if own:
                group.idf = max(own)  # the asker's own words decide how specific the idea is
                step = group.word.split()
                if len(step) == 2 and step[1].isdigit() and step[0] in _STEP_WORDS:
                    ids = self.pairs.get(pair_key(stem(step[0]), step[1]))  # "day 8" is rarer than "day" or "8"
                    if ids is not None:
                        group.idf = max(group.idf, math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5)))
            elif known:
                group.idf = max(known)  # an unknown word with a glossary meaning
            else:
                group.idf = self.max_idf * 0.9
            rare_here = not own or max(own) >= RARE_SHARE * self.max_idf  # the standards seldom use the asker's word
            everyday = everyday_weight(group.word) if rare_here else 1.0
            group.idf *= min(LIGHT_WEIGHT if group.word in LIGHT_WORDS else 1.0, everyday)
            if len(groups) >= LONG_GROUPS and not own and not known:
                # a manager describing a situation ("came back from a horrible visit really shaken up"): words the
                # standards never use colour the situation; in a short question such a word is the topic
                group.idf *= UNKNOWN_IN_LONG_WEIGHT
        lowered = " ".join(ws)
        if _CONTENTS.search(lowered):
            # "what has to go in it": "go" asks for contents, it is not a topic ("Jobs Go Public")
            groups = {i: g for i, g in groups.items() if g.word not in _CONTENTS_VERBS}
        ordered = tuple(groups[i] for i in sorted(groups))
        return QueryPlan(
            ordered,
            frozenset(prefer),
            " ".join(ws) if corrected else None,
            _put_right(question, fixes) if fixes else None,
            asks_when=bool(_WHEN.search(lowered)),
            asks_date=bool(_PLAIN_WHEN.search(lowered)) and not _DURATION_ASK.search(lowered),
            asks_who=bool(_WHO.search(lowered)),
            asks_where=bool(_WHERE.search(lowered)),
            asks_number=bool(_HOW_MANY.search(lowered)),
            asks_contents=bool(_CONTENTS.search(lowered)),
            asks_duration=bool(_DURATION_ASK.search(lowered)),
            about_document=about_document,
            roles=tuple(r for r in roles_in(question) if r != "HR"),
        )

    # ---- ranking -------------------------------------------------------------------------------

    def search(self, question: str, limit: int = 3) -> list[Hit]:
        """The best passages for a question, most relevant first; empty when nothing is relevant."""
        plan, ranked, (best_words, best_coverage, meaning) = self._ranked(question)
        if not ranked or limit <= 0:
            return []
        best_score = ranked[0][1]
        # answer when the best passage by words alone, or the best by words and meaning, covers enough of it
        best_coverage = max(best_coverage, ranked[0][2])
        evidence = best_coverage * sum(g.idf for g in plan.groups)
        # a long question (a manager describing a situation) has many ideas no one passage covers: enough
        # evidence in absolute terms answers it; so does a passage very close in meaning that shares
        # nearly enough of the question's words (high closeness is rare for a question the standards miss)
        enough = (
            best_coverage >= MIN_COVERAGE
            or (best_coverage >= AGREED_COVERAGE and self._agreed.get(question, False))
            or (len(plan.groups) >= LONG_GROUPS and best_coverage >= LONG_AGREED and self._agreed.get(question, False))
            or (evidence >= LONG_EVIDENCE and best_coverage >= LONG_COVERAGE)
            or (meaning >= MEANING_ANSWERS and best_coverage >= MEANING_COVERAGE)
        )
        if not enough or best_words < MIN_SCORE or self._misses_the_main_idea(plan, ranked[0][0]) or self._only_names(plan, ranked[0][0]):
            return []
        if best_coverage < NOT_COVERED_COVERAGE and self._asked_before_and_not_covered(plan.meant or question, meaning):
            return []
        if SEMANTIC_WEIGHT > 0 and best_coverage < FAR_COVERAGE and self._far_in_meaning(plan.meant or question, ranked[0][0], meaning):
            return []
        hits = []
        vector = question_vector(plan.meant or question) if SEMANTIC_WEIGHT > 0 and WINDOW_MEANING > 0 else None
        for i, score, coverage in ranked:
            if len(hits) >= limit or score < RELATIVE_FLOOR * best_score:
                break  # ranked by score: nothing further is close enough to the best
            if hits and coverage < MIN_COVERAGE * FURTHER_COVERAGE:
                continue  # further results must be relevant in their own right, not just the next best
            passage = self.passages[i]
            hits.append(Hit(passage, round(score, 3), round(coverage, 3), self.window(passage, plan, vector)))
        return hits

    def _far_in_meaning(self, question: str, best: int, meaning: float) -> bool:
        """The best passage is far in meaning from the question, read as asked and with its acronyms spelt
        out (the encoder learnt few: "WFH set up guidance")."""
        far = FAR_MEANING if self.vectors.has_examples(best) else FAR_MEANING_PLAIN  # examples bring passages closer
        if meaning >= far:
            return False
        spelt = spell_out(question)
        return spelt == question or self._closeness(spelt, best) < far

    def _asked_before_and_not_covered(self, question: str, meaning: float) -> bool:
        """Nearly a question known to be outside the standards ("private fostering notification - how many
        days?"), and nearer to it than to the best passage: a neighbouring passage shares its words, not
        its answer."""
        if SEMANTIC_WEIGHT <= 0 or not len(self.vectors.not_covered):
            return False
        gap = self.vectors.closest_not_covered(question_vector(question))
        return gap >= NOT_COVERED and gap > meaning + NOT_COVERED_MARGIN

    def _misses_the_main_idea(self, plan: QueryPlan, i: int) -> bool:
        """The best passage lacks the question's one idea that holds half its rarity or more ("jury" of "jury
        service leave for staff", "maternity" of "maternity pay rates"): it answers something else."""
        total = sum(g.idf for g in plan.groups)
        if not total or len(plan.groups) < 2:
            return False
        main = max(plan.groups, key=lambda g: g.idf)
        if main.idf < MAIN_IDEA_SHARE * total or main.word in ANSWER_KIND_WORDS:
            return False  # a word naming the kind of answer ("deadline", "colour") is not the topic
        here = self.token_sets[i] | self.title_sets[i]
        return not _holds(main, here)

    def _only_names(self, plan: QueryPlan, i: int) -> bool:
        """The best passage shares only names with the question (a place, a person, a firm: "Magdalen House")
        and lacks an idea holding a quarter of its rarity ("parking"): it is about the place, not the question."""
        if not NAMES_ONLY_SHARE:
            return False
        here = self.token_sets[i] | self.title_sets[i]
        total = sum(g.idf for g in plan.groups) or 1.0
        matched = [g for g in plan.groups if _holds(g, here)]
        missing = [g for g in plan.groups if g not in matched and g.word not in ANSWER_KIND_WORDS]
        matched = [g for g in matched if g.word not in LIGHT_WORDS and g.word not in ANSWER_KIND_WORDS]  # "one", "how many"
        return bool(matched) and all(
            all(t in self.name_stems for t in content_stems(g.word)) and content_stems(g.word) for g in matched
        ) and any(g.idf >= NAMES_ONLY_SHARE * total for g in missing)

    def _pieces(self, i: int) -> list[tuple[str, frozenset[str]]]:
        cached = self._piece_cache.get(i)
        if cached is None:
            text = self.passages[i].text
            pieces = sentences_of(text)
            cached = [(p, frozenset(content_stems(p))) for p in pieces]
            if len(self._piece_cache) < 50_000:
                self._piece_cache[i] = cached
        return cached

    def _sentence_scores(self, i: int, plan: QueryPlan) -> list[float]:
        """Each sentence's (or line's) score: the rarity of the question's ideas it holds, a phrase only
        when all its words are in the sentence ("day 4" is not any line that says "day")."""
        group_alts = _alternative_sets(plan)
        return [_sentence_score(toks, group_alts) for _, toks in self._pieces(i)]

    def _best_sentence(self, i: int, group_alts: list[tuple[float, list[tuple[frozenset[str], float]]]]) -> float:
        """The score of passage i's best sentence or list item: the question's ideas that stand together."""
        present = self.token_sets[i]
        here = []
        for idf, alts in group_alts:
            found = [(alt, w) for alt, w in alts if alt <= present]
            if found:
                here.append((idf, found))
        if len(here) < 2:
            return sum(idf * max(w for _, w in found) for idf, found in here)
        sentences = self._sentence_sets.get(i)
        if sentences is None:
            seq, cuts = self.token_seqs[i], self.token_breaks[i]
            bounds = [0, *cuts, len(seq)]
            sentences = [frozenset(seq[a:b]) for a, b in zip(bounds, bounds[1:])]
            if len(self._sentence_sets) < 50_000:
                self._sentence_sets[i] = sentences
        return max(_sentence_score(toks, here) for toks in sentences)

    def _ranked(self, question: str) -> tuple[QueryPlan, list[tuple[int, float, float]], tuple[float, float, float]]:
        """The plan, the candidate ranking by words and meaning, the (score, coverage) of the best passage
        by words alone, and the closeness in meaning of the best passage by both.

        Cached: the answer's see-also reuses it.
        """
        cached = self._recent.get(question)
        if cached is None:
            plan = self.plan(question)
            # the meaning of the question as the asker meant it: with its spelling slips corrected; the encoder
            # reads it on another thread while this one ranks by words (onnxruntime releases the GIL)
            asked = plan.meant or question
            readings = (
                [question_vector_soon(text) for text in self._reading_texts(asked)]
                if plan.groups and self.size and SEMANTIC_WEIGHT > 0
                else []
            )
            ranked = self._rank(plan) if plan.groups and self.size else []
            closeness = (
                self.vectors.closeness(np.stack([r.result() for r in readings]), np.array([i for i, _, _ in ranked], dtype=np.int64))
                if ranked and readings
                else None
            )
            fused = self._with_meaning(closeness, ranked)
            meaning = float(closeness[[i for i, _, _ in ranked].index(fused[0][0])]) if closeness is not None else 0.0
            cached = (plan, fused, (ranked[0][1], ranked[0][2], meaning) if ranked else (0.0, 0.0, 0.0))
            # words and meaning agree: the best by words alone is the best by both, and no candidate is closer
            # in meaning to the question
            agreed = closeness is not None and fused[0][0] == ranked[0][0] and fused[0][0] == ranked[int(np.argmax(closeness))][0]
            with self._lock:  # adapters answer on worker threads
                while len(self._recent) >= 64:
                    self._agreed.pop(next(iter(self._recent)), None)
                    self._recent.pop(next(iter(self._recent)))
                self._recent[question] = cached
                self._agreed[question] = agreed
        return cached

    def _rank(self, plan: QueryPlan) -> list[tuple[int, float, float]]:
        """(passage, score, coverage) for the best candidates, best first."""
        n = self.size
        total = np.zeros(n, dtype=np.float32)
        coverage = np.zeros(n, dtype=np.float32)
        idf_sum = sum(g.idf for g in plan.groups) or 1.0
        for group in plan.groups:
            best = np.zeros(n, dtype=np.float32)
            matched = np.zeros(n, dtype=np.float32)
            own = set(content_stems(group.word))
            for alt, weight in group.alts.items():
                part_of_phrase = len(own) > 1 and set(alt) < own
                contribution, present = self._phrase(alt, weight, group.idf if part_of_phrase else 0.0)
                if contribution is None:
                    continue
                np.maximum(best, contribution, out=best)
                np.maximum(matched, present, out=matched)
            if SECTION_RARE and group.idf >= SECTION_RARE * self.max_idf:
                # a rare name the passage lacks but its section uses: part of the evidence (the asker's own word only)
                for alt, weight in group.alts.items():
                    if len(alt) == 1 and weight >= 1.0 and alt[0] in self.section_post:
                        found = np.zeros(n, dtype=np.float32)
                        found[self.section_post[alt[0]]] = SECTION_WORD_WEIGHT
                        np.maximum(best, found * group.idf, out=best)
                        np.maximum(matched, found, out=matched)
            if group.word in TIME_ASKS:
                # "how long is a session" asks for a length of time ("1 hour 30 minutes"), not a deadline
                found = self.duration_score if plan.asks_duration and group.word == "how long" else self.timescale_score
                np.maximum(best, found * (group.idf * TIMESCALE_WEIGHT), out=best)
                np.maximum(matched, found * TIMESCALE_WEIGHT, out=matched)
            if group.word in ("question", "questions"):
                # "what questions should we ask": a passage that asks them ("What is working well?") is the answer
                np.maximum(best, self.asks_questions * group.idf, out=best)
                np.maximum(matched, self.has_questions, out=matched)
            if group.word in COUNT_ASKS:
                # "how many" asks for a quantity ("a total of 173"), not for the word "many"
                np.maximum(best, self.count_score * (group.idf * COUNT_WEIGHT), out=best)
                np.maximum(matched, self.count_score * COUNT_WEIGHT, out=matched)
            total += best
            coverage += matched * (group.idf / idf_sum)
        score = total * (COVERAGE_FLOOR + coverage)
        boost = self.prior.copy()
        if plan.asks_duration:
            boost[self.duration_score > 0] *= 1.0 + INTENT_BOOST
        elif plan.asks_when:
            boost[self.has_timescale | self.has_date if plan.asks_date else self.has_timescale] *= 1.0 + INTENT_BOOST
        if plan.asks_where:
            boost[self.has_destination] *= 1.0 + WHERE_BOOST
        if plan.asks_who:
            boost[self.has_role] *= 1.0 + INTENT_BOOST
        if plan.asks_number:
            boost[self.has_number] *= 1.0 + NUMBER_BOOST
        if plan.asks_contents:
            boost[self.has_list] *= 1.0 + INTENT_BOOST
        for role in plan.roles:
            if role in self.role_index:
                boost[self.role_index[role]] *= 1.0 + ROLE_BOOST
            if role in self.section_role_index:
                boost[self.section_role_index[role]] *= 1.0 + SECTION_ROLE_BOOST
        if plan.about_document:
            boost[self.opening] *= 1.0 + OPENING_BOOST
        if plan.prefer_docs:
            named = np.full(n, OTHER_ORG_WEIGHT, dtype=np.float32)
            for key in plan.prefer_docs:
                if key in self.doc_index:
                    named[self.doc_index[key]] = 1.0
            boost *= named
        score *= boost
        k = min(CANDIDATES, n)
        top = np.argpartition(-score, k - 1)[:k] if n > k else np.arange(n)
        top = top[score[top] > 0]
        if top.size == 0:
            return []
        reranked = []
        query_stems = [stem(g.word) for g in plan.groups if " " not in g.word]
        query_text = " ".join(query_stems)
        term_groups: dict[str, list[int]] = defaultdict(list)
        for g, group in enumerate(plan.groups):
            for term in group.terms:
                term_groups[term].append(g)
        idfs = [g.idf for g in plan.groups]
        exact = [(g.word, g.idf / idf_sum) for g in plan.groups if " " not in g.word and len(g.word) >= 5 and g.word not in LIGHT_WORDS]
        group_alts = _alternative_sets(plan)
        for i in top.tolist():
            bonus = self._proximity(term_groups, idfs, i) + FUZZY_WEIGHT * fuzz.token_set_ratio(query_text, self.joined[i])
            if SENTENCE_WEIGHT:
                bonus += SENTENCE_WEIGHT * self._best_sentence(i, group_alts)
            same_words = sum(share for w, share in exact if w in self.surface_sets[i])
            total_i = float(score[i]) + bonus * float(boost[i]) * (COVERAGE_FLOOR + float(coverage[i]))
            reranked.append((i, total_i * (1.0 + SURFACE_BOOST * same_words), float(coverage[i])))
        reranked.sort(key=lambda r: -r[1])
        return reranked

    def _closeness(self, question: str, i: int) -> float:
        return float(self._meaning_of(question, np.array([i], dtype=np.int64))[0])

    def _meaning_of(self, question: str, ids: np.ndarray) -> np.ndarray:
        """Each passage's closeness in meaning to the question, as asked or with its acronyms spelt out,
        whichever is closer ("SM gave advice": the encoder learnt few acronyms, the standards write "Service
        Manager"; a passage that uses the acronym itself stays close to the question as asked)."""
        return self.vectors.closeness(self._readings(question), ids)

    def _readings(self, question: str) -> np.ndarray:
        """The question's vector, and with its acronyms spelt out its second vector (one row each)."""
        return np.stack([question_vector(text) for text in self._reading_texts(question)])

    def _reading_texts(self, question: str) -> list[str]:
        """The question as asked and, when it has acronyms, with them spelt out ("NPT" names documents: kept)."""
        spelt = spell_out(question, self.alias_vocab) if SPELT_MEANING else question
        return [question] if spelt == question else [question, spelt]

    def _with_meaning(self, question: str | np.ndarray | None, ranked: list[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
        """The word ranking re-ordered by closeness in meaning (to the question, or given: one value per
        candidate): each candidate gains SEMANTIC_WEIGHT x its closeness, in units of the best word score.
        Words find the candidates; meaning breaks their near-ties ("who do I raise it with" when two passages
        share the question's words)."""
        if not ranked or question is None or SEMANTIC_WEIGHT <= 0:
            return ranked
        closeness = self._meaning_of(question, np.array([i for i, _, _ in ranked], dtype=np.int64)) if isinstance(question, str) else question
        best = ranked[0][1]
        fused = [(i, score + SEMANTIC_WEIGHT * best * float(c), coverage) for (i, score, coverage), c in zip(ranked, closeness)]
        fused.sort(key=lambda r: -r[1])
        return fused

    def _phrase(self, stems: tuple[str, ...], weight: float, group_idf: float) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Score of one alternative on every passage, and how much of the group it covers where present.

        A common alternative covers less of a rare idea: "team" alone covers part of "team meeting". A passage
        that lacks the alternative but answers an example question holding it gets ASKED_WEIGHT of its rarity
        and ASKED_COVER of its coverage (None, None: no passage and no example holds it).
        """
        n = self.size
        contribution = np.zeros(n, dtype=np.float32)
        present = np.ones(n, dtype=bool)
        asked = np.ones(n, dtype=bool) if ASKED_WEIGHT or ASKED_COVER else np.zeros(n, dtype=bool)
        per_stem = weight / math.sqrt(len(stems))
        rarest = 0.0
        for term in stems:
            idf = self.idf.get(term, self.asked_idf.get(term))
            if idf is None:
                return None, None
            rarest = max(rarest, idf)
            here = np.zeros(n, dtype=bool)
            posting = self.body.get(term)
            if posting is not None:
                contribution[posting[0]] += idf * per_stem * posting[1]
                here[posting[0]] = True
            tids = self.title.get(term)
            if tids is not None:
                contribution[tids] += idf * per_stem * TITLE_WEIGHT
                here[tids] = True
            present &= here
            if asked.any():
                in_examples = np.zeros(n, dtype=bool)
                eids = self.asked.get(term)
                if eids is not None:
                    in_examples[eids] = True
                asked &= in_examples
        for a, b in zip(stems, stems[1:]):
            adjacent = np.zeros(n, dtype=bool)
            ids = self.pairs.get(pair_key(a, b))
            if ids is not None:
                adjacent[ids] = True
            present &= adjacent
            if asked.any():
                in_examples = np.zeros(n, dtype=bool)
                eids = self.asked_pairs.get(pair_key(a, b))
                if eids is not None:
                    in_examples[eids] = True
                asked &= in_examples
        asked &= ~present  # the examples speak for a passage only where its own words do not
        if not present.any() and not asked.any():
            return None, None
        contribution *= present
        contribution[asked] += rarest * weight * ASKED_WEIGHT
        rarity = min(1.0, rarest / group_idf) if group_idf > 0 else 1.0
        return contribution, (present + asked * ASKED_COVER).astype(np.float32) * (weight * rarity)

    def _proximity(self, term_groups: dict[str, list[int]], idfs: list[float], i: int) -> float:
        """Bonus for consecutive question words that also stand close together in the passage."""
        if len(idfs) < 2:
            return 0.0
        where = self._where.get(i)
        if where is None:  # each stem's positions in the passage, kept: a passage is a candidate again and again
            found: dict[str, list[int]] = defaultdict(list)
            for j, t in enumerate(self.token_seqs[i]):
                found[t].append(j)
            where = dict(found)
            if len(self._where) < 50_000:
                self._where[i] = where
        positions: list[list[int]] = [[] for _ in idfs]
        for t, gs in term_groups.items():
            at = where.get(t)
            if at:
                for g in gs:
                    positions[g].extend(at)
        bonus = 0.0
        for g in range(len(idfs) - 1):
            a, b_ = positions[g], positions[g + 1]
            if a and b_ and any(abs(x - y) <= 2 for x in a for y in b_):
                bonus += PROXIMITY_WEIGHT * (idfs[g] + idfs[g + 1])
        return bonus

    # ---- the answer window ---------------------------------------------------------------------

    def window(self, passage: StructuredPassage, plan: QueryPlan, vector: np.ndarray | None = None) -> str:
        """At most 700 characters of the passage, the line (list item) that best matches first.

        A passage that fits is shown whole: its best line first, then the others in their own order (so an
        answer in an earlier line is never cut off). A longer one is cut to a window starting at the line of
        its best sentence.
        """
        i = self.position[passage.id]
        text = passage.text
        pieces = [p for p, _ in self._pieces(i)]
        if len(text) <= WINDOW_CHARS and len(pieces) <= 1:
            return text.replace("\n", " ")
        scores = self._sentence_scores(i, plan)
        lo, hi = int(self.vectors.start[i]), int(self.vectors.start[i + 1])
        if vector is not None and hi - lo == len(scores) and scores:
            # the line that means what was asked, among those that share its words ("staff off sick, when do
            # they update their manager": Day 4's update to the line manager, not Day 8's fit note)
            top = max(scores) or 1.0
            scores = [sc + WINDOW_MEANING * top * float(c) for sc, c in zip(scores, self.vectors.sentences[lo:hi] @ vector)]
        best = max(range(len(pieces)), key=lambda j: (scores[j], -j)) if pieces else 0
        starts_line, at = [], 0
        for piece in pieces:
            k = text.find(piece, at)
            starts_line.append(k <= 0 or text[:k].rstrip(" ").endswith("\n"))
            at = max(at, k + len(piece))
        if len(text) <= WINDOW_CHARS:
            lines: list[list[int]] = []
            for j, new_line in enumerate(starts_line):
                if new_line or not lines:
                    lines.append([])
                lines[-1].append(j)
            line_scores = [max(scores[j] for j in line) for line in lines]
            top = max(range(len(lines)), key=lambda n: (line_scores[n], -n))
            if top > 0 and line_scores[0] < line_scores[top] * 0.8:
                lines = [lines[top]] + lines[:top] + lines[top + 1 :]
            return " ".join(pieces[j] for line in lines for j in line)
        # start at the beginning of the best sentence's line (a list item reads whole), if that leaves room
        first = best
        while first > 0 and not starts_line[first]:
            first -= 1
        if sum(len(p) + 1 for p in pieces[first : best + 1]) <= WINDOW_CHARS * 0.6:
            best = first
        out = ""
        for piece in pieces[best:]:
            if len(out) + len(piece) + 1 > WINDOW_CHARS:
                if not out:
                    out = piece[: WINDOW_CHARS - 1].rsplit(" ", 1)[0] + "…"
                break
            out = f"{out} {piece}".strip()
        return out

    # ---- helpers for the answer ------------------------------------------------------------------

    def related(self, hits: Sequence[Hit], question: str, limit: int = 3) -> list[StructuredPassage]:
        """Other sections worth a look: the next best passages from sections not already shown."""
        shown = {h.passage.section for h in hits}
        out: list[StructuredPassage] = []
        ranked = self._ranked(question)[1]
        top = ranked[0][1] if ranked else 0.0
        for i, score, cov in ranked:
            p = self.passages[i]
            if p.section in shown or cov < MIN_COVERAGE * 0.8 or score < RELATIVE_FLOOR * top:
                continue
            shown.add(p.section)
            out.append(p)
            if len(out) >= limit:
                break
        return out

    def suggestion(self, question: str) -> str | None:
        """A "did you mean" for a question that found nothing: spelling fixes, else the closest section."""
        plan = self.plan(question)
        if plan.corrected:
            kept = [w for w in plan.corrected.split() if w not in STOP_WORDS and self.knows(stem(w))]
            if kept:
                return " ".join(kept)
        loose = self._ranked(question)[1]
        if loose and loose[0][2] >= MIN_COVERAGE * 0.8:
            return self.passages[loose[0][0]].title
        titles = sorted({p.title for p in self.passages})
        match = process.extractOne(question, titles, scorer=fuzz.token_set_ratio, score_cutoff=70)
        return match[0] if match else None
