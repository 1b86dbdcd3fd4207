"""What a live room's phones see: the slide with its story and pictures, its poll and state,
and its results once revealed. A mixin of `Room` (rooms.py), which provides the deck, the
state, the tallies, the row and the lock."""
from __future__ import annotations

from workshop import inline

from .media import media_url

__all__ = ["PhoneView"]


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
                    **self.timing_view()}

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
