"""Sector vocabulary of UK children's social care: acronyms, their expansions and everyday synonyms.

Each entry is a group of phrases that mean the same thing to a manager. A question that uses one phrase
also searches for the others (acronyms at near-full weight, looser synonyms at lower weight), so "RTW"
finds "return to work" and "off sick" finds "sickness absence".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# (phrases, weight of the alternatives): the first phrase is the canonical name shown in help text.
ACRONYMS: tuple[tuple[str, ...], ...] = (
    ("nqsw", "newly qualified social worker", "newly qualified"),
    ("asye", "assessed and supported year in employment"),
    ("rtw", "return to work"),
    ("return to work interview", "return to work meeting", "rtw"),  # two names for one meeting
    ("pdr", "personal development review", "appraisal"),
    ("onetoone", "supervision"),  # 1:1, 1-1, one to one
    ("eap", "employee assistance programme", "helpline"),
    ("iro", "independent reviewing officer"),
    ("cp", "child protection"),
    ("cin", "child in need", "children in need"),
    ("lac", "looked after", "cared for", "children in care"),
    ("smart", "specific measurable achievable realistic timely"),
    ("dse", "display screen equipment"),
    ("lcs", "liquidlogic", "case record"),
    ("mosaic", "case record"),
    ("ssis", "case record"),
    ("hos", "head of service"),
    ("sm", "service manager"),
    ("tm", "team manager"),
    ("atm", "assistant team manager"),
    ("sw", "social worker"),
    ("wfh", "working from home", "home working", "working remotely", "hybrid working", "flexible working"),
    ("hr", "human resources"),
    ("landd", "learning and development", "training"),
    ("dlt", "directorate leadership team", "departmental leadership team"),
    ("smt", "senior management team"),
    ("edt", "emergency duty team", "out of hours"),
    ("sar", "subject access request"),
    ("qa", "quality assurance"),
    ("kpi", "key performance indicator", "performance data"),
    ("wap", "wellness action plan"),
    ("mhfa", "mental health first aider"),
    ("oh", "occupational health"),
    ("cpd", "continuing professional development"),
    ("hcpc", "health and care professions council"),
    ("swe", "social work england"),
    ("sup", "supervision"),
    ("sups", "supervision"),
    ("cspr", "safeguarding practice review"),
    ("gdpr", "data protection"),
    ("psw", "principal social worker"),
    ("mash", "multi agency safeguarding hub"),
    ("plo", "public law outline", "pre proceedings"),
    ("icpc", "initial child protection conference"),
    ("cpc", "child protection conference"),
    ("fgc", "family group conference"),
    ("eh", "early help"),
    ("dbs", "disclosure and barring"),
    ("dcs", "director of children's services"),
    ("po", "principal officer"),
    ("cse", "child sexual exploitation"),
    ("scr", "serious case review", "serious concerns"),
    ("cla", "children looked after", "looked after"),
    ("lado", "local authority designated officer"),
    ("ehcp", "education health and care plan"),
    ("ilp", "individual learning plan"),
    ("jd", "job description"),
    ("ecf", "establishment control form"),
    ("ofsted", "inspection", "inspector"),
    ("cssiw", "inspectorate", "inspection"),
    ("wscc", "west sussex"),
    ("npt", "neath port talbot"),
    ("cypl", "children young people and learning"),
    ("cyps", "children and young people services"),
    ("sswb", "social services and well-being", "social services and wellbeing"),
)

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("return to work", "back to work", "phased return"),
    ("sickness", "absence", "off sick", "sick", "ill", "illness", "sick leave"),
    ("sick note", "fit note", "medical certificate", "sickness certificate"),
    ("appraisal", "pdr", "performance conversation", "annual review"),
    ("supervision", "onetoone", "sup", "supervise"),
    ("kids", "children", "young people"),
    ("child", "young person"),
    ("staff", "employee", "worker", "practitioner"),
    ("boss", "line manager", "manager"),
    ("new starter", "induction", "newly appointed"),
    ("new worker", "new starter"),
    ("caseload", "workload"),
    ("paperwork", "documents", "papers", "records", "information"),
    ("get rid of", "dispose", "discard", "waste", "destroy"),
    ("bin", "waste", "dispose"),
    ("shred", "confidential waste"),
    ("tweak", "amend", "change", "adapt", "alter"),
    ("edit", "amend", "change"),
    ("phone", "telephone", "call", "helpline"),
    ("ring", "contact", "call", "phone"),
    ("lessons", "class", "school"),
    ("school", "class", "teacher"),
    ("meeting", "session"),
    ("how often", "frequency", "regular", "every", "intervals", "monthly", "weekly", "annually", "yearly"),
    ("frequency", "how often", "every", "intervals"),
    ("deadline", "timescale", "within", "on time"),
    ("timescale", "within", "deadline"),
    ("job", "role", "post"),
    ("job advert", "advert", "recruitment"),
    ("advert", "recruitment", "vacancy", "advertisement"),
    ("ad", "advert", "advertisement"),
    ("ads", "advert", "advertisement"),
    ("hiring", "recruitment", "recruit"),
    ("interview", "recruitment", "candidate"),
    ("mistake", "error"),
    ("stress", "stressed", "wellbeing"),
    ("burnout", "stress", "wellbeing"),
    ("wellbeing", "health and wellbeing", "welfare"),
    ("training", "course", "learning and development"),
    ("course", "training", "workshop", "webinar"),
    ("template", "form", "pro-forma", "proforma"),
    ("form", "pro-forma", "template"),
    ("notes", "records", "recording"),
    ("write up", "record", "recorded"),
    ("sign off", "signed off", "approve", "authorise"),
    ("approve", "sign off", "approval"),
    ("file", "record", "records"),
    ("look at", "access", "view"),
    ("curiosity", "work related", "purpose"),
    ("private", "privacy", "confidential", "confidentiality"),
    ("secret", "confidential"),
    ("holiday", "annual leave", "leave"),
    ("leave", "annual leave"),
    ("disabled", "disability", "reasonable adjustments"),
    ("disability", "reasonable adjustments"),
    ("survey", "staff survey", "questionnaire"),
    ("feedback", "comments", "complaints", "compliments"),
    ("complaint", "complaints", "feedback"),
    ("escalate", "raise", "escalation"),
    ("raise", "escalate", "concern"),
    ("worried", "concern", "concerns"),
    ("agenda", "items", "fixed agenda"),
    ("photo", "photograph", "image"),
    ("consent", "permission", "agreement"),
    ("permission", "consent"),
    ("probation", "probationary", "probation period"),
    ("newly qualified", "nqsw", "asye"),
    ("student", "students", "step up"),
    ("apprentice", "apprentices"),
    ("money", "budget", "finance", "financial"),
    ("budget", "finance", "expenditure"),
    ("bad performance", "poor performance"),
    ("underperforming", "poor performance", "capability"),
    ("overdue", "late", "timescales"),
    ("late", "overdue", "delay", "delayed"),  # not "timely": it stems to the everyday "time"
    ("running behind", "overdue", "late", "delay"),
    ("cut off date", "deadline", "timescale", "no later than"),
    ("cut off", "deadline", "timescale", "no later than"),
    ("manager", "managers", "management"),
    ("director", "directors", "assistant director"),
    ("home visit", "visit"),
    ("visit", "visiting", "visits"),
    ("based", "building", "situated", "office"),
    ("office", "building", "base", "premises"),
    ("remote", "working remotely", "home working"),
    ("reflect", "reflective", "reflection"),
    ("audit", "auditing", "case file audit"),
    ("observation", "observed practice", "observation of practice"),
    ("observe", "observed practice", "observation"),
    ("team meeting", "team meetings", "staff meetings"),
    ("research", "research in practice"),
    ("diversity", "equality", "inclusion"),
    ("calls", "telephone", "phone"),
    ("lone working", "personal safety"),
)

# One-way: how people ask -> how the standards say it ("whose job" -> "responsible", never the reverse).
PHRASINGS: tuple[tuple[str, ...], ...] = (
    # plain English -> the standards' register (one-way: the documents never say "ring" for "contact")
    ("help", "support", "assist"),
    ("helps", "support", "assist"),
    ("side", "element", "function", "aspect"),
    ("aspect", "element", "function"),
    ("ring", "contact", "telephone"),
    ("called in", "report", "reported"),
    ("rang in", "report", "reported"),
    ("not at work", "absence", "absent"),
    ("off work", "absence", "absent"),
    ("not in work", "absence", "absent"),
    ("come back", "return"),
    ("coming back", "return"),
    ("back at work", "return to work"),
    ("ask for", "request"),
    ("check", "review", "monitor"),
    ("checks", "review", "monitor"),
    ("keep", "retain", "store", "maintain"),
    ("kept", "retained", "stored", "maintained"),
    ("start", "commence", "begin"),
    ("starts", "commence", "begin"),
    ("finish", "complete", "conclude"),
    ("finished", "completed", "concluded"),
    ("allowed", "permitted", "may", "authorised"),
    ("straight away", "immediately", "promptly"),
    ("asap", "immediately", "promptly"),
    ("problem", "issue", "concern", "difficulty"),
    ("problems", "issues", "concerns", "difficulties"),
    ("sort out", "resolve", "address"),
    ("sorted", "arranged", "in place", "completed", "resolved"),
    ("set up", "establish", "arrange"),
    ("talk about", "discuss", "discussion"),
    ("write down", "record"),
    ("jot down", "record"),
    ("team leader", "team manager"),
    ("give", "provide"),
    ("show", "demonstrate", "evidence"),
    ("prove", "evidence", "demonstrate"),
    ("look into", "investigate", "review"),
    ("go over", "review", "discuss"),
    ("chase", "follow up"),
    ("chasing", "follow up"),
    ("cover", "include", "address"),
    ("covers", "include", "address"),
    ("boss's", "line manager"),
    ("how many cases", "caseload", "caseloads"),
    ("number of cases", "caseload", "caseloads"),
    ("too many cases", "caseload", "workload", "workloads"),
    ("too much work", "workload", "workloads", "capacity"),
    ("recognise", "recognition", "thank you", "celebrate"),
    ("good work", "celebrating success", "recognition", "good practice"),
    ("how quickly", "timescale", "within", "working days"),
    ("how soon", "timescale", "within", "working days"),
    ("laptop", "equipment", "devices"),
    ("laptops", "equipment", "devices"),
    ("get back to", "respond", "reply", "response"),
    ("return a call", "respond", "messages", "telephone"),
    ("return calls", "respond", "messages", "telephone"),
    ("return a phone call", "respond", "messages", "telephone"),
    ("call back", "respond", "messages", "telephone"),
    ("ring back", "respond", "messages", "telephone"),
    ("snowed under", "workload", "capacity"),
    ("busy", "workload", "capacity"),
    ("done", "completed", "complete"),
    ("run", "lead", "hold", "chair"),
    ("kit", "equipment"),
    ("rung", "contact", "telephone", "report"),
    ("rang", "contact", "telephone", "report"),
    ("sign", "signed off", "authorise", "signed"),
    ("agree", "agreed", "agreement"),
    ("goals", "objectives", "outcomes"),
    ("targets", "objectives", "performance"),
    ("aims", "objectives", "purpose"),
    ("danger", "risk", "safety"),
    ("unsafe", "risk", "safety", "safeguarding"),
    ("abuse", "safeguarding", "child protection"),
    ("contract", "agreement"),
    ("bring up", "raise", "discuss"),
    ("talk to", "discuss", "consult", "contact"),
    ("speak to", "discuss", "consult", "contact"),
    ("decide", "decision", "decisions"),
    ("decided", "decision", "decisions"),
    ("minutes", "notes", "record"),
    ("missed", "not met", "overdue", "cancelled"),
    ("miss", "not met", "overdue", "cancelled"),
    ("cancel", "cancelled", "rearranged"),
    ("reschedule", "rearranged", "rescheduled"),
    ("move", "rearranged", "rescheduled"),
    ("each month", "monthly"),
    ("every month", "monthly"),
    ("every week", "weekly"),
    ("each week", "weekly"),
    ("each year", "annually", "annual"),
    ("every year", "annually", "annual"),
    ("fortnight", "fortnightly"),
    ("bosses", "senior managers", "senior leadership"),
    ("leaders", "leadership", "senior managers"),
    ("police", "partners", "agencies", "professionals"),
    ("emails", "email", "communication"),
    ("voicemail", "telephone", "messages"),
    ("out of office", "automatic reply", "absence"),
    ("away", "absence", "leave"),
    ("doctor", "fit note", "medical"),
    ("gp", "fit note", "medical"),
    ("counselling", "employee assistance", "eap"),
    ("someone to talk to", "employee assistance", "eap", "support"),
    ("struggling", "stress", "wellbeing", "support"),
    ("tired", "stress", "wellbeing"),
    ("overwhelmed", "stress", "overloaded", "wellbeing"),  # one-way: "overwhelming majority" is not stress
    ("drowning", "workload", "capacity", "pressure", "stress"),
    ("swamped", "workload", "capacity", "pressure", "stress"),
    ("snowed under", "workload", "capacity", "pressure", "stress"),
    ("exhausted", "stress", "wellbeing"),
    ("anxious", "stress", "mental health"),
    ("upset", "wellbeing", "support"),
    ("new manager", "induction", "newly appointed"),
    ("huddle", "team meeting", "briefing"),
    ("trainee", "student", "newly qualified"),
    ("graduate", "newly qualified"),
    ("spot check", "audit", "dip sample"),
    ("dip sample", "audit"),
    ("computer", "system"),
    ("database", "system", "records"),
    ("upload", "record", "attach"),
    ("scan", "upload", "documents"),
    ("see the child", "visit"),
    ("wages", "salary", "pay"),
    ("spend", "budget", "expenditure"),
    ("leak", "data breach", "confidentiality"),
    ("well done", "recognition", "celebrating success"),
    ("shout out", "recognition", "celebrating success"),
    ("reward", "recognition"),
    ("stats", "performance data", "data"),
    ("figures", "performance data", "data"),
    ("dashboard", "performance data"),
    ("tell", "advise", "inform", "let know"),
    ("inform", "advise", "tell"),
    ("told", "advised", "informed", "notified"),
    ("ask to see", "request", "disclose", "access"),
    ("paid", "pay"),
    ("extra", "additional"),
    ("fill in", "complete", "completed"),
    ("fill out", "complete", "completed"),
    ("docs", "documents"),
    ("unfinished", "unresolved", "outstanding", "carried forward"),
    ("items", "issues", "actions"),
    ("who", "responsible", "responsibility"),
    ("whose job", "responsible", "responsibility"),
    ("in charge", "responsible", "lead"),
    ("how long", "period", "length", "duration"),
    ("how many", "total", "number of"),  # and a passage stating a quantity (knowledge/search.py)
    ("how much", "total", "cost"),
    ("length", "period", "duration"),
    ("called in sick", "report absence", "reported absence", "sickness absence"),
    ("phoned in sick", "report absence", "reported absence", "sickness absence"),
    ("rang in sick", "report absence", "reported absence", "sickness absence"),
    ("no show", "not report", "absence"),
    ("awol", "absence", "not report"),
    ("leaver", "leaving", "exit interview", "leaver processes", "staff changes"),
    ("leavers", "leaving", "leaver processes", "staff changes", "last working day"),
    ("starter", "new starter", "staff changes", "first working day"),
    ("new starter", "staff changes", "first working day"),
    ("starters", "new starters", "staff changes", "first working day"),
    ("starters and leavers", "staff changes", "first and last working day"),
    ("new starters and leavers", "staff changes", "first and last working day"),
    ("leaving", "leaver", "last working day"),
    ("resign", "leaver", "leaving"),
    ("salary", "pay", "remuneration", "salary point"),
    ("promotion", "progression", "career development"),
    ("move up a grade", "progression", "promotion"),
    ("move up", "progression", "promotion"),
    ("step up", "progression", "promotion"),
    ("career", "progression", "career development"),
    ("catch up", "supervision", "onetoone"),
    ("check in", "supervision", "contact"),
    ("timeframe", "timescale", "within"),
    ("time limit", "timescale", "within"),
    ("by when", "timescale", "within"),
    ("agency worker", "agency staff"),
    ("locum", "agency staff"),
    ("teenager", "young people", "young person"),
    ("parents", "families", "parental", "parent"),
    ("shortlist", "shortlisting", "application"),
    ("references", "checks", "reference"),
    ("whistleblowing", "raise concerns", "escalation"),
    ("disagree", "disagreement", "difference of opinion"),
    ("dispute", "disagreement", "difference of opinion", "conflict"),
    ("praise", "recognition", "celebrate", "acknowledge"),
    ("thank", "recognition", "thank you"),
    ("mental health", "wellbeing", "mental health first aiders"),
    ("data breach", "data protection", "information security", "confidentiality"),
    ("case notes", "case note", "recording", "records"),
    ("recording", "records", "recorded"),
    ("flexi", "flexible working", "flexi policy"),
    ("new job", "induction", "new starter"),
    ("first week", "induction", "first day"),
    ("shadowing", "shadow"),
    ("mentor", "mentoring", "coaching", "buddy"),
    ("buddy", "mentor", "induction"),
    ("exit interview", "leaver processes", "exit interviews"),
    ("tab", "section", "screen"),
    ("reply", "respond", "response"),
    ("respond", "reply", "response"),
    ("in full", "fuller", "full"),
    ("system", "lcs", "mosaic", "ssis", "case management system"),
    ("case management system", "lcs", "mosaic", "ssis"),
    ("screen", "section"),
    ("max", "maximum", "limit"),
    ("maximum", "limit"),
    ("admin", "administrative", "administration"),
    ("needed", "required", "requirement", "must"),
    ("slip", "not met", "delay", "overdue"),
    ("slipping", "not met", "delay", "overdue"),
    ("come in", "implemented", "in force", "commence"),
    ("comes in", "implemented", "in force", "commence"),
    ("go live", "implemented", "launch", "start"),
    ("going live", "implemented", "launch", "start"),
    ("write", "prepare", "draft"),
    ("put together", "devise", "devised", "prepare", "draw up"),
    ("kick off", "start", "begin", "opening"),
    ("tips", "guidance", "advice"),
    ("hand back", "return", "returned"),
    ("handing back", "return", "returned"),
    ("handed back", "return", "returned"),
    ("moving across", "transfer", "transferring", "moving"),
    ("move across", "transfer", "transferring", "moving"),
    ("not going to make", "not met", "cannot be met", "miss"),
    ("draw up", "devise", "devised", "prepare"),
    ("limit", "no higher than", "no more than", "maximum"),
    ("over a week", "day 8", "more than seven days", "seven days"),
    ("more than a week", "day 8", "more than seven days", "seven days"),
    ("turning things round", "improvement", "recovery"),
    ("turning things around", "improvement", "recovery"),
    ("turn things round", "improvement", "recovery"),
    ("turn things around", "improvement", "recovery"),
    ("save", "store", "keep"),
    ("time off", "leave", "annual leave", "absence"),
    ("day off", "leave", "annual leave"),
    ("days off", "leave", "annual leave"),
    ("handover", "transfer"),
    ("hand over", "transfer"),
    ("chat", "discussion", "conversation"),
    ("close", "closure"),
    ("closing", "closure"),
    ("sack", "dismissal", "disciplinary"),
    ("send", "return", "submit", "forward"),
    ("submit", "return", "send"),
)

# Chat spellings of everyday words, read as the words (questions only: the standards are written in full).
CHAT_WORDS: dict[str, str] = {
    "hw": "how", "shud": "should", "shld": "should", "wat": "what", "wot": "what", "wen": "when", "whn": "when",
    "u": "you", "ur": "your", "r": "are", "hv": "have", "abt": "about", "cos": "because", "coz": "because",
    "pls": "please", "plz": "please", "thx": "thanks", "ppl": "people", "b4": "before", "thru": "through",
    "wk": "week", "wks": "weeks", "yr": "year", "yrs": "years", "mth": "month", "mths": "months",
    "mgr": "manager", "mgrs": "managers", "mtg": "meeting", "mtgs": "meetings", "info": "information",
    "appt": "appointment", "tmrw": "tomorrow", "2day": "today", "msg": "message", "msgs": "messages",
    "sesh": "session", "seshs": "sessions", "prepping": "preparing", "prep": "prepare",
    "mon": "monday", "tues": "tuesday", "tue": "tuesday", "wed": "wednesday", "thurs": "thursday", "thu": "thursday",
    "fri": "friday", "mgmt": "management", "mgt": "management", "dept": "department",
    "uni": "university", "fam": "family", "till": "until", "trng": "training", "exec": "executive", "execs": "executives",
    "jan": "january", "feb": "february", "apr": "april", "jun": "june", "jul": "july", "aug": "august",
    "sep": "september", "sept": "september", "oct": "october", "nov": "november", "dec": "december",
}

ACRONYM_WEIGHT = 0.8  # an acronym's spelling-out counts a little less than the words the asker typed
SYNONYM_WEIGHT = 0.55

_ORDINALS = {
    word: str(n)
    for n, words in enumerate(
        [("first", "1st"), ("second", "2nd"), ("third", "3rd"), ("fourth", "4th"), ("fifth", "5th"), ("sixth", "6th"),
         ("seventh", "7th"), ("eighth", "8th"), ("ninth", "9th"), ("tenth", "10th")],
        start=1,
    )
    for word in words
}

# Written forms normalised before tokenising (both for questions and for the corpus).
_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\b(?:1\s*[:\-]\s*1s?|1-2-1s?|121s?|one[\s-]to[\s-]ones?)\b", re.I), " onetoone "),
    (re.compile(r"\bl\s*&\s*d\b", re.I), " landd "),
    (re.compile(r"\bh\s*&\s*s\b", re.I), " health and safety "),
    (re.compile(r"\b24\s*/\s*7\b"), " 24-hour "),
    # "no higher than 1 to 15", "must not exceed": a limit, which a question calls "max" or "limit"
    (re.compile(r"\b(?:(?:no|not) (?:higher|more|greater) than|up to a maximum of|(?:must|should|does|do|will)? ?not exceed)\b", re.I),
     " maximum "),
    # "at least every month", "no less than", "a minimum of": a minimum, which a question calls "min" or "minimum"
    (re.compile(r"\b(?:at least|no (?:less|fewer) than|not less than|a minimum of)\b", re.I), " minimum "),
    # a frequency in any wording also reads as its one word ("every 28 days" is monthly), on both sides
    (re.compile(r"\bevery (?:28 days|four weeks|4 weeks|calendar month)\b|\b(?:4|four)[- ]weekly\b", re.I), r"\g<0> monthly "),
    (re.compile(r"\bevery (?:two|2) weeks\b|\b(?:each|every) fortnight\b|\b(?:2|two)[- ]weekly\b", re.I), r"\g<0> fortnightly "),
    (re.compile(r"\bevery (?:12|twelve) months\b", re.I), r"\g<0> annually "),
    (re.compile(r"\bevery (?:3|three) months\b", re.I), r"\g<0> quarterly "),
    # "can't agree", "do not agree": the standards speak of disagreement
    (re.compile(r"\b(?:can\s?not|can'?t|don'?t|do not|does not|doesn'?t|won'?t|will not|couldn'?t|could not) agree\b", re.I),
     " disagree "),
    (re.compile(r"\bpro-?formas?\b", re.I), " proforma "),
    # "take the files home", "take paperwork out of the office": moving them off the premises
    (re.compile(r"\b(?:take|takes|taking|took|taken|bring|bringing)\b((?:\s+[\w']+){1,3}?)\s+(?:home|out of the (?:office|building)|off[- ]?site)\b", re.I),
     r"\1 move outside premises"),
    # "in order to" is "to": not a sequence ("what order should documents be in")
    (re.compile(r"\bin order (?=to|for|that)\b", re.I), " "),
    # "based on a model" is where an idea comes from, not where a service is based (the office, the building)
    (re.compile(r"\bbased (?=on|upon)\b", re.I), "derived "),
    # "75%" and "75 per cent" read as the word a question uses ("what percentage", "morale %")
    (re.compile(r"\s?%|\bper\s?cent\b", re.I), " percent "),
    # "the first day of absence" and "day 1" of a sickness procedure are one thing
    (re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|[4-9]th|10th) day\b", re.I),
     lambda m: f" day {_ORDINALS[m.group(1).lower()]} "),
)


def rewrite(text: str) -> str:
    """Normalise written forms ("1:1", "one-to-one", "L&D") so both sides tokenise alike."""
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Expansion:
    """An alternative phrase for part of a question, with its weight (1.0 = the words asked)."""

    phrase: str
    weight: float


def _groups() -> dict[str, list[tuple[str, float]]]:
    table: dict[str, list[tuple[str, float]]] = {}
    for entries, weight in ((ACRONYMS, ACRONYM_WEIGHT), (SYNONYMS, SYNONYM_WEIGHT), (PHRASINGS, SYNONYM_WEIGHT)):
        for group in entries:
            for phrase in group[:1] if entries is PHRASINGS else group:
                alternatives = [p for p in group if p != phrase]
                for alt in alternatives:
                    table.setdefault(phrase, [])
                    if all(existing != alt for existing, _ in table[phrase]):
                        table[phrase].append((alt, weight))
    return table


GLOSSARY: dict[str, list[tuple[str, float]]] = _groups()
MAX_PHRASE_WORDS = max(len(k.split()) for k in GLOSSARY)


def expansions(words: list[str]) -> list[tuple[int, int, list[Expansion]]]:
    """Glossary matches in a list of lower-case words: (start, end, alternatives), longest match first."""
    found: list[tuple[int, int, list[Expansion]]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if phrase in GLOSSARY:
                found.append((i, i + n, [Expansion(p, w) for p, w in GLOSSARY[phrase]]))
                break
        i += 1
    return found


def expand_query(question: str) -> list[str]:
    """The alternative phrases a question is also searched with (for tests and the chat's help)."""
    words = re.findall(r"[a-z0-9]+", rewrite(question.lower()))
    return [e.phrase for _, _, alts in expansions(words) for e in alts]
