"""A live room's moderation of open answers: the queue of held answers, approving, hiding,
and the spotlight. A mixin of `Room` (rooms.py), called under the room's lock by `Room.control`;
every change is written to the store before the caches move."""
from __future__ import annotations

from workshop.names import shown_name
from workshop.polltypes.open import HIDDEN, SHOWN
from workshop.session import NOTHING, Change, ControlError

__all__ = ["Moderation"]


class Moderation:
    """The queue, the wall and the spotlight of a Room (which provides tallies, answers, state,
    store and _commit)."""

    def _moderate(self, action: str, poll_id: str, participant_id: int, args: dict) -> Change:
        """Approve, hide (or show again) or spotlight one open answer."""
        tally = self.tallies[poll_id]
        if participant_id not in self.answers[poll_id]:
            raise ControlError("unknown_participant", "That participant has not answered this question.")
        if action == "hide_answer":
            status = HIDDEN if args.get("hidden", True) else SHOWN
        elif tally.status[participant_id] == HIDDEN and action == "spotlight":
            raise ControlError("answer_hidden", "That answer is hidden; show it again first.")
        else:  # approve, or spotlight: putting an answer on the wall approves it
            status = SHOWN
        change = self._set_status(poll_id, participant_id, status)
        if action == "spotlight" and self.state.spotlight != (poll_id, participant_id):
            self.state.spotlight = (poll_id, participant_id)
            self._commit(Change(spotlight=True))  # if the store refuses, the room takes its state
            change |= Change(spotlight=True)
        elif status == HIDDEN and self.state.spotlight == (poll_id, participant_id):
            change |= self._end_spotlight()
        return change

    def _set_status(self, poll_id: str, participant_id: int, status: str) -> Change:
        tally = self.tallies[poll_id]
        if not tally.set_status(participant_id, status):
            return NOTHING
        rev = self.store.set_answer_status(self.id, poll_id, participant_id, status) or 0
        self.revs[(poll_id, participant_id)] = rev  # other processes apply only newer revisions
        self._publish("status", p=poll_id, who=participant_id, st=status, rev=rev)
        self.results_version += 1
        return Change(tallies=frozenset((poll_id,)))

    def _approve_all(self, poll_id: str | None) -> Change:
        """Put every held answer (of one poll, or of every poll) on the wall."""
        change = NOTHING
        for pid in [poll_id] if poll_id else list(self.deck.polls):
            for participant_id in getattr(self.tallies[pid], "held", ()):
                change |= self._set_status(pid, participant_id, SHOWN)
        return change

    def _end_spotlight(self) -> Change:
        self.state.spotlight = None
        self._commit(Change(spotlight=True))
        return Change(spotlight=True)

    def queue(self) -> list[dict]:
        """What waits for the facilitator's approval: items with a kind, `answer` (open answers,
        oldest first) then `question` (audience questions, oldest first)."""
        with self.lock:
            items = [{"kind": "answer", "poll": poll_id, "participant": who,
                      "text": tally.texts[who], "reason": tally.reasons[who]}
                     for poll_id, tally in self.tallies.items() for who in getattr(tally, "held", ())]
            items += self.question_queue()  # server/qa.py
        if items:  # names are read only when something waits: most ticks have nothing held
            shown = {p.id: shown_name(self.names, p.pseudonym, p.nickname)
                     for p in self.store.participants(self.id)}
            for item in items:
                item["pseudonym"] = shown.get(item["participant"], "")
        return items

    def queue_message(self) -> dict:
        """The `queue` message: every held item and the moderation switch."""
        return {"moderate": self.state.moderate, "items": self.queue()}

    def spotlight(self) -> dict | None:
        """The answer shown large on the projector, with its words, or None."""
        if self.state.spotlight is None:
            return None
        poll_id, who = self.state.spotlight
        text = getattr(self.tallies.get(poll_id), "texts", {}).get(who)
        return None if text is None else {"poll": poll_id, "participant": who, "text": text}

