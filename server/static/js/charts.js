// Result charts drawn with plain HTML (no chart library): bars for choice and ranking,
// a histogram with mean and median for scale, a word cloud and the latest answers for open
// (on a slide, `wall: true`: whole answers on cards, a page at a time at a fixed pace).
// Every text from a participant or a deck goes in through textContent (el()).
import { el } from "./common.js";

const EMPTY = { answered: 0 };

/**
 * Draw or update the results of one poll inside box.
 * opts: t (translator), mine (this phone's answer, optional), latest (how many open
 * answers to list), cloudMax/cloudMin (em sizes of the word cloud), wall (open answers as
 * whole cards paged every WALL_PAGE_MS, for the projector's slide).
 */
export function renderResults(box, poll, results, opts) {
  const res = results && results.poll === poll.id ? results : EMPTY;
  const key = `${poll.id}:${poll.type}`;
  if (box.dataset.chartFor !== key) {
    box.replaceChildren();
    box.dataset.chartFor = key;
    Array.from(box.classList).filter((c) => c.startsWith("chart--")).forEach((c) => box.classList.remove(c));
    box.classList.add("chart", `chart--${poll.type}`);
    BUILD[poll.type](box, poll, opts);
  }
  UPDATE[poll.type](box, poll, res, opts);
}

/** Forget a box's chart so that the next render builds it again. */
export function clearResults(box) {
  delete box.dataset.chartFor;
  Array.from(box.classList).filter((c) => c.startsWith("chart--")).forEach((c) => box.classList.remove(c));
  box.replaceChildren();
}

/** Return the letter of an option (A, B, ...): the room can say "B" out loud. */
export function letter(index) {
  return String.fromCharCode(65 + index);
}

function barRow(label, index, t, withLetter) {
  return el("li", { dataset: { index } },
    el("div", { className: "bar__head" },
      el("span", { className: "bar__label" },
        withLetter ? el("span", { className: "bar__letter", text: letter(index), attrs: { "aria-hidden": "true" } })
          : el("span", { className: "bar__rank" }),
        el("span", { className: "bar__text", text: label }),
        el("span", { className: "bar__correct", text: `✓ ${t("chart.correct")}` }),
        el("span", { className: "bar__mine", text: t("chart.mine") })),
      el("span", { className: "bar__value", dataset: { testid: "option-count" } })),
    el("div", { className: "bar__track", attrs: { "aria-hidden": "true" } },
      el("div", { className: "bar__fill" })));
}

const BUILD = {
  choice(box, poll, { t }) {
    box.append(el("ul", { className: "bars bars--choice", attrs: { role: "list" } },
      poll.options.map((label, i) => barRow(label, i, t, true))));
    // each percentage is of the people who answered: with several picks each, they add up past 100
    if (poll.multiple) box.append(el("p", { className: "bars__note", dataset: { testid: "percent-note" }, text: t("chart.percent_of_people") }));
  },
  ranking(box, poll, { t }) {
    box.append(el("ol", { className: "bars bars--ranking" },
      poll.items.map((label, i) => barRow(label, i, t, false))));
  },
  scale(box, poll, { t }) {
    const values = [];
    for (let v = poll.min; v <= poll.max; v += 1) values.push(v);
    box.append(el("div", { className: "scale-chart" },
      el("div", { className: "scale-chart__stats" },
        el("span", { className: "stat" }, el("span", { className: "stat__label", text: t("chart.mean") }),
          el("span", { className: "stat__value", dataset: { role: "mean", testid: "scale-mean" }, text: "–" })),
        el("span", { className: "stat" }, el("span", { className: "stat__label", text: t("chart.median") }),
          el("span", { className: "stat__value", dataset: { role: "median" }, text: "–" }))),
      el("ul", { className: "histo", attrs: { role: "list" } }, values.map((v) =>
        el("li", { className: "histo__col", dataset: { value: v } },
          el("span", { className: "histo__count", dataset: { testid: "option-count" }, text: "0" }),
          el("span", { className: "histo__bar", attrs: { "aria-hidden": "true" } }),
          el("span", { className: "sr-only", text: ` ← ${v}` })))),
      el("ol", { className: "histo__axis", attrs: { "aria-hidden": "true" } },
        values.map((v) => el("li", { text: v }))),
      el("div", { className: "mean-marker", attrs: { "aria-hidden": "true" } },
        el("span", { className: "mean-marker__tick", attrs: { hidden: true } })),
      el("div", { className: "scale-chart__poles" },
        el("span", { text: poll.left ? `${poll.min} · ${poll.left}` : "" }),
        el("span", { text: poll.right ? `${poll.right} · ${poll.max}` : "" }))));
  },
  open(box, poll, { t, wall }) {
    box.append(
      el("div", { className: "open-chart__cloud" },
        el("ul", { className: "cloud", attrs: { role: "list", "aria-label": t("chart.terms") } }),
        el("p", { className: "chart__empty", text: t("chart.no_answers") })),
      el("div", { className: `open-chart__latest${wall ? " wall" : ""}` },
        el("h3", { className: "open-chart__title", text: t("chart.latest") },
          wall ? el("span", { className: "wall__page", dataset: { testid: "wall-page" } }) : ""),
        el("ul", { className: wall ? "answers wall__cards" : "answers", attrs: { role: "list" },
          dataset: { testid: "open-latest" } })));
    if (wall) startWall(box);
  },
};

function setBar(li, valueText, small, width) {
  const value = li.querySelector(".bar__value");
  value.replaceChildren(valueText, small ? el("small", { text: small }) : "");
  li.querySelector(".bar__fill").style.width = `${Math.max(0, Math.min(100, width))}%`;
}

function markMine(box, selector, picked) {
  box.querySelectorAll(selector).forEach((node) => {
    const key = node.dataset.index !== undefined ? Number(node.dataset.index) : Number(node.dataset.value);
    node.classList.toggle("is-mine", picked.includes(key));
  });
}

const UPDATE = {
  choice(box, poll, res, { mine }) {
    const list = box.querySelector(".bars");
    const counts = res.counts || poll.options.map(() => 0);
    const percents = res.percents || poll.options.map(() => 0);
    const correct = res.correct || [];
    list.classList.toggle("has-correct", correct.length > 0);
    list.querySelectorAll("li").forEach((li, i) => {
      setBar(li, String(counts[i] || 0), `${percents[i] || 0}%`, percents[i] || 0);
      li.classList.toggle("is-correct", correct.includes(i));
      li.dataset.count = counts[i] || 0;
    });
    const picked = mine === undefined || mine === null ? [] : [].concat(mine);
    markMine(list, "li", picked);
  },
  ranking(box, poll, res, { t }) {
    const list = box.querySelector(".bars");
    const n = poll.items.length;
    const avg = res.average_rank || null;
    const order = avg && res.order ? res.order : poll.items.map((_, i) => i);
    const rows = Array.from(list.children);
    order.forEach((itemIndex, place) => {
      const li = rows.find((row) => Number(row.dataset.index) === itemIndex);
      if (!li) return;
      list.append(li); // re-append in rank order
      const rank = avg ? avg[itemIndex] : null;
      const width = rank === null || rank === undefined ? 0 : Math.max(3, ((n - rank) / (n - 1)) * 100);
      setBar(li, rank === null || rank === undefined ? "–" : t("chart.avg_rank", { rank: rank.toFixed(1) }), "", width);
      li.dataset.place = place + 1;
      li.querySelector(".bar__rank").textContent = avg ? `${place + 1}.` : "";
      li.dataset.rank = rank === null || rank === undefined ? "" : rank;
    });
  },
  scale(box, poll, res, { mine }) {
    const counts = res.counts || [];
    const top = Math.max(1, ...counts.map((c) => c || 0));
    const cols = box.querySelectorAll(".histo__col");
    const mean = typeof res.mean === "number" ? res.mean : null;
    cols.forEach((col, i) => {
      const count = counts[i] || 0;
      col.querySelector(".histo__count").textContent = String(count);
      col.querySelector(".histo__bar").style.height = `${(count / top) * 100}%`;
      col.dataset.count = count;
      col.classList.toggle("is-mine", mine !== undefined && mine !== null && Number(col.dataset.value) === mine);
    });
    box.querySelector('[data-role="mean"]').textContent = mean === null ? "–" : fmtNumber(mean);
    box.querySelector('[data-role="median"]').textContent =
      typeof res.median === "number" ? fmtNumber(res.median) : "–";
    const tick = box.querySelector(".mean-marker__tick");
    if (mean === null) {
      tick.hidden = true;
    } else {
      const steps = poll.max - poll.min + 1;
      tick.hidden = false;
      tick.textContent = fmtNumber(mean);
      tick.style.left = `${((mean - poll.min + 0.5) / steps) * 100}%`;
    }
  },
  open(box, poll, res, opts) {
    const terms = res.terms || [];
    const cloud = box.querySelector(".cloud");
    const signature = JSON.stringify(terms);
    if (cloud.dataset.signature !== signature) {
      cloud.dataset.signature = signature;
      cloud.replaceChildren(...cloudTerms(terms, opts));
      fitCloud(cloud);
    }
    box.querySelector(".chart__empty").hidden = terms.length > 0;
    const latest = (res.latest || []).slice(0, opts.wall ? undefined : opts.latest || 6);
    box.querySelector(".open-chart__latest").hidden = latest.length === 0;
    if (opts.wall) {
      const wall = WALLS.get(box);
      const sig = JSON.stringify(latest);
      if (wall.signature !== sig) {
        wall.signature = sig;
        wall.answers = latest;
        layoutWall(box, wall, false); // new answers: redraw this page, turn pages on the clock
      }
      return;
    }
    const list = box.querySelector(".answers");
    const listSig = JSON.stringify(latest);
    if (list.dataset.signature !== listSig) {
      list.dataset.signature = listSig;
      list.replaceChildren(...latest.map((a) => el("li", { text: a.text })));
    }
  },
};

// ---- the wall: whole answers on cards, as many as fit, a page at a time ------------------

export const WALL_PAGE_MS = 8000;
const WALLS = new WeakMap(); // results box -> {answers, start, signature, timer}

/** Return a card's size class from its length: long answers step down, never below 28px. */
export function cardSize(text) {
  const n = Array.from(text).length;
  return n <= 90 ? "l" : n <= 220 ? "m" : "s";
}

function startWall(box) {
  const wall = { answers: [], start: 0, signature: "", timer: 0 };
  WALLS.set(box, wall);
  wall.timer = setInterval(() => {
    if (!box.isConnected) { clearInterval(wall.timer); return; }
    if (box.offsetParent !== null) layoutWall(box, wall, true);
  }, WALL_PAGE_MS);
}

/**
 * Fill the wall with whole cards from wall.start until the next one would not fit (a card
 * is never cut); with `turn`, go on to the next page first (after the last, back to the
 * newest). A card too long for the wall beside the cloud takes the whole width.
 */
function layoutWall(box, wall, turn) {
  const list = box.querySelector(".wall__cards");
  const column = box.querySelector(".open-chart__latest");
  if (turn) wall.start = wall.next >= wall.answers.length ? 0 : wall.next || 0;
  if (wall.start >= wall.answers.length) wall.start = 0;
  box.classList.remove("is-wide");
  const card = (a) => el("li", { className: `wall__card wall__card--${cardSize(a.text)}`, text: a.text,
    dataset: { participant: a.participant } });
  const page = [];
  list.replaceChildren();
  const fits = () => list.scrollHeight <= list.clientHeight + 1 && column.scrollHeight <= column.clientHeight + 1;
  for (let i = wall.start; i < wall.answers.length; i += 1) {
    const node = card(wall.answers[i]);
    list.append(node);
    if (list.clientHeight && !fits()) {
      if (page.length) { node.remove(); break; }
      box.classList.add("is-wide"); // alone and still too tall: give it the cloud's width too
    }
    page.push(node);
  }
  wall.next = wall.start + page.length;
  const pages = wall.answers.length > page.length;
  const label = box.querySelector(".wall__page");
  label.textContent = pages ? `${wall.start + 1}–${wall.next} / ${wall.answers.length}` : "";
}

function cloudTerms(terms, opts) {
  if (!terms.length) return [];
  const max = terms[0][1] || 1;
  const min = terms[terms.length - 1][1] || 1;
  const big = opts.cloudMax || 3;
  const small = opts.cloudMin || 1;
  // biggest words in the middle: alternate the sorted list to the two sides
  const arranged = [];
  terms.forEach((term, i) => (i % 2 ? arranged.push(term) : arranged.unshift(term)));
  return arranged.map(([term, count]) => {
    const share = max === min ? 0.45 : Math.sqrt((count - min) / (max - min));
    const size = small + (big - small) * share;
    const node = el("li", { className: "cloud__term", text: term, dataset: { count } });
    node.style.fontSize = `${size.toFixed(2)}em`;
    node.title = String(count);
    node.append(el("span", { className: "sr-only", text: ` (${count})` }));
    return node;
  });
}

/** Shrink a word cloud until it fits the height its box allows (a slide; phones just grow). */
function fitCloud(cloud) {
  const box = cloud.parentElement;
  cloud.style.fontSize = "";
  if (!box || !box.clientHeight || getComputedStyle(box).overflow !== "hidden") return;
  let scale = 1;
  while (scale > 0.4 && (cloud.scrollHeight > box.clientHeight || cloud.scrollWidth > box.clientWidth)) {
    scale -= 0.06;
    cloud.style.fontSize = `${scale}em`;
  }
}

function fmtNumber(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
