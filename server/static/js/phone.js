// The phone: join with a token kept per join code, follow the facilitator's slide, answer
// the current poll, see the results once revealed. Answers given while offline wait in
// localStorage and are re-sent with the same uid, so a retry never counts twice.
import { connect, connectionBadge, el, emitAck, randomId, readJSON, store, translator } from "./common.js";
import { clearResults, renderResults } from "./charts.js";
import { answeredText } from "./slides.js";
import { WIDGETS } from "./widgets.js";
import { initPhoneQA } from "./qa.js";
import { attachTiming } from "./timing.js";

const data = readJSON("wk-data");
const t = translator(data.strings);
const code = data.session.code;
const $ = (id) => document.getElementById(id);
const KEY = { token: `wk:token:${code}`, nick: `wk:nick:${code}`, pending: `wk:pending:${code}` };
const named = data.session.names === "named"; // else anonymous: no names asked, none kept
const STORY_OPEN_CHARS = 280; // a longer story starts folded, so that the question shows

const token = (() => {
  let value = store.get(KEY.token);
  if (!value || !/^[A-Za-z0-9_-]{16,64}$/.test(value)) {
    value = randomId();
    store.set(KEY.token, value);
  }
  return value;
})();

const S = { me: null, state: null, answers: {}, results: null, connected: false };
const drafts = {}; // poll id -> value on screen, not yet confirmed
const sending = {}; // poll id -> true while an answer waits for its ack
const errors = {}; // poll id -> {error, message}
const pending = store.getJSON(KEY.pending, {}); // poll id -> {value, uid}
let widget = null;
let widgetPoll = null;
let note = null; // one-off message for the current poll (reset)
let contextSlide = null; // the slide whose story and pictures are drawn

const showConn = connectionBadge($("conn"), t);
const auth = { role: "participant", code, token };
const savedNick = named ? store.get(KEY.nick) : null;
if (savedNick) auth.nickname = savedNick;
const socket = connect(auth, (state, detail) => {
  S.connected = state === "connected";
  showConn(state, detail);
  render();
});
attachTiming(socket, t, "phone"); // countdowns, activities, quiz scores (timing.js)


initPhoneQA({ socket, t });
socket.on("welcome", (msg) => {
  S.me = msg.participant;
  S.state = msg.state;
  S.answers = msg.answers || {};
  S.results = msg.state.results || null; // the state carries the results, once revealed
  showMe();
  render();
  flushPending();
});
socket.on("state", (next) => {
  // several server processes may serve the room: never go back to an older state
  if (S.state && typeof next.version === "number" && next.version < S.state.version) return;
  S.state = next;
  S.results = next.results || null; // a state carries the current poll's results, once revealed
  render();
});
socket.on("results", (res) => { S.results = res; renderResults_(); });
socket.on("reset", ({ poll }) => {
  delete S.answers[poll];
  delete drafts[poll];
  delete errors[poll];
  delete pending[poll];
  store.setJSON(KEY.pending, pending);
  if (S.results && S.results.poll === poll) S.results = null;
  if (widgetPoll === poll) { widgetPoll = null; note = t("phone.reset"); }
  render();
});

// ---- answering -----------------------------------------------------------------------

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
function normalised(poll, value) {
  return poll.type === "choice" && !Array.isArray(value) && value !== null ? [value] : value;
}

async function sendAnswer(pollId, value, uid, attempt = 0) {
  pending[pollId] = { value, uid };
  store.setJSON(KEY.pending, pending);
  delete errors[pollId];
  if (!socket.connected) { render(); return; } // queued: flushed after the next welcome
  sending[pollId] = true;
  render();
  let reply;
  try {
    // the state's version: a server process that has not seen it yet reads it first
    const version = S.state && typeof S.state.version === "number" ? S.state.version : undefined;
    reply = await emitAck(socket, "answer", { poll: pollId, value, uid, version }, 8000);
  } catch (e) {
    sending[pollId] = false;
    if (socket.connected && attempt < 3) setTimeout(() => sendAnswer(pollId, value, uid, attempt + 1), 1500);
    render();
    return;
  }
  sending[pollId] = false;
  // busy, or the server cannot reach its database for a moment: the same answer, same uid, again
  if (!reply.ok && (reply.error === "rate_limited" || reply.error === "unavailable") && attempt < 5) {
    setTimeout(() => sendAnswer(pollId, value, uid, attempt + 1), 1500);
    return;
  }
  delete pending[pollId];
  store.setJSON(KEY.pending, pending);
  if (reply.ok) {
    S.answers[pollId] = reply.value;
    drafts[pollId] = reply.value;
    note = reply.held ? t("mod.phone_held") : null; // moderated: it waits for the facilitator
  } else {
    errors[pollId] = reply;
  }
  render();
}

function flushPending() {
  Object.entries(pending).forEach(([pollId, item]) => {
    if (!sending[pollId]) sendAnswer(pollId, item.value, item.uid);
  });
}

function onWidgetChange() {
  const poll = S.state && S.state.poll;
  if (!poll || !widget) return;
  drafts[poll.id] = normalised(poll, widget.getValue());
  delete errors[poll.id];
  note = null;
  render();
}

$("poll-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const poll = S.state && S.state.poll;
  if (!poll || !widget || sending[poll.id]) return;
  if (named && !(S.me && S.me.nickname)) {
    errors[poll.id] = { error: "name_required" };
    openNameForm();
    render();
    return;
  }
  if (!widget.isComplete()) {
    errors[poll.id] = { error: "incomplete", message: t(`phone.incomplete.${poll.type}`) };
    render();
    return;
  }
  sendAnswer(poll.id, widget.getValue(), randomId());
});

// ---- drawing -------------------------------------------------------------------------

function render() {
  const st = S.state;
  const poll = st && st.poll;
  $("waiting").hidden = Boolean(poll);
  $("poll").hidden = !poll;
  $("takeaway").hidden = !(st && st.takeaways);
  $("takeaway-token").value = token; // posted, never in a URL (it would stay in the history)
  renderContext(st);
  if (!poll) {
    widget = null;
    widgetPoll = null;
    renderWaiting(st);
    return;
  }
  if (widgetPoll !== poll.id) buildWidget(poll);
  const ps = st.poll_state || { status: "pending", revealed: false };
  const answered = Object.prototype.hasOwnProperty.call(S.answers, poll.id);
  const locked = answered && poll.allow_change === false;
  const open = ps.status === "open";
  const busy = Boolean(sending[poll.id]);
  const queued = Boolean(pending[poll.id]) && !busy;
  const draft = drafts[poll.id];
  const dirty = draft !== undefined && draft !== null && !same(draft, S.answers[poll.id]);

  widget.setDisabled(!open || locked || busy);
  $("poll-fieldset").classList.toggle("is-locked", !open || locked);
  const voting = $("poll-voting");
  voting.className = `pill pill--${ps.status}`;
  voting.textContent = t(`phone.status.${ps.status}`);
  $("poll-slide").textContent = t("phone.slide_of", { n: st.slide.index + 1, count: st.slide.count });

  const submit = $("submit");
  submit.hidden = !open || locked || queued || (answered && !dirty && !busy);
  submit.disabled = busy;
  submit.setAttribute("aria-disabled", String(!widget.isComplete() && !busy));
  submit.textContent = busy ? t("phone.sending") : (answered ? t("phone.update") : t("phone.submit"));

  let stateName = "idle";
  let message = "";
  if (busy) { stateName = "sending"; message = t("phone.sending"); }
  else if (queued) { stateName = "queued"; message = t("phone.queued"); }
  else if (errors[poll.id]) { stateName = "error"; message = errorText(errors[poll.id]); }
  else if (note) { stateName = "note"; message = note; }
  else if (ps.status === "closed" && ps.revealed) {
    // the answer is on show: voting closed first, so nothing here offers to change it
    stateName = "closed";
    message = `${t("phone.closed_revealed")} ${t(answered ? "phone.answer_counts" : "phone.not_answered")}`;
  } else if (answered && !dirty) {
    stateName = "received";
    message = t("phone.received");
    if (locked) message += ` ${t("phone.locked")}`;
    else if (open) message += ` ${t("phone.can_change")}`;
  } else if (ps.status === "closed") { stateName = "closed"; message = t(answered ? "phone.closed_answered" : "phone.closed"); }
  else if (ps.status === "pending") { stateName = "pending"; message = t("phone.pending"); }
  else if (dirty && answered) { stateName = "dirty"; message = t("phone.dirty"); }
  const status = $("answer-status");
  if (status.dataset.state !== stateName || status.dataset.text !== message) {
    status.dataset.state = stateName;
    status.dataset.text = message;
    status.dataset.locked = String(locked);
    status.replaceChildren(message ? el("span", { className: "answer-status__icon", attrs: { "aria-hidden": "true" } }) : "",
      message ? el("span", { text: message }) : "");
  }
  renderResults_();
}

// What is true between polls: another question is coming, none is, or the workshop is over.
function renderWaiting(st) {
  const last = Boolean(st && st.slide.index === st.slide.count - 1);
  const more = !st || st.slide.polls_after !== false;
  $("waiting").dataset.phase = last ? "end" : (more ? "between" : "no_more");
  $("waiting-slide").textContent = st ? (st.slide.title || "") : "";
  $("waiting-slide").hidden = !(st && st.slide.title) || last;
  $("waiting-eyebrow").hidden = last;
  $("waiting-title").textContent = last ? t("phone.end.title") : t("phone.waiting.title");
  let body = t(more ? "phone.waiting.body" : "phone.waiting.no_more");
  if (last) body = st.takeaways ? sentences(t("phone.end.body"), t("phone.end.takeaway")) : t("phone.end.body");
  $("waiting-body").textContent = body;
}

// Two sentences as one text: Chinese puts no space after its full stop.
function sentences(a, b) { return /[\u3000-\u9fff\uff00-\uffef]$/.test(a) ? a + b : `${a} ${b}`; }

// A scenario's story and the slide's pictures for phones, to read while deciding.
function renderContext(st) {
  const slide = st && st.slide;
  const story = (slide && slide.story) || "";
  const images = (slide && slide.images) || [];
  $("context").hidden = !story && !images.length;
  const key = slide ? `${slide.index}:${story.length}:${images.length}` : null;
  if (key === contextSlide) return; // drawn already: keep the reader's folding and scroll
  contextSlide = key;
  $("story").hidden = !story;
  $("story-text").textContent = story;
  // on a small phone (640 px tall) a shorter story already folds: the question must show
  const foldAt = window.innerHeight < 700 ? STORY_OPEN_CHARS / 2 : STORY_OPEN_CHARS;
  $("story-preview").textContent = story.length > foldAt ? `${story.slice(0, 90).trimEnd()}…` : "";
  $("story").open = story.length <= foldAt;
  $("pics").replaceChildren(...images.map((img) => el("img", {
    className: "pics__img", attrs: { src: img.url, alt: img.alt, loading: "lazy", decoding: "async" } })));
}

function buildWidget(poll) {
  widget = WIDGETS[poll.type](poll, onWidgetChange, t);
  widgetPoll = poll.id;
  $("poll-question").textContent = poll.question;
  $("poll-hint").textContent = widget.hint;
  $("poll-hint").hidden = !widget.hint;
  $("widget").replaceChildren(widget.node);
  const start = drafts[poll.id] !== undefined ? drafts[poll.id] : S.answers[poll.id];
  if (start !== undefined && start !== null) {
    widget.setValue(poll.type === "choice" && !poll.multiple && Array.isArray(start) ? start[0] : start);
  }
  clearResults($("ph-results-chart"));
}

function renderResults_() {
  const st = S.state;
  const poll = st && st.poll;
  const res = S.results;
  // the room's answers only after your own (or once voting stops), so they cannot sway you
  const answered = poll && Object.prototype.hasOwnProperty.call(S.answers, poll.id);
  const show = Boolean(poll && st.poll_state && st.poll_state.revealed && res && res.poll === poll.id &&
    (answered || st.poll_state.status !== "open"));
  $("ph-results").hidden = !show;
  if (!show) return;
  $("ph-results-answered").replaceChildren(...answeredText(res.answered || 0, 0, t));
  renderResults($("ph-results-chart"), poll, res, { t, mine: S.answers[poll.id], latest: 5, cloudMax: 2.1, cloudMin: 0.95 });
}

function errorText(err) {
  const key = `phone.error.${err.error}`;
  const known = t(key);
  if (err.error === "incomplete") return err.message;
  return known !== key ? known : (err.message || t("phone.error.generic"));
}

// ---- who am I, nickname, language ------------------------------------------------------

function showMe() {
  if (!S.me) return;
  const nick = named ? (S.me.nickname || "") : "";
  const name = nick || S.me.pseudonym || "";
  $("me-avatar").textContent = initials(name);
  if (named) {
    $("me-label").textContent = nick ? t("phone.you_are", { name: nick }) : "";
    $("me-privacy").textContent = t("phone.names.named");
    $("me-edit").hidden = !nick;
    $("me-edit").textContent = t("phone.nickname.change");
    $("nick-hint").textContent = "";
    if (!nick) openNameForm(false);
    else if (document.activeElement !== $("nick-input")) { // named already (this phone saved it)
      $("nick-form").hidden = true;
      $("me-edit").setAttribute("aria-expanded", "false");
    }
  } else {
    $("me-label").textContent = t("phone.names.you_appear", { pseudonym: S.me.pseudonym || "" });
    $("me-privacy").textContent = t("phone.names.anonymous");
    $("me-edit").hidden = true;
    $("nick-form").hidden = true;
  }
  $("me-label").hidden = !$("me-label").textContent;
  if (document.activeElement !== $("nick-input")) $("nick-input").value = nick;
}

function openNameForm(focus = true) {
  $("nick-form").hidden = false;
  $("me-edit").setAttribute("aria-expanded", "true");
  if (focus) $("nick-input").focus();
}

function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return "?";
  const first = Array.from(parts[0])[0] || "";
  const second = parts.length > 1 ? (Array.from(parts[parts.length - 1])[0] || "") : "";
  return (first + second).toUpperCase();
}

$("me-edit").addEventListener("click", () => {
  const form = $("nick-form");
  form.hidden = !form.hidden;
  $("me-edit").setAttribute("aria-expanded", String(!form.hidden));
  if (!form.hidden) $("nick-input").focus();
});

$("nick-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const nickname = $("nick-input").value.trim().slice(0, 40);
  const status = $("nick-status");
  if (!named) return;
  if (!nickname) { status.textContent = t("phone.names.required"); return; }
  store.set(KEY.nick, nickname);
  auth.nickname = nickname;
  if (!socket.connected) { status.textContent = t("phone.nickname.later"); return; }
  try {
    const reply = await emitAck(socket, "nickname", { nickname });
    if (reply.ok) {
      S.me = Object.assign({}, S.me, { nickname: reply.nickname });
      showMe();
      status.textContent = t("phone.nickname.saved");
      const poll = S.state && S.state.poll;
      if (poll && errors[poll.id] && errors[poll.id].error === "name_required") delete errors[poll.id];
      render();
      $("nick-form").hidden = true;
      $("me-edit").setAttribute("aria-expanded", "false");
      $("me-edit").focus();
    } else {
      status.textContent = reply.message || t("phone.error.generic");
    }
  } catch (e) {
    status.textContent = t("phone.error.timeout");
  }
});

document.querySelectorAll(".lang-switch__btn").forEach((btn) => {
  btn.addEventListener("click", () => {
    if (btn.getAttribute("aria-pressed") === "true") return;
    document.cookie = `lang=${btn.dataset.lang}; Path=/; Max-Age=31536000; SameSite=Lax`;
    window.location.replace(window.location.pathname);
  });
});

render();
