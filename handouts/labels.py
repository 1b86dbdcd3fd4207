"""Printed dates and numbers; the PDFs' words come from the kit's language table."""
from __future__ import annotations

import time

from workshop import languages

# Printed words the pages show too: the page's string, so phone, projector and paper agree.
# Every other printed word is `pdf.<name>` in workshop/i18n/*.json.
PAGE_WORDS = {
    "correct": "chart.correct", "mean": "chart.mean", "median": "chart.median",
    "avg_rank": "chart.avg_rank", "terms": "chart.terms", "tips": "proj.tips",
    "minutes": "con.minutes", "code": "phone.code", "not_answered": "phone.not_answered",
    "quiz_points_of": "timing.points",
}
MONTHS = ("January February March April May June July August September October "
          "November December").split()


class Labels:
    """Look up printed words for one language; format dates and numbers the same way."""

    def __init__(self, language: str = "en"):
        self.lang = languages.of(language)

    def __call__(self, key: str, **values) -> str:
        return languages.t(self.lang, PAGE_WORDS.get(key) or languages.PRINT_ONLY + key, **values)

    def date(self, ts: float | None) -> str:
        """Return a printed date in local time, e.g. 12 March 2025 or 2025年3月12日."""
        t = time.localtime(ts if ts is not None else time.time())
        if self.lang == "zh":
            return f"{t.tm_year}年{t.tm_mon}月{t.tm_mday}日"
        return f"{t.tm_mday} {MONTHS[t.tm_mon - 1]} {t.tm_year}"

    def clock(self, ts: float | None) -> str:
        """Return a printed local time of day, e.g. 14:05."""
        return time.strftime("%H:%M", time.localtime(ts)) if ts is not None else "–"

    def date_time(self, start: float | None, end: float | None) -> str:
        """Return a printed date with a span of time, e.g. 12 March 2025, 14:05–15:30."""
        comma = "" if self.lang == "zh" else ","
        return f"{self.date(start)}{comma} {self.clock(start)}\u2013{self.clock(end)}"

    def percent(self, fraction: float) -> str:
        """Return a rounded percentage, e.g. 73%."""
        return f"{round(100 * fraction)}%"

    def group(self, group: str) -> str:
        """Return a poll group's printed name."""
        return self("homework") if group == "homework" else group

    def poll_type(self, poll) -> str:
        """Return a poll type's printed name, as the console names it."""
        kind = "multiple" if poll.type == "choice" and poll.multiple else poll.type
        return languages.t(self.lang, f"type.{kind}")
