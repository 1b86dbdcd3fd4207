"""Quiz scores and the leaderboard of a live room. A mixin of `Room` (rooms.py), which provides
the deck, the state, the store, the lock, `results_version` and `names`; the opening times
come from `Timed` (timers.py). Scores are counted from the stored answers (workshop/quiz.py),
once per change of the results."""
from __future__ import annotations

from workshop import names, quiz
from workshop.polltypes import AnswerError

__all__ = ["Quiz"]


class Quiz:
    """The quiz side of a Room."""

    _scored: tuple = (-1, None)  # (results_version, the counts) of the last count

    def _scores(self) -> dict:
        """Per-poll points, totals, ranks and team ranks, counted again when the results changed."""
        with self.lock:
            version, cached = self._scored
            if version == self.results_version and cached is not None:
                return cached
            version = self.results_version
            opened = self.opened_at()
        people = self.store.participants(self.id)
        per_poll = quiz.scores(self.deck, self.store.answers(self.id), opened)
        totals = quiz.totals(per_poll, [p.id for p in people])
        shown = {p.id: names.shown_name(self.names, p.pseudonym, p.nickname) for p in people}
        ranked = quiz.rank(totals, shown)
        teams = quiz.team_totals(totals, {p.id: p.team for p in people}, self.deck.teams)
        counts = {"per_poll": per_poll, "ranked": ranked, "by_id": {e.key: e for e in ranked},
                  "teams": quiz.rank(teams, {t: t for t in teams}) if self.deck.teams else []}
        self._scored = (version, counts)
        return counts

    def leaderboard(self, top: int = 10) -> dict:
        """The first `top` places (ties may make it a few more), and the teams."""
        counts = self._scores()
        rows = [e for e in counts["ranked"] if e.rank <= top]
        return {"people": [{"rank": e.rank, "name": e.name, "points": e.points} for e in rows],
                "teams": [{"rank": e.rank, "name": e.name, "points": e.points} for e in counts["teams"]]}

    def my_score(self, participant_id: int) -> dict:
        """What one phone shows: its points per question, total, rank and of how many."""
        counts = self._scores()
        entry = counts["by_id"].get(participant_id)
        return {"points": counts["per_poll"].get(participant_id, {}),
                "total": entry.points if entry else 0, "rank": entry.rank if entry else None,
                "of": len(counts["ranked"])}

    def set_team(self, participant_id: int, team) -> str:
        """A phone picks its team from the deck's list."""
        if not isinstance(team, str) or team not in self.deck.teams:
            raise AnswerError("unknown_team", "Pick one of this workshop's teams.")
        with self.lock:
            self.store.set_team(participant_id, team)
            self.results_version += 1
        return team

    def leaderboard_view(self) -> dict | None:
        """The current slide's leaderboard, for the projector, or None."""
        slide = self.deck.slides[self.state.slide]
        if slide.kind != "leaderboard":
            return None
        board = self.leaderboard(3 if slide.podium else slide.top)
        return {"title": slide.title, "podium": slide.podium, **board}
