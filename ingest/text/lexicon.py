"""One lexicon for both sides: the words that say who said what, name a date, title a person or end a clause.

Ingest reads statements with it; the assistant reads questions and checks answers with it. Every word list lives
here once, so that "concedes" counts as speech in an article exactly when it does in a question or a claim.
"""

from __future__ import annotations

import re
from functools import lru_cache

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CALENDAR = frozenset(MONTHS + WEEKDAYS)

# Verbs that report speech, each with its forms. A sentence whose subject is a person and whose verb is one of
# these is something that person said; a claim's "X reported that ..." adds no fact of its own.
_REPORTING = """
say says said saying | tell tells told telling | add adds added adding | reveal reveals revealed |
note notes noted | state states stated | explain explains explained | argue argues argued |
warn warns warned | claim claims claimed | insist insists insisted | announce announces announced |
confirm confirms confirmed | cite cites cited | stress stresses stressed | emphasise emphasises emphasised |
emphasize emphasizes emphasized | acknowledge acknowledges acknowledged | admit admits admitted |
declare declares declared | write writes wrote written | tweet tweets tweeted | ask asks asked | reply replies replied |
echo echoes echoed | signal signals signaled signalled | maintain maintains maintained | describe describes described |
suggest suggests suggested | urge urges urged | predict predicts predicted | testify testifies testified |
deny denies denied | concede concedes conceded | accuse accuses accused | comment comments commented |
remark remarks remarked | report reports reported | mention mentions mentioned | indicate indicates indicated |
highlight highlights highlighted | respond responds responded | complain complains complained |
recall recalls recalled | promise promises promised | vow vows vowed | believe believes believed |
praise praises praised | criticise criticises criticised | criticize criticizes criticized | agree agrees agreed |
conclude concludes concluded | imply implies implied | hint hints hinted | boast boasts boasted |
question questions questioned | caution cautions cautioned | pledge pledges pledged | estimate estimates estimated
"""
REPORTING_FORMS = tuple(w for group in _REPORTING.split("|") for w in group.split())
# The forms an attribution uses in news copy ("said", "told", "adds"): what ingest looks for after a name.
ATTRIBUTING_FORMS = tuple(w for w in REPORTING_FORMS if not w.endswith("ing") and w not in {"written"})
# What a question asks when it asks what someone said: "What did X say/tell/warn ...", "X's comments".
SPEECH_NOUNS = ("comment", "comments", "remark", "remarks", "statement", "statements", "quote", "quotes", "words")

# Titles and honorifics: part of how a person is named, never part of the name ("Commerce Secretary Howard Lutnick").
TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. sir dame lord lady baroness prof prof. professor rev rev. president vice
    secretary minister premier chancellor director chief ceo chairman chairwoman chair senator governor mayor
    judge justice general gen. colonel captain commissioner ambassador spokesman spokeswoman spokesperson
    commerce prime deputy foreign home shadow trade finance economy state king queen prince princess pope
    coach manager boss striker defender midfielder goalkeeper skipper captain analyst economist""".split()
)
# Capitalised words that open a name-like run but name no person.
NOT_NAMES = frozenset(
    """the a an this that these those it its he she they his her their we our i you but and or so yet if when while
    after before as at by for from in into of on over since to under with without what which who why how where
    mr mrs ms dr u.s. us uk eu un""".split()
)
# The last word of a name that is an organisation's, not a person's.
ORGANISATION_WORDS = frozenset(
    """conference council commission committee association party union bank group company corporation corp inc ltd
    plc university college school club league federation agency authority ministry department office board court
    institute foundation fund trust society service services network news times post journal""".split()
)
SUBJECT_PRONOUNS = ("he", "she", "they")
# A sentence that opens like this leans on the one before it for who or what it is about.
DANGLING = re.compile(r"^(?:He|She|They|It|This|That|These|Those|His|Her|Their|The \w+ also)\b")

# Nationalities are held by their country: "Chinese" by "China's", "Korean" by "Korea".
DEMONYM_ENDINGS = ("ese", "ian", "ean", "ish", "an", "i")

# What "what is the ...?" asks to be measured: a number answers it.
QUANTITIES = frozenset(
    """population number size cost price value age height length weight salary wage fee budget amount total rate
    percentage proportion share score attendance turnover revenue profit loss sales level sum debt fine""".split()
)
QUESTION_WORDS = frozenset("what which who whom whose when where why how".split())
CONTRASTS = ("while", "whereas", "but")

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion
    dozen dozens half quarter""".split()
)

# A capitalised word, with the apostrophes and hyphens names carry ("O'Connell", "Bankman-Fried").
CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")
# A run of capitalised words, the name of someone or something ("Howard Lutnick", "Sam Bankman-Fried").
NAME_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*(?:[\s-]+[A-Z][\w'’-]*)+")
INITIALS = re.compile(r"(?<![\w-])[A-Z]{3,5}(?![\w-])")


@lru_cache(maxsize=4)
def words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` as a whole word, case-insensitive."""
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.I)


REPORTING = words_pattern(REPORTING_FORMS)
ATTRIBUTING = words_pattern(ATTRIBUTING_FORMS)


@lru_cache(maxsize=4)
def clause_breaks(commas: bool) -> re.Pattern[str]:
    """Where a sentence splits into clauses: at "while", "whereas", "but" and semicolons, and with ``commas`` at
    every comma, except the one inside a date ("October 18, 2023")."""
    contrasts = r"\s+(?:" + "|".join(CONTRASTS) + r")\s+"
    comma = r"|\s*,\s+(?!\d{4}\b)(?:and\s+)?" if commas else r"|,\s+and\s+(?=(?:the\s+)?['‘\"“]?[A-Z])"
    return re.compile(rf",?{contrasts}|\s*;\s+{comma}", re.IGNORECASE)


def name_words(text: str) -> list[str]:
    """The lower-case word parts of a name: "Bankman-Fried" is "bankman", "fried"."""
    return [part for part in re.findall(r"\w+", text.lower().replace("’", "'")) if part not in {"s"}]


def without_titles(name: str) -> str:
    """'Commerce Secretary Howard Lutnick' -> 'Howard Lutnick'; 'Sir Alex Ferguson' -> 'Alex Ferguson'."""
    words = name.replace("’s ", " ").replace("'s ", " ").split()
    while words and words[0].lower().rstrip(",") in TITLES:
        words = words[1:]
    return " ".join(words)
