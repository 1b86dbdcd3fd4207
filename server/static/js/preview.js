// The live preview: the deck drawn as the projector draws it (the server renders _slides.html),
// its notes beside it, reloaded when the file is saved. It asks /version a few times a second;
// a deck with problems lists them above the last good version, which stays on screen.
import { el, isTyping, readJSON, translator } from "./common.js";
import { fitSlide, fitStage, showPollSlide } from "./slides.js";

const POLL_MS = 300;
const data = readJSON("wk-data");
const t = translator(data.strings);
const stage = document.getElementById("stage");
const status = document.getElementById("pv-status");
const problemsBox = document.getElementById("pv-problems");
const problemsTitle = document.getElementById("pv-problems-title");
const problemsList = document.getElementById("pv-problems-list");
const notes = document.getElementById("pv-notes");
const sample = document.getElementById("pv-sample");
const count = document.getElementById("pv-count");
const title = document.getElementById("pv-title");

let deck = null; // the last good deck the server drew: html, slides, polls, results
let shown = ""; // its version
let drawn = []; // each slide's HTML as the server drew it, to find the one an edit changed
let current = 0;
let loading = false;
let shownProblems = "";

fitStage(stage, document.getElementById("stage-box"));

/** Return the index of the first slide whose drawing differs between two renderings. */
function firstChanged(before, after) {
  for (let i = 0; i < after.length; i += 1) if (before[i] !== after[i]) return i;
  return -1;
}

async function load() {
  if (loading) return;
  loading = true;
  try {
    const reply = await fetch("/slides", { cache: "no-store" });
    const next = await reply.json();
    if (!next.html) return;
    const before = drawn;
    stage.innerHTML = next.html; // drawn by the server's templates: every deck text is escaped there
    const after = Array.from(stage.querySelectorAll(".slide"), (s) => s.outerHTML);
    drawn = after;
    const changed = before.length ? firstChanged(before, after) : -1;
    // after an edit, show the slide that changed (unless the one on screen did)
    if (changed >= 0 && before[current] === after[current]) current = changed;
    deck = next;
    shown = next.version;
    title.textContent = next.title;
    document.title = t("preview.title", { title: next.title });
    show(Math.min(current, next.slides.length - 1));
    document.body.dataset.version = shown;
  } finally {
    loading = false;
  }
}

function show(index) {
  if (!deck) return;
  const slides = Array.from(stage.querySelectorAll(".slide"));
  current = Math.max(0, Math.min(slides.length - 1, index));
  slides.forEach((s, i) => s.classList.toggle("is-current", i === current));
  const slide = slides[current];
  const meta = deck.slides[current];
  if (meta.poll && deck.polls[meta.poll]) {
    showPollSlide(slide, {
      poll: deck.polls[meta.poll], pollState: { status: "closed", revealed: true },
      results: deck.results[meta.poll], connected: deck.people, t,
    });
    sample.textContent = t("preview.sample", { n: deck.people });
  }
  sample.hidden = !meta.poll;
  fitSlide(slide);
  notes.replaceChildren(...(meta.notes
    ? meta.notes.split(/\n{2,}/).map((para) => el("p", { text: para }))
    : [el("p", { className: "pv-notes__none", text: t("preview.no_notes") })]));
  count.textContent = t("preview.count", { n: current + 1, count: slides.length });
  document.body.dataset.slide = String(current);
}

function showProblems(version) {
  const key = version.problems.join("\n");
  status.dataset.state = version.ok ? "ok" : "problems";
  const n = version.problems.length;
  status.textContent = version.ok ? t("preview.ok")
    : t(version.good_version ? "preview.problems" : "preview.problems_none_good", { count: n });
  if (key === shownProblems) return;
  shownProblems = key;
  problemsBox.hidden = version.ok;
  problemsTitle.textContent = status.textContent;
  problemsList.replaceChildren(...version.problems.map((line) => el("li", {}, el("code", { text: line }))));
}

async function watch() {
  try {
    const reply = await fetch("/version", { cache: "no-store" });
    const version = await reply.json();
    showProblems(version);
    if (version.good_version && version.good_version !== shown) await load();
  } catch (e) {
    status.dataset.state = "lost";
    status.textContent = t("preview.lost");
  }
  setTimeout(watch, POLL_MS);
}

document.getElementById("pv-prev").addEventListener("click", () => show(current - 1));
document.getElementById("pv-next").addEventListener("click", () => show(current + 1));
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return;
  const onButton = event.target && event.target.closest && event.target.closest("button");
  const moves = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
  if (event.key in moves) show(current + moves[event.key]);
  else if (event.key === " " && !onButton) show(current + 1);
  else if (event.key === "Home") show(0);
  else if (event.key === "End") show(Infinity);
  else return;
  event.preventDefault();
});
window.addEventListener("resize", () => { if (deck) fitSlide(stage.querySelectorAll(".slide")[current]); });
watch();
