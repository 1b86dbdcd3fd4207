// The console's room check panel: which phones ran /check lately, how fast, over what. It asks
// the server every few seconds while the page is visible (a check is rare; a socket of its own
// would receive every tally the console already gets).
import { el, readJSON, translator } from "./common.js";

const data = readJSON("wk-data");
const t = translator(data.strings);
const panel = document.getElementById("room-check");
const list = document.getElementById("rc-checks");
const badge = document.getElementById("rc-badge");
const EVERY_MS = 2500;

function ago(seconds) {
  return seconds < 60 ? t("rc.just_now") : t("rc.minutes_ago", { n: Math.round(seconds / 60) });
}

function draw(checks) {
  if (!checks.length) {
    list.replaceChildren(el("li", { className: "rc__none", text: t("rc.none") }));
    badge.textContent = "";
    return;
  }
  const now = Date.now() / 1000;
  list.replaceChildren(...checks.map((c) => el("li", { className: "rc__check", dataset: { testid: "rc-check" } },
    t("rc.reached", { address: c.address, ms: c.rtt_ms }),
    el("span", { className: "rc__meta", text: ` · ${t(`check.transport.${c.transport}`)}${c.via ? ` · ${c.via}` : ""} · ${ago(now - c.at)}` }))));
  badge.textContent = "✓";
}

async function refresh() {
  if (document.hidden) return;
  try {
    const response = await fetch(`/s/${encodeURIComponent(panel.dataset.session)}/room-check.json`,
      { credentials: "same-origin", cache: "no-store" });
    if (response.ok) draw((await response.json()).checks || []);
  } catch (e) { /* offline: the console's own badge says so */ }
}

if (panel) {
  refresh();
  setInterval(refresh, EVERY_MS);
}
