// The facilitator's console: the current and next slide, notes, the clock against the plan,
// every control, the live results of the current poll and the moderation of open answers.
import { clock, connect, connectionBadge, el, emitAck, mergeTally, readJSON, shortcutAction, store, toggleFullscreen, translator } from "./common.js";
import { renderResults } from "./charts.js";
import { answeredText, fitSlide, fitStage, showPollSlide } from "./slides.js";
import { initQueue } from "./queue.js";
import { initConsoleQA } from "./qa.js";
import { attachTiming } from "./timing.js";

const data = readJSON("wk-data");
const t = translator(data.strings);
const meta = data.deck; // [{index, kind, heading, notes, minutes, poll}]
const sid = data.session.id;
const $ = (id) => document.getElementById(id);
const library = Array.from($("slide-library").content.children);
// each slide's notes, their inline Markdown already set (and escaped) by the server
const notesLibrary = Array.from($("notes-library").content.children);
const showConn = connectionBadge($("conn"), t);
const TIMER_KEY = `wk:timer:${sid}`;

let state = null;
const tallies = {};
let shown = { current: -1, next: -1 };
let slideSince = Date.now();
let openAnswersTimer = null;
let lastOpenFetch = 0;

// cumulative planned minutes before each slide: plan[i] is when slide i should start
const plan = [0];
meta.forEach((m, i) => plan.push(plan[i] + (Number(m.minutes) || 0)));

const boxes = { current: $("preview-current"), next: $("preview-next") };
const stages = { current: $("stage-current"), next: $("stage-next") };
fitStage(stages.current, boxes.current);
fitStage(stages.next, boxes.next);

const socket = connect({ role: "facilitator", session: sid, view: "console" }, (st, detail) => {
  showConn(st, detail);
  if (st === "connected") scheduleOpenAnswers(0);
});
socket.on("facilitator_state", applyState);
attachTiming(socket, t, "console"); // countdowns, activity buttons (timing.js)
const queue = initQueue({ socket, t, control, meta, root: $("queue"), onChange: () => scheduleOpenAnswers(300) });
initConsoleQA({ socket, t, control });
socket.on("tally", (msg) => {
  mergeTally(tallies, state, msg);
  const poll = currentPoll();
  if (poll && poll.type === "open" && msg.polls && msg.polls[poll.id]) scheduleOpenAnswers(1500);
  render();
});

function applyState(next) {
  const moved = !state || state.slide !== next.slide;
  state = next;
  queue.setState(next);
  if (moved) {
    slideSince = Date.now();
    scheduleOpenAnswers(0);
  }
  render();
}

function currentPoll() {
  return state && meta[state.slide] ? meta[state.slide].poll : null;
}

function mount(which, index) {
  const stage = stages[which];
  if (shown[which] === index) return stage.firstElementChild;
  shown[which] = index;
  if (index < 0 || index >= library.length) { stage.replaceChildren(); return null; }
  const slide = library[index].cloneNode(true);
  slide.classList.add("is-current");
  stage.replaceChildren(slide);
  return slide;
}

function pollView(index) {
  const m = meta[index];
  if (!m || !m.poll) return null;
  return { poll: m.poll, pollState: (state.polls || {})[m.poll.id], results: tallies[m.poll.id],
    connected: state.connected, t };
}

function render() {
  if (!state) return;
  const i = state.slide;
  const cur = mount("current", i);
  const nxt = mount("next", i + 1 < meta.length ? i + 1 : -1);
  [[cur, i], [nxt, i + 1]].forEach(([slide, index]) => {
    if (!slide) return;
    const view = pollView(index);
    if (view) showPollSlide(slide, view);
    fitSlide(slide);
  });
  $("current-pos").textContent = t("con.slide_of", { n: i + 1, count: meta.length });
  $("next-pos").textContent = nxt ? t("con.slide_of", { n: i + 2, count: meta.length }) : "";
  $("preview-next").hidden = !nxt;
  $("next-end").hidden = Boolean(nxt);
  const notes = (meta[i] && meta[i].notes) || "";
  if (notes && notesLibrary[i]) $("notes").replaceChildren(...notesLibrary[i].cloneNode(true).childNodes);
  else $("notes").textContent = notes || t("con.no_notes");
  $("notes").classList.toggle("is-empty", !notes);
  $("people-connected").textContent = state.connected || 0;
  $("people-joined").textContent = state.participants || 0;
  renderList();
  renderControls();
  renderPoll();
  tick();
}

function renderList() {
  document.querySelectorAll("#slide-list .con-slide-btn").forEach((btn) => {
    const index = Number(btn.dataset.goto);
    const here = index === state.slide;
    if (here) btn.setAttribute("aria-current", "step"); else btn.removeAttribute("aria-current");
    btn.classList.toggle("is-done", index < state.slide);
    const pid = btn.dataset.pollId;
    if (pid) {
      const ps = (state.polls || {})[pid] || { status: "pending" };
      const n = (tallies[pid] && tallies[pid].answered) || 0;
      const badge = btn.querySelector('[data-role="poll-badge"]');
      badge.dataset.status = ps.status;
      badge.textContent = ps.status === "pending" ? "" : t("con.badge", { n });
    }
    if (here && btn.dataset.scrolled !== "1") {
      btn.scrollIntoView({ block: "nearest" });
    }
    btn.dataset.scrolled = here ? "1" : "";
  });
}

function renderControls() {
  const poll = currentPoll();
  const ps = poll ? (state.polls || {})[poll.id] || {} : {};
  const voting = $("btn-voting");
  const results = $("btn-results");
  [voting, results, $("btn-reset")].forEach((b) => { b.disabled = !poll; });
  voting.textContent = ps.status === "open" ? `■ ${t("con.close_voting")}` : `● ${t("con.open_voting")}`;
  voting.dataset.state = ps.status || "";
  const closes = poll && poll.reveal_closes && ps.status === "open"; // the server closes voting first
  results.textContent = ps.revealed ? `◌ ${t("con.hide")}` : `✓ ${t(closes ? "con.reveal_closes" : "con.reveal")}`;
  results.dataset.state = ps.revealed ? "revealed" : "hidden";
  $("btn-prev").disabled = state.slide <= 0;
  $("btn-next").disabled = state.slide >= meta.length - 1;
  $("btn-qr").setAttribute("aria-pressed", String(Boolean(state.qr)));
  $("btn-takeaways").setAttribute("aria-pressed", String(Boolean(state.takeaways)));
}

function renderPoll() {
  const poll = currentPoll();
  $("con-poll").hidden = !poll;
  if (!poll) return;
  const ps = (state.polls || {})[poll.id] || { status: "pending", revealed: false };
  const res = tallies[poll.id];
  $("poll-title").textContent = `${t("con.poll")} · ${t(`type.${poll.type}`)}`;
  $("poll-voting").className = `pill pill--${ps.status}`;
  $("poll-voting").textContent = t(`status.${ps.status}`);
  $("poll-reveal").className = `pill pill--${ps.revealed ? "revealed" : "hidden"}`;
  $("poll-reveal").textContent = ps.revealed ? t("status.revealed") : t("status.hidden");
  $("poll-answered").replaceChildren(...answeredText((res && res.answered) || 0, state.connected, t));
  $("poll-question").textContent = poll.question;
  const correct = poll.correct || [];
  $("poll-correct").hidden = !correct.length;
  $("poll-correct").textContent = correct.length
    ? t("con.correct", { answer: correct.map((i) => (poll.options || [])[i]).join(" · ") }) : "";
  $("poll-lifecycle").textContent = [t(poll.stays_open ? "con.stays_open" : "con.closes_on_leave"),
    poll.reveal_closes ? t("con.reveal_closes_note") : ""].filter(Boolean).join(" ");
  renderResults($("poll-chart"), poll, res, { t, latest: 4, cloudMax: 2.4, cloudMin: 0.9 });
  $("moderate").hidden = poll.type !== "open";
}

// ---- open answers: the facilitator can hide one from the room ---------------------------

function scheduleOpenAnswers(delay) {
  const poll = currentPoll();
  if (!poll || poll.type !== "open" || !socket.connected) return;
  clearTimeout(openAnswersTimer);
  const wait = Math.max(delay, lastOpenFetch + delay - Date.now(), 0);
  openAnswersTimer = setTimeout(() => fetchOpenAnswers(poll.id), wait);
}

async function fetchOpenAnswers(pollId) {
  lastOpenFetch = Date.now();
  try {
    const reply = await emitAck(socket, "open_answers", { poll: pollId });
    const poll = currentPoll();
    if (!reply.ok || !poll || poll.id !== pollId) return;
    drawOpenAnswers(pollId, reply.answers || []);
  } catch (e) { /* the next tally asks again */ }
}

function drawOpenAnswers(pollId, answers) {
  const hidden = answers.filter((a) => a.hidden).length;
  $("moderate-count").textContent = hidden ? t("con.answers_hidden", { n: answers.length, hidden })
    : t("con.answers_n", { n: answers.length });
  const list = $("moderate-list");
  if (!answers.length) {
    list.replaceChildren(el("li", { className: "con-moderate__empty", text: t("con.no_open_answers") }));
    return;
  }
  list.replaceChildren(...answers.map((a) => {
    const held = a.status === "held";
    const who = a.hidden ? `${a.pseudonym} · ${t("con.hidden")}` : held ? `${a.pseudonym} · ${t("mod.held")}` : a.pseudonym;
    return el("li", { className: `con-answer${a.hidden ? " is-hidden" : ""}${held ? " is-held" : ""}`,
      dataset: { participant: a.participant, testid: "open-answer" } },
    el("div", { className: "con-answer__body" },
      el("p", { className: "con-answer__text", text: a.text }),
      el("p", { className: "con-answer__who", text: who })),
    a.hidden ? "" : el("button", { className: "btn btn--ghost btn--small", text: t("mod.spotlight"),
      attrs: { type: "button", "aria-label": `${t("mod.spotlight")}: ${a.text.slice(0, 60)}` },
      dataset: { participant: a.participant, act: "spotlight", testid: "spotlight-answer" } }),
    el("button", { className: "btn btn--ghost btn--small", text: a.hidden ? t("con.unhide_answer") : t("con.hide_answer"),
      attrs: { type: "button", "aria-pressed": String(Boolean(a.hidden)),
        "aria-label": `${a.hidden ? t("con.unhide_answer") : t("con.hide_answer")}: ${a.text.slice(0, 60)}` },
      dataset: { participant: a.participant, hidden: a.hidden ? "1" : "", act: "hide", testid: "hide-answer" } }));
  }));
}

$("moderate-list").addEventListener("click", async (event) => {
  const btn = event.target.closest("button[data-participant]");
  const poll = currentPoll();
  if (!btn || !poll) return;
  btn.disabled = true;
  const participant = Number(btn.dataset.participant);
  await control(btn.dataset.act === "spotlight" ? { action: "spotlight", poll: poll.id, participant }
    : { action: "hide_answer", poll: poll.id, participant, hidden: !btn.dataset.hidden });
  fetchOpenAnswers(poll.id);
});

// ---- controls -------------------------------------------------------------------------

async function control(payload) {
  const feedback = $("con-feedback");
  if (!socket.connected) { feedback.textContent = t("conn.reconnecting"); return null; }
  try {
    const reply = await emitAck(socket, "control", payload);
    if (reply.ok) {
      feedback.textContent = "";
      if (reply.state) applyState(reply.state);
    } else {
      feedback.textContent = t("con.action_failed", { message: reply.message || reply.error });
    }
    return reply;
  } catch (e) {
    feedback.textContent = t("error.timeout");
    return null;
  }
}

$("btn-prev").addEventListener("click", () => control({ action: "prev" }));
$("btn-next").addEventListener("click", () => control({ action: "next" }));
$("btn-voting").addEventListener("click", () => control({ action: "toggle_voting" }));
$("btn-results").addEventListener("click", () => control({ action: "toggle_results" }));
$("btn-qr").addEventListener("click", () => control({ action: "qr", show: !(state && state.qr) }));
$("btn-takeaways").addEventListener("click", () => control({ action: "takeaways", allow: !(state && state.takeaways) }));
$("slide-list").addEventListener("click", (event) => {
  const btn = event.target.closest("button[data-goto]");
  if (btn) control({ action: "goto", slide: Number(btn.dataset.goto) });
});

const dialog = $("reset-dialog");
$("btn-reset").addEventListener("click", () => {
  const poll = currentPoll();
  if (!poll) return;
  const n = (tallies[poll.id] && tallies[poll.id].answered) || 0;
  $("reset-body").textContent = t("con.reset_confirm", { n, question: poll.question });
  dialog.dataset.poll = poll.id;
  dialog.showModal();
});
dialog.addEventListener("close", () => {
  if (dialog.returnValue === "confirm" && dialog.dataset.poll) {
    control({ action: "reset", poll: dialog.dataset.poll });
  }
  dialog.returnValue = "";
});

document.addEventListener("keydown", (event) => {
  if (dialog.open || event.defaultPrevented) return; // the queue took its own keys
  if (event.key === "Escape" && state && state.spotlight) {
    event.preventDefault();
    control({ action: "spotlight_off" });
    return;
  }
  const shortcut = shortcutAction(event);
  if (!shortcut) return;
  event.preventDefault();
  if (shortcut.local === "fullscreen") toggleFullscreen();
  else if (shortcut.action === "qr") control({ action: "qr", show: !(state && state.qr) });
  else control(shortcut);
});

// ---- the clock: elapsed against the plan ------------------------------------------------

function timerStart() {
  const saved = Number(store.get(TIMER_KEY));
  if (saved) return saved;
  const created = state && state.session && state.session.created_at;
  return created ? created * 1000 : Date.now();
}

$("timer-reset").addEventListener("click", () => {
  store.set(TIMER_KEY, String(Date.now()));
  tick();
});

function tick() {
  if (!state) return;
  const elapsed = (Date.now() - timerStart()) / 1000;
  const i = state.slide;
  const start = plan[i] * 60;
  const end = plan[Math.min(i + 1, plan.length - 1)] * 60;
  $("timer-elapsed").textContent = clock(elapsed);
  $("timer-planned").textContent = `${clock(end)} / ${clock((data.minutes || plan[plan.length - 1]) * 60)}`;
  $("timer-slide").textContent = clock((Date.now() - slideSince) / 1000);
  const pace = $("timer-pace");
  let kind = "on_time";
  let minutes = 0;
  if (elapsed < start - 30) { kind = "ahead"; minutes = Math.round((start - elapsed) / 60); }
  else if (elapsed > end + 30) { kind = "behind"; minutes = Math.round((elapsed - end) / 60); }
  if (minutes === 0 && kind !== "on_time") kind = "on_time";
  pace.dataset.pace = kind;
  pace.textContent = t(`con.pace.${kind}`, { m: minutes });
}
setInterval(tick, 1000);
