// The live preview: the server draws the deck as the projector does (_slides.html) and this
// script shows one slide at a time with its notes and a poll's sample results. It asks
// /version a few times a second; when the deck that loads has changed, it loads the page
// again (keeping the slide, or going to the one the edit changed); while the file has
// problems it lists them above the last good version, which stays on screen.
import { el, isTyping, readJSON, store, translator } from "./common.js";
import { fitSlide, fitStage, showPollSlide } from "./slides.js";

const POLL_MS = 300;
const MEMORY = "wk-preview"; // where the page keeps its slide across its own reloads
const data = readJSON("wk-data");
const t = translator(data.strings);
const tDeck = translator(data.deck_strings || data.strings); // the slides speak the deck's language
const stage = document.getElementById("stage");
const slides = Array.from(stage.querySelectorAll(".slide"));
const status = document.getElementById("pv-status");
const problemsBox = document.getElementById("pv-problems");
const problemsTitle = document.getElementById("pv-problems-title");
const problemsList = document.getElementById("pv-problems-list");
const notes = document.getElementById("pv-notes");
const sample = document.getElementById("pv-sample");
const count = document.getElementById("pv-count");
// each slide's notes, their inline Markdown already set (and escaped) by the server
const notesLibrary = Array.from(document.getElementById("pv-notes-library").content.children);

let current = 0;
let shownProblems = null;
let reloading = false;

fitStage(stage, document.getElementById("stage-box"));

/** Return the slide to open: the one shown before the reload, or the first one an edit changed. */
function startingSlide() {
  const before = store.getJSON(MEMORY, null);
  if (!before || before.path !== location.pathname) return 0;
  const drawn = data.slides.map((s) => s.drawn);
  const changed = drawn.findIndex((d, i) => d !== before.drawn[i]);
  if (changed >= 0 && drawn[before.current] === before.drawn[before.current]) return changed;
  return before.current;
}

function show(index) {
  if (!slides.length) return;
  current = Math.max(0, Math.min(slides.length - 1, index));
  slides.forEach((s, i) => s.classList.toggle("is-current", i === current));
  const slide = slides[current];
  const meta = data.slides[current];
  if (meta.poll && data.polls[meta.poll]) {
    showPollSlide(slide, {
      poll: data.polls[meta.poll], pollState: { status: "closed", revealed: true },
      results: data.results[meta.poll], connected: data.people, t: tDeck,
    });
    sample.textContent = t("preview.sample", { n: data.people });
  }
  sample.hidden = !meta.poll;
  fitSlide(slide);
  if (meta.notes && notesLibrary[current]) {
    notes.replaceChildren(...notesLibrary[current].cloneNode(true).childNodes);
  } else {
    notes.replaceChildren(el("p", { className: "pv-notes__none", text: t("preview.no_notes") }));
  }
  count.textContent = t("preview.count", { n: current + 1, count: slides.length });
  document.body.dataset.slide = String(current);
  store.setJSON(MEMORY, { path: location.pathname, current, drawn: data.slides.map((s) => s.drawn) });
}

function showProblems(version) {
  const n = version.problems.length;
  status.dataset.state = version.ok ? "ok" : "problems";
  status.textContent = version.ok ? t("preview.ok")
    : t(version.good_version ? "preview.problems" : "preview.problems_none_good", { count: n });
  const key = version.problems.join("\n");
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
    if (version.good_version && version.good_version !== data.version && !reloading) {
      reloading = true; // the deck that loads changed: draw it again, from the server
      location.reload();
      return;
    }
    showProblems(version);
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
  else if (event.key === "End") show(slides.length - 1);
  else return;
  event.preventDefault();
});
window.addEventListener("resize", () => { if (slides.length) fitSlide(slides[current]); });
document.body.dataset.version = data.version;
show(startingSlide());
watch();
