// The slide stage shared by the projector and the console: scaling the 1920x1080 stage to
// its box, shrinking a too-full slide, and showing a poll slide's live state and results.
import { renderResults } from "./charts.js";
import { el } from "./common.js";

export const STAGE_W = 1920;
export const STAGE_H = 1080;

/** Scale the stage to fit its box (letterboxed, centred) now and whenever the box resizes. */
export function fitStage(stage, box) {
  const apply = () => {
    const w = box.clientWidth;
    const h = box.clientHeight || (w * STAGE_H) / STAGE_W;
    const scale = Math.min(w / STAGE_W, h / STAGE_H);
    const dx = Math.max(0, (w - STAGE_W * scale) / 2);
    const dy = Math.max(0, (h - STAGE_H * scale) / 2);
    stage.style.transform = `translate(${dx}px, ${dy}px) scale(${scale})`;
  };
  apply();
  if (window.ResizeObserver) new ResizeObserver(apply).observe(box);
  else window.addEventListener("resize", apply);
  return apply;
}

/** Shrink a slide's text in small steps until nothing overflows (never below 80%). */
export function fitSlide(slide) {
  const inner = slide.querySelector(".slide__inner");
  if (!inner || slide.offsetParent === null) return;
  let fit = 1;
  inner.style.setProperty("--fit", "1");
  const overflowing = () => inner.scrollHeight > inner.clientHeight + 2 ||
    Array.from(inner.querySelectorAll(".results-area, .scenario__left"))
      .some((box) => box.scrollHeight > box.clientHeight + 2);
  while (overflowing() && fit > 0.8) {
    fit = Math.round((fit - 0.04) * 100) / 100;
    inner.style.setProperty("--fit", String(fit));
  }
}

const VOTING_ICON = { open: "●", closed: "■", pending: "○" };

/**
 * Show a poll slide's state: voting pill, reveal pill, "N of M answered", the results
 * (only once revealed: the room never sees hidden counts) and a scenario's tips.
 */
export function showPollSlide(slide, view) {
  const { poll, pollState, results, connected, t } = view;
  if (!poll) return;
  const status = (pollState && pollState.status) || "pending";
  const revealed = Boolean(pollState && pollState.revealed);
  slide.dataset.status = status;
  slide.dataset.revealed = String(revealed);
  const voting = slide.querySelector('[data-role="voting"]');
  if (voting) {
    voting.className = `pill pill--${status}`;
    voting.textContent = `${VOTING_ICON[status] || ""} ${t(`status.${status}`)}`;
  }
  const reveal = slide.querySelector('[data-role="reveal"]');
  if (reveal) {
    reveal.className = `pill pill--${revealed ? "revealed" : "hidden"}`;
    reveal.textContent = revealed ? `✓ ${t("status.revealed")}` : `◌ ${t("status.hidden")}`;
  }
  const answered = slide.querySelector('[data-role="answered"]');
  if (answered) {
    const n = (results && results.poll === poll.id && results.answered) || 0;
    answered.dataset.answered = n;
    answered.replaceChildren(...answeredText(n, connected, t));
  }
  const box = slide.querySelector('[data-role="results"]');
  if (box) {
    renderResults(box, poll, revealed ? results : null, { t, wall: true, cloudMax: 2.7, cloudMin: 0.95 });
  }
}

/** Return nodes for "23 of 30 answered" with the numbers emphasised. */
export function answeredText(n, connected, t) {
  const total = connected ? Math.max(connected, n) : 0;
  const text = total ? t("chart.answered_of", { n: "\u0000", m: "\u0001" }) : t("chart.answered", { n: "\u0000" });
  return text.split(/(\u0000|\u0001)/).filter(Boolean).map((part) => {
    if (part === "\u0000") return el("strong", { text: n });
    if (part === "\u0001") return el("strong", { text: total });
    return part;
  });
}
