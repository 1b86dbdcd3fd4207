"""What a live room's phones and facilitators see: the slide with its story and pictures, its poll and state,
and its results once revealed. A mixin of `Room` (rooms.py), which provides the deck, the
state, the tallies, the row and the lock."""
from __future__ import annotations

from workshop import inline, names, polltypes
from workshop.polltypes.open import HIDDEN
from workshop.session import ControlError

from .media import media_url

__all__ = ["FacilitatorView", "PhoneView"]


class PhoneView:
    """The phones' side of a Room."""

    def phone_state(self) -> dict:
        """What every phone shows: the slide, its poll and its state, and its results once revealed."""
        with self.lock:
            slide = self.deck.slides[self.state.slide]
            poll = slide.poll
            return {"slide": {"index": self.state.slide, "count": len(self.deck.slides),
                              "kind": slide.kind, "title": inline.plain(slide.heading),
                              "story": inline.plain(slide.story),
                              "images": self._phone_images(slide),
                              "polls_after": any(s.poll for s in self.deck.slides[self.state.slide + 1:])},
                    "poll": poll.public() if poll else None,
                    "poll_state": self.state.polls[poll.id].as_dict() if poll else None,
                    "takeaways": self.state.takeaways, "results": self.phone_results(),
                    "version": self.state_version,
                    **self.timing_view()}

    def my_answers(self, participant_id: int) -> dict:
        """A phone's own answers, poll id -> value (in its welcome and sync)."""
        return {poll_id: got[participant_id] for poll_id, got in self.answers.items() if participant_id in got}

    def _phone_images(self, slide) -> list[dict]:
        """The slide's pictures meant for phones too, at the media URL of this session."""
        return [{"url": media_url(self.row.join_code, image.src), "alt": image.alt}
                for image in slide.images if image.phone]

    def phone_results(self) -> dict | None:
        """The current poll's results if the room is shown them, else None."""
        poll = self.state.current_poll
        if poll is None or not self.state.polls[poll.id].revealed:
            return None
        return self.tallies[poll.id].snapshot(True)

    def shows_results_of(self, poll_ids) -> bool:
        """Whether phones show the results of one of these polls right now."""
        poll = self.state.current_poll
        return poll is not None and poll.id in poll_ids and self.state.polls[poll.id].revealed


class FacilitatorView:
    """The projector's and console's side of a Room; `connected` counts every process's phones."""

    def open_answers(self, poll_id) -> list[dict]:
        poll = self.deck.polls.get(poll_id) if isinstance(poll_id, str) else None
        if poll is None or not polltypes.get(poll.type).free_text:
            raise ControlError("unknown_poll", "There is no open-text question with that id.")
        shown = {p.id: names.shown_name(self.names, p.pseudonym, p.nickname)
                 for p in self.store.participants(self.id)}
        with self.lock:
            tally = self.tallies[poll_id]
            return [{"participant": person, "pseudonym": shown.get(person, ""), "text": text,
                     "hidden": tally.status[person] == HIDDEN, "status": tally.status[person],
                     "reason": tally.reasons[person]}
                    for person, text in reversed(tally.texts.items())]

    # ----- what clients see -----

    def facilitator_state(self, join_url: str) -> dict:
        with self.lock:
            return {"session": {"id": self.id, "code": self.row.join_code, "join_url": join_url,
                                "title": self.deck.title, "created_at": self.row.created_at},
                    "slide": self.state.slide, "qr": self.state.qr, "takeaways": self.state.takeaways,
                    "version": self.state_version, "moderate": self.state.moderate,
                    "spotlight": self.spotlight(),
                    "polls": {poll_id: ps.as_dict() for poll_id, ps in self.state.polls.items()},
                    "participants": self.participants, "connected": self.connected_total,
                    "leaderboard": self.leaderboard_view(), **self.timing_view()}

    def snapshot(self, poll_id: str) -> dict:
        return self.tallies[poll_id].snapshot(self.state.polls[poll_id].revealed)

    def tally_message(self, poll_ids) -> dict:
        """The `tally` message: the counts of people and these polls' tallies."""
        with self.lock:
            return {"participants": self.participants, "connected": self.connected_total,
                    "polls": {poll_id: self.snapshot(poll_id) for poll_id in poll_ids}}
