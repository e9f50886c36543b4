"""The cognitive screening instruments as data, and their scoring (pure: no database).

* Mini-Cog (Borson S, Scanlan J, Brush M, Vitaliano P, Dokmak A. "The Mini-Cog: a cognitive
  'vital signs' measure for dementia screening in multi-lingual elderly." Int J Geriatr Psychiatry
  2000;15(11):1021-7; scoring as published at mini-cog.com, "Standardized Mini-Cog Instrument"):
  three-word recall, one point a word recalled without cues (0–3), plus the clock drawing, 2 points
  for a normal clock and 0 for an abnormal one. Total 0–5; a total below 3 screens positive
  (further assessment advised).
* AD8 (Galvin JE, Roe CM, Powlishta KK, et al. "The AD8: a brief informant interview to detect
  dementia." Neurology 2005;65(4):559-64): eight questions to an informant (or the elder) whether
  there has been a change in the last several years caused by thinking and memory problems;
  "yes, a change" scores 1, "no, no change" and "don't know" (the instrument's N/A) score 0.
  A total of 2 or more screens positive.

Answers are a dict {item key: choice value}; the values are the choices' keys as text (an int is
read as its text, so {"recall": 2} equals {"recall": "2"}). Scoring refuses a missing, unknown or
invalid answer naming the item (a ValidationError on the field "answers").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["Choice", "Item", "Instrument", "Result", "INSTRUMENTS", "MINI_COG", "AD8", "instrument", "score"]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # lazy translation
    points: int


@dataclass(frozen=True)
class Item:
    key: str
    text: str  # lazy translation: the question as asked
    choices: tuple[Choice, ...]

    def choice(self, value) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Instrument:
    code: str  # Screening.Tool's value
    name: str
    instructions: str  # lazy translation, shown above the questions
    items: tuple[Item, ...]
    max_score: int
    positive_from_text: str  # lazy translation: the cut-off in words
    source: str  # the published instrument (not translated: a citation)
    # The cut-off: positive at a total below `positive_below` (Mini-Cog: a low score is impairment),
    # or at `positive_from` or more (AD8: counted changes). One of the two is set.
    positive_below: int | None = None
    positive_from: int | None = None

    def is_positive(self, total: int) -> bool:
        if self.positive_below is not None:
            return total < self.positive_below
        return total >= self.positive_from


@dataclass(frozen=True)
class Result:
    score: int
    positive: bool
    answers: dict  # the answers as stored: {item key: choice value}


_RECALL = tuple(Choice(str(n), label, n) for n, label in (
    (0, gettext_lazy("none of the 3 words")), (1, gettext_lazy("1 word")),
    (2, gettext_lazy("2 words")), (3, gettext_lazy("all 3 words"))))

MINI_COG = Instrument(
    code="mini_cog",
    name="Mini-Cog",
    instructions=gettext_lazy(
        "Say three unrelated words (e.g. banana, sunrise, chair) and ask the person to repeat them. "
        "Then ask them to draw a clock with all the numbers and the hands at ten past eleven. "
        "Then ask for the three words again."),
    items=(
        Item("recall", gettext_lazy("Words recalled without cues"), _RECALL),
        Item("clock", gettext_lazy("Clock drawing"), (
            Choice("2", gettext_lazy("normal: all numbers in order and place, hands at the time asked"), 2),
            Choice("0", gettext_lazy("abnormal, or refused"), 0),
        )),
    ),
    max_score=5,
    positive_below=3,
    positive_from_text=gettext_lazy("a total below 3 (of 5) screens positive"),
    source="Borson S et al., Int J Geriatr Psychiatry 2000;15:1021-7; mini-cog.com",
)

_AD8_CHOICES = (
    Choice("yes", gettext_lazy("yes, a change"), 1),
    Choice("no", gettext_lazy("no, no change"), 0),
    Choice("unknown", gettext_lazy("don't know"), 0),
)

AD8 = Instrument(
    code="ad8",
    name="AD8",
    instructions=gettext_lazy(
        "Ask someone who knows the elder well (or the elder): has there been a change in the last several "
        "years caused by problems with thinking and memory? “Yes, a change” only when it is such a change."),
    items=tuple(Item(f"q{n}", text, _AD8_CHOICES) for n, text in enumerate((
        gettext_lazy("Problems with judgment (e.g. problems making decisions, bad financial decisions, "
                     "problems with thinking)"),
        gettext_lazy("Less interest in hobbies or activities"),
        gettext_lazy("Repeats the same things over and over (questions, stories or statements)"),
        gettext_lazy("Trouble learning how to use a tool, appliance or gadget (e.g. a television remote, "
                     "a microwave, a mobile phone)"),
        gettext_lazy("Forgets the correct month or year"),
        gettext_lazy("Trouble handling complicated financial affairs (e.g. paying bills, keeping accounts)"),
        gettext_lazy("Trouble remembering appointments"),
        gettext_lazy("Daily problems with thinking and/or memory"),
    ), start=1)),
    max_score=8,
    positive_from=2,
    positive_from_text=gettext_lazy("2 or more “yes, a change” screen positive"),
    source="Galvin JE et al., Neurology 2005;65:559-64",
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (MINI_COG, AD8)}


def _invalid(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({"answers": ValidationError(message, code=code)})


def instrument(code) -> Instrument:
    """The instrument of a tool code; a ValidationError on "tool" for anything else."""
    if not isinstance(code, str) or code not in INSTRUMENTS:
        raise ValidationError({"tool": ValidationError(_("Choose Mini-Cog or AD8."), code="invalid")})
    return INSTRUMENTS[code]


def score(code, answers) -> Result:
    """Score a set of answers to the instrument `code`. Every item must be answered with one of its
    choices; an answer to no item of the instrument is refused too."""
    tool = instrument(code)
    if not isinstance(answers, dict):
        raise _invalid(_("Give the answers as one answer per question."))
    known = {item.key for item in tool.items}
    unknown = sorted(str(k) for k in answers if k not in known)
    if unknown:
        raise _invalid(_("“%(key)s” is not a question of %(tool)s.") % {"key": unknown[0][:40], "tool": tool.name},
                       "unknown_item")
    total, clean = 0, {}
    for n, item in enumerate(tool.items, start=1):
        value = answers.get(item.key)
        if value is None or value == "":
            raise _invalid(_("Question %(n)d (%(item)s) is not answered.") % {"n": n, "item": item.text}, "missing")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        choice = item.choice(value) if isinstance(value, str) else None
        if choice is None:
            raise _invalid(_("Question %(n)d (%(item)s): the answer is not one of its choices.")
                           % {"n": n, "item": item.text}, "invalid_answer")
        total += choice.points
        clean[item.key] = choice.value
    return Result(score=total, positive=tool.is_positive(total), answers=clean)
