// The projector: one slide at a time on a 16:9 stage, live results, the join QR, and the
// facilitator's keys. It follows facilitator_state, so the console and it stay in step.
import { connect, connectionBadge, emitAck, enter, mergeTally, readJSON, shortcutAction, toggleFullscreen, translator } from "./common.js";
import { fitSlide, fitStage, showPollSlide } from "./slides.js";
import { initProjectorQA } from "./qa.js";
import { attachTiming } from "./timing.js";

const data = readJSON("wk-data");
const polls = readJSON("wk-polls") || {};
const t = translator(data.strings);
const stage = document.getElementById("stage");
const slides = Array.from(stage.querySelectorAll(".slide"));
const overlay = document.getElementById("qr-overlay");
const people = document.getElementById("proj-people");
const qrCount = document.getElementById("qr-count");
const toast = document.getElementById("proj-toast");
const showConn = connectionBadge(document.getElementById("conn"), t);

let state = null; // FACILITATOR_STATE
const tallies = {}; // poll id -> RESULTS
let current = -1;
let toastTimer = null;

fitStage(stage, document.getElementById("stage-box"));
slides[0].classList.add("is-current"); // until the server says where we are
current = 0;
window.addEventListener("resize", () => { if (current >= 0) fitSlide(slides[current]); });

const socket = connect({ role: "facilitator", session: data.session.id, view: "projector" }, showConn);
attachTiming(socket, t, "projector"); // countdowns, activities, quiz scores (timing.js)
socket.on("facilitator_state", applyState);
initProjectorQA({ socket, stage });
socket.on("tally", (msg) => {
  mergeTally(tallies, state, msg);
  render();
});

function applyState(next) {
  state = next;
  render();
}

function render() {
  if (!state) return;
  const index = Math.max(0, Math.min(slides.length - 1, state.slide || 0));
  if (index !== current) {
    if (current >= 0) slides[current].classList.remove("is-current");
    current = index;
    slides[current].classList.add("is-current");
    enter(slides[current], [{ opacity: 0, transform: "translateY(14px)" }, { opacity: 1, transform: "none" }]);
  }
  document.body.dataset.slide = String(current);
  const slide = slides[current];
  const pollId = slide.dataset.pollId;
  if (pollId && polls[pollId]) {
    showPollSlide(slide, {
      poll: polls[pollId], pollState: (state.polls || {})[pollId], results: tallies[pollId],
      connected: state.connected, t,
    });
  }
  fitSlide(slide);
  if (overlay.hidden === Boolean(state.qr)) {
    overlay.hidden = !state.qr;
    if (state.qr) enter(overlay, [{ opacity: 0 }, { opacity: 1 }], 250);
  }
  document.body.classList.toggle("has-qr", Boolean(state.qr));
  showSpotlight(state.spotlight);
  const joined = t("proj.people", { connected: state.connected || 0 });
  people.textContent = joined;
  qrCount.textContent = joined;
}

// ---- the spotlight: one answer large, whole and centred; Esc goes back ----------------------

const spotlight = document.getElementById("spotlight");
const spotlightText = document.getElementById("spotlight-text");
const SPOT_SIZES = [96, 80, 68, 58, 50, 44, 38, 33, 28]; // px on the 1920x1080 stage; 28 is the floor

function showSpotlight(spot) {
  const text = spot ? spot.text : "";
  if (spot && spotlightText.dataset.text === text && !spotlight.hidden) return;
  spotlight.hidden = !spot;
  document.body.classList.toggle("has-spotlight", Boolean(spot));
  spotlightText.dataset.text = text;
  spotlightText.textContent = text;
  if (!spot) return;
  enter(spotlight, [{ opacity: 0, transform: "scale(.98)" }, { opacity: 1, transform: "none" }], 250);
  // the largest step at which the whole answer fits the stage
  const box = spotlight.querySelector(".spotlight__quote");
  for (const size of SPOT_SIZES) {
    spotlightText.style.fontSize = `${size}px`;
    // offsetHeight: layout px, whatever the stage's scale; 2px of rounding between the two
    if (spotlightText.offsetHeight <= box.clientHeight + 2 && box.scrollWidth <= box.clientWidth + 1) break;
  }
}

function showToast(text) {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 4000);
}

async function control(payload) {
  if (!socket.connected) {
    showToast(t("conn.reconnecting"));
    return;
  }
  try {
    const reply = await emitAck(socket, "control", payload);
    if (reply.ok && reply.state) applyState(reply.state);
    else if (!reply.ok && reply.error !== "no_poll") showToast(reply.message || reply.error);
  } catch (e) {
    showToast(t("error.timeout"));
  }
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state && state.spotlight) {
    event.preventDefault();
    control({ action: "spotlight_off" });
    return;
  }
  const shortcut = shortcutAction(event);
  if (!shortcut) return;
  event.preventDefault();
  if (shortcut.local === "fullscreen") toggleFullscreen();
  else control(shortcut);
});
document.getElementById("proj-fullscreen").addEventListener("click", toggleFullscreen);

// hide the mouse pointer and the key hints while nobody moves the mouse
let idle = null;
function wake() {
  document.body.classList.remove("is-idle");
  clearTimeout(idle);
  idle = setTimeout(() => document.body.classList.add("is-idle"), 2500);
}
document.addEventListener("mousemove", wake);
wake();
