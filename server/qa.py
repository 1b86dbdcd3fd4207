"""A live room's audience Q&A: questions asked, upvotes, moderation and the pinned question.
A mixin of `Room` (rooms.py), which provides the deck, the state (its moderation switch), the
store, the names rule, the lock and `_tell`. Every change is committed to the store before the
board (workshop/qa.py) moves and before the phone's ack; the broadcaster coalesces the pushes."""
from __future__ import annotations

from workshop import qa
from workshop.names import NAMED, shown_name
from workshop.qa import QAError
from workshop.session import NOTHING, Change, ControlError

__all__ = ["QA"]

MAX_QUESTIONS_PER_PHONE = 20  # what one phone may ask in a session
PHONE_LIST = 50  # how many questions phones are sent (the top ones, by votes)


class QA:
    """The questions of a Room."""

    def _load_questions(self) -> None:
        """Rebuild the board from the store (on load, and to check the cache in tests)."""
        people = {p.id: p for p in self.store.participants(self.id)}
        board = qa.Board()
        for row in self.store.questions(self.id):
            p = people.get(row.participant_id)
            board.add(qa.Question(row.id, row.participant_id, row.text, row.status, row.reason,
                                  row.asked_at, qa.asker_name(self.names, p.nickname if p else ""),
                                  row.pinned, row.uid, self._who(p)))
        for question_id, voter in self.store.question_votes(self.id):
            if question_id in board.questions:
                board.questions[question_id].voters.add(voter)
        self.board, self.qa_uids = board, self.store.qa_uids(self.id)
        self.qa_version = getattr(self, "qa_version", 0) + 1

    def _who(self, p) -> str:
        return shown_name(self.names, p.pseudonym, p.nickname) if p else ""

    def _qa_changed(self) -> Change:
        """A committed change of the Q&A: the other processes reload it (coalesced, follow.py)."""
        self._publish("qa")
        self.qa_version += 1
        self.results_version += 1
        return Change(questions=True)

    # ----- phones -----

    def ask(self, participant_id: int, text, uid: str = "") -> dict:
        """Take a question from a phone; committed before the reply, which carries its id."""
        if not self.deck.qa:
            raise QAError("qa_off", "Questions are not taken in this session.")
        text = qa.clean_question(text)
        with self.lock:
            if self.names == NAMED and participant_id not in self.named:
                raise QAError("name_required", "This session shows names: give your name first.")
            if uid and (participant_id, uid) in self.qa_uids:
                mine = [q for q in self.board.questions.values()
                        if q.participant == participant_id and q.uid == uid]
                if mine:
                    return self._ask_reply(mine[0], duplicate=True)
                raise QAError("bad_payload", "That uid was used for a vote.")
            if len(self.board.asked_by(participant_id)) >= MAX_QUESTIONS_PER_PHONE:
                raise QAError("too_many_questions",
                              f"You have asked {MAX_QUESTIONS_PER_PHONE} questions; that is the limit.")
            status, reason = qa.arrival(text, self.state.moderate)
            row = self.store.add_question(self.id, participant_id, text, status, reason, uid)
            # read once per question (asks are few), so that no push reads every participant
            p = next((p for p in self.store.participants(self.id) if p.id == participant_id), None)
            question = qa.Question(row.id, participant_id, text, status, reason, row.asked_at,
                                   qa.asker_name(self.names, p.nickname if p else ""), uid=uid,
                                   who=self._who(p))
            self.board.add(question)
            if uid:
                self.qa_uids.add((participant_id, uid))
            change = self._qa_changed()
        self._tell(change)
        return self._ask_reply(question)

    def _ask_reply(self, question: qa.Question, duplicate: bool = False) -> dict:
        reply = {"ok": True, "question": question.public(), "duplicate": duplicate}
        if question.status == qa.HELD:
            reply["held"] = question.reason
        return reply

    def upvote(self, participant_id: int, question_id, on=True, uid: str = "") -> dict:
        """Add or withdraw a phone's vote on a question; committed before the reply."""
        if not isinstance(on, bool):
            raise QAError("bad_value", "'on' must be true or false.")
        with self.lock:
            if uid and (participant_id, uid) in self.qa_uids:
                q = self.board.questions.get(question_id) if isinstance(question_id, int) else None
                return self._vote_reply(q, participant_id, question_id, duplicate=True)
            q = qa.check_vote(self.board.questions.get(question_id)
                              if isinstance(question_id, int) and not isinstance(question_id, bool)
                              else None, participant_id)
            changed = on != (participant_id in q.voters)
            if changed or uid:
                self.store.set_vote(self.id, q.id, participant_id, on, uid)
            if uid:
                self.qa_uids.add((participant_id, uid))
            change = NOTHING
            if changed:
                self.board.vote(q.id, participant_id, on)
                change = self._qa_changed()
        self._tell(change)
        return self._vote_reply(q, participant_id, question_id)

    @staticmethod
    def _vote_reply(q, participant_id, question_id, duplicate: bool = False) -> dict:
        return {"ok": True, "question": question_id, "voted": bool(q and participant_id in q.voters),
                "votes": q.votes if q else 0, "duplicate": duplicate}

    def qa_mine(self, participant_id: int) -> dict:
        """A phone's view of the Q&A: the room's questions, its own and those it upvoted."""
        with self.lock:
            return {"ok": True, **self.phone_questions(),
                    "mine": [q.public() for q in self.board.questions.values()
                             if q.participant == participant_id],
                    "voted": self.board.voted_by(participant_id)}

    def phone_questions(self) -> dict:
        """The `questions` message phones get: the shown ones, most votes first."""
        with self.lock:
            return {"on": self.deck.qa, "version": self.qa_version,
                    "items": [q.public() for q in self.board.visible(limit=PHONE_LIST)]}

    # ----- the facilitator -----

    def facilitator_questions(self) -> dict:
        """The `questions` message the console and projector get: every question, its status,
        and who asked it as the facilitator sees them (pseudonym or name)."""
        with self.lock:
            return {"on": self.deck.qa, "moderate": self.state.moderate, "version": self.qa_version,
                    "items": [{**q.public(), "reason": q.reason, "participant": q.participant,
                               "who": q.who} for q in qa.order(self.board.questions.values())]}

    def qa_control(self, action: str, args: dict) -> Change:
        """A facilitator's action on questions (under the room's lock, from Room.control)."""
        if action == "qa_approve_all":
            change = NOTHING
            for q in self.board.held:
                change |= self._question_status(q.id, qa.SHOWN)
            return change
        if action == "qa_unpin":
            return self._pin(None)
        question_id = args.get("question")
        if not isinstance(question_id, int) or isinstance(question_id, bool) \
                or question_id not in self.board.questions:
            raise ControlError("unknown_question", "There is no question with that id.")
        if action == "qa_pin":
            if self.board.questions[question_id].status not in qa.VISIBLE:
                self._question_status(question_id, qa.SHOWN)  # pinning shows it, as a spotlight does
            return self._pin(question_id) | Change(questions=True)
        return self._question_status(question_id, qa.ACTION_STATUS[action])

    def _question_status(self, question_id: int, status: str) -> Change:
        q = self.board.questions[question_id]
        if q.status == status:
            return NOTHING
        self.store.set_question_status(self.id, question_id, status)
        if q.pinned and status not in qa.VISIBLE:
            self.store.pin_question(self.id, None)
        self.board.set_status(question_id, status)
        return self._qa_changed()

    def _pin(self, question_id: int | None) -> Change:
        if (self.board.pinned.id if self.board.pinned else None) == question_id:
            return NOTHING
        self.store.pin_question(self.id, question_id)
        self.board.pin(question_id)
        return self._qa_changed()

    def question_queue(self) -> list[dict]:
        """Held questions as queue items (kind `question`), oldest first."""
        with self.lock:
            return [{"kind": "question", "question": q.id, "participant": q.participant,
                     "text": q.text, "reason": q.reason} for q in self.board.held]
