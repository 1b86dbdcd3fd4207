// Time on the server's clock: a timed question's countdown, a timed activity's phase and time
// left (projector, console, phone), the activity's console buttons, the projector's chime, and
// on the phone its quiz result, score and team. Every page counts down from the server's
// deadline: the state carries `server_now` (ms); `time` pings refine the offset (the sample
// with the shortest round trip wins). See docs/protocol.md, "Time".
import { el, emitAck } from "./common.js";

export function attachTiming(socket, t, view) {
  const box = document.getElementById("timing");
  if (!box) return null;
  let offset = null; // server clock minus this clock, ms
  let bestRtt = Infinity;
  let state = null;
  let lastPhase = null; // for the chime: the phase shown last, as "slide:phase"
  let muted = localStorage.getItem("wk:chime-muted") === "1";
  let audio = null;
  let scoreFor = null; // the poll (or "board") whose score was asked last
  let score = null;
  let teams = [];
  let team = "";

  const serverNow = () => Date.now() + (offset || 0);
  async function ping() {
    for (let i = 0; i < 3; i += 1) {
      const t0 = Date.now();
      try {
        const reply = await emitAck(socket, "time", {}, 5000);
        const rtt = Date.now() - t0;
        if (reply.ok && rtt <= bestRtt) { bestRtt = rtt; offset = reply.server_now - (t0 + rtt / 2); }
      } catch (e) { /* offline: the state's rough offset serves */ }
    }
  }
  function take(next) {
    if (!next) return;
    state = next;
    if (offset === null || bestRtt === Infinity) offset = next.server_now - Date.now();
    if (view === "phone") askScore();
    render();
  }
  socket.on("connect", () => { bestRtt = Infinity; ping(); });
  setInterval(ping, 60000);
  if (view === "phone") {
    socket.on("welcome", (msg) => { teams = msg.session.teams || []; team = msg.participant.team || ""; take(msg.state); });
    socket.on("state", take);
  } else {
    socket.on("facilitator_state", take);
  }
  setInterval(render, 250);

  function clockText(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  function currentPoll() { // the timed question to show: the phone's current one, else the latest opened
    if (!state) return null;
    if (view === "phone") return state.poll ? { id: state.poll.id, status: (state.poll_state || {}).status } : null;
    const timers = Object.entries(state.timers || {}).sort((a, b) => b[1].opened_at - a[1].opened_at);
    if (!timers.length) return null;
    const id = timers[0][0];
    return { id, status: ((state.polls || {})[id] || {}).status };
  }

  // ---- what is drawn -----------------------------------------------------------------------

  function render() {
    if (!state) return;
    const parts = [];
    const poll = currentPoll();
    const timer = poll && (state.timers || {})[poll.id];
    const left = timer ? timer.closes_at - serverNow() : 0;
    if (timer && (poll.status === "open" || (left <= 0 && left > -5000))) {
      const up = left <= 0 || poll.status !== "open";
      parts.push(el("div", { className: "timing__quiz", dataset: { testid: "quiz-countdown", up: String(up) } },
        el("span", { className: "timing__label", text: up ? t("timing.times_up") : t("timing.time_left") }),
        el("span", { className: "timing__clock", text: up ? "0:00" : clockText(left), attrs: { role: "timer" } })));
    }
    const act = state.activity;
    if (act) parts.push(activityPart(act));
    if (act) chime(act);
    if (view === "phone") parts.push(...phoneParts());
    if (view === "projector" && act) parts.push(soundPart());
    box.replaceChildren(...parts);
    box.hidden = parts.length === 0;
    if (view === "projector") renderBoard();
  }

  function activityPart(act) {
    const count = act.phases.length;
    const phase = act.phases[Math.min(act.phase, count - 1)];
    const left = act.running ? act.ends_at - serverNow() : act.left_ms;
    let status = t("timing.phase", { n: Math.min(act.phase + 1, count), count });
    if (act.done) status = t("timing.done");
    else if (!act.running) status += ` · ${act.ends_at === null && act.left_ms === phase.seconds * 1000 ? t("timing.not_started") : t("timing.paused")}`;
    const part = el("div", { className: "timing__activity", dataset: { testid: "activity", phase: String(act.phase), running: String(act.running) } },
      el("span", { className: "timing__label", text: `${t("timing.activity")} · ${status}` }),
      el("span", { className: "timing__say", text: act.done ? "" : phase.say, dataset: { testid: "activity-say" } }),
      el("span", { className: "timing__clock", text: act.done ? "0:00" : clockText(left), attrs: { role: "timer" }, dataset: { testid: "activity-clock" } }));
    if (view === "console") {
      const button = (action, key, extra) => el("button", { className: "btn", text: t(key), attrs: { type: "button" }, dataset: { testid: action } });
      const row = el("div", { className: "timing__buttons" },
        act.running ? button("activity_pause", "timing.pause") : button("activity_start", "timing.start"),
        button("activity_skip", "timing.skip"), button("activity_extend", "timing.extend"));
      row.addEventListener("click", (event) => {
        const action = event.target.closest("button")?.dataset.testid;
        if (action) emitAck(socket, "control", { action }).then((reply) => { if (reply.ok) take(reply.state); });
      });
      part.append(row);
    }
    return part;
  }

  // ---- the chime: Web Audio, no file; a page may need one click before it may sound ---------

  function soundPart() {
    const suspended = !audio || audio.state === "suspended";
    const button = el("button", { className: "timing__sound", attrs: { type: "button" }, dataset: { testid: "chime" },
      text: suspended && !muted ? t("timing.sound_allow") : (muted ? t("timing.unmute") : t("timing.mute")) });
    button.addEventListener("click", () => {
      if (suspended && !muted) { ensureAudio(); } else { muted = !muted; localStorage.setItem("wk:chime-muted", muted ? "1" : "0"); }
      render();
    });
    return button;
  }
  function ensureAudio() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }
  function chime(act) {
    const key = `${state.slide}:${act.phase}`;
    const ended = lastPhase !== null && lastPhase !== key && lastPhase.split(":")[0] === String(state.slide)
      && act.phase > Number(lastPhase.split(":")[1]);
    lastPhase = key;
    if (!ended || view !== "projector") return;
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    if (muted || !audio || audio.state !== "running") return;
    const now = audio.currentTime;
    [660, 880].forEach((freq, i) => { // two soft sine notes that fade out
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.25, now + i * 0.35 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 1.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.35);
      osc.stop(now + i * 0.35 + 1.3);
    });
  }

  // ---- the phone: quiz result, score, team -------------------------------------------------

  function askScore() {
    const results = state.results;
    const quizShown = results && results.correct && results.correct.length > 0;
    const board = state.slide && state.slide.kind === "leaderboard";
    const wanted = board ? `board:${state.slide.index}` : (quizShown ? `poll:${results.poll}` : null);
    if (!wanted) { scoreFor = null; score = null; return; }
    if (wanted === scoreFor) return;
    scoreFor = wanted;
    emitAck(socket, "my_score", {}).then((reply) => { if (reply.ok && scoreFor === wanted) { score = reply; render(); } });
  }
  function phoneParts() {
    const parts = [];
    if (teams.length && !team) {
      const pick = el("div", { className: "timing__teams", dataset: { testid: "team-pick" } },
        el("span", { className: "timing__label", text: t("timing.team_pick") }),
        ...teams.map((name) => el("button", { className: "btn", text: name, attrs: { type: "button" }, dataset: { team: name } })));
      pick.addEventListener("click", (event) => {
        const name = event.target.closest("button")?.dataset.team;
        if (name) emitAck(socket, "team", { team: name }).then((reply) => { if (reply.ok) { team = reply.team; render(); } });
      });
      parts.push(pick);
    } else if (team) {
      parts.push(el("p", { className: "timing__team", text: t("timing.team", { team }) }));
    }
    if (!score || !scoreFor) return parts;
    const rank = score.rank ? t("timing.rank", { rank: score.rank, of: score.of }) : "";
    if (scoreFor.startsWith("poll:")) {
      const id = scoreFor.slice(5);
      const got = score.points[id];
      const verdict = got === undefined ? t("timing.no_answer") : (got > 0 ? t("timing.correct") : t("timing.wrong"));
      parts.push(el("div", { className: "timing__result", dataset: { testid: "quiz-result", correct: String(got > 0) } },
        el("strong", { text: verdict }),
        el("span", { text: t("timing.points", { points: got || 0 }) }), el("span", { text: rank })));
    } else {
      parts.push(el("div", { className: "timing__result", dataset: { testid: "quiz-total" } },
        el("strong", { text: t("timing.total", { total: score.total }) }), el("span", { text: rank })));
    }
    return parts;
  }

  // ---- the projector's leaderboard slide -----------------------------------------------------

  function renderBoard() {
    const slide = document.querySelector(`.slide[data-index="${state.slide}"][data-kind="leaderboard"]`);
    const board = state.leaderboard;
    if (!slide || !board) return;
    const list = (rows, testid) => el("ol", { className: "board__list", dataset: { testid } },
      rows.map((r) => el("li", { className: `board__row board__row--${r.rank}`, dataset: { rank: String(r.rank) } },
        el("span", { className: "board__rank", text: String(r.rank) }), el("span", { className: "board__name", text: r.name }),
        el("span", { className: "board__points", text: String(r.points) }))));
    const out = slide.querySelector(".board");
    const key = JSON.stringify(board);
    if (out.dataset.key === key) return;
    out.dataset.key = key;
    out.classList.toggle("board--podium", Boolean(board.podium));
    const parts = [];
    if (!board.people.length) parts.push(el("p", { text: t("timing.leaderboard_empty") }));
    else parts.push(el("h3", { className: "board__head", text: t("timing.people") }), list(board.people, "board-people"));
    if (board.teams.length) parts.push(el("h3", { className: "board__head", text: t("timing.teams") }), list(board.teams, "board-teams"));
    out.replaceChildren(...parts);
  }
  return { serverNow };
}
