// The console's queue: what waits for the facilitator's approval (open answers held by
// moderation or the word filter), at the top of the results. Items have a kind, so that other
// things to approve (audience questions) can join them. Keyboard: Tab to an item, then
// A approve, H hide, S spotlight; Enter presses the focused button; Esc ends the spotlight.
import { el } from "./common.js";

const KEYS = { a: "approve", h: "hide", s: "spotlight" };

/** Wire the queue section `root`; return {setState(facilitatorState)}. */
export function initQueue({ socket, t, control, meta, root, onChange }) {
  const $ = (id) => document.getElementById(id);
  const list = $("queue-list");
  const questions = {};
  meta.forEach((m) => { if (m.poll) questions[m.poll.id] = m.poll.question; });
  let items = [];
  let moderate = false;
  let focusKey = null; // the item to keep focused across redraws (or the one after it)

  const keyOf = (item) => (item.kind === "question" ? `question:${item.question}`
    : `${item.kind}:${item.poll}:${item.participant}`);
  const QUESTION_ACTS = { approve: "qa_approve", hide: "qa_hide", spotlight: "qa_pin" }; // qa.js

  function draw() {
    root.dataset.count = String(items.length);
    $("queue-count").textContent = String(items.length);
    $("btn-approve-all").hidden = items.length < 2;
    $("queue-empty").textContent = items.length ? "" : t(moderate ? "mod.empty" : "mod.off");
    const focusedIndex = items.findIndex((item) => keyOf(item) === focusKey);
    const hadFocus = list.contains(document.activeElement);
    const oldIndex = Array.from(list.children).findIndex((li) => li.dataset.key === focusKey);
    list.replaceChildren(...items.map(itemNode));
    if (hadFocus || focusKey) {
      const index = focusedIndex >= 0 ? focusedIndex : Math.min(Math.max(oldIndex, 0), items.length - 1);
      const node = list.children[index];
      if (node && (hadFocus || document.activeElement === document.body)) node.focus();
      if (!node) focusKey = null;
    }
  }

  function itemNode(item) {
    const reason = t(`mod.reason.${item.reason}`);
    const button = (act, label) => el("button", { className: "btn btn--small btn--ghost", text: label,
      attrs: { type: "button", "aria-keyshortcuts": act[0].toUpperCase() },
      dataset: { act, testid: `queue-${act}` } });
    return el("li", { className: "con-qitem", attrs: { tabindex: "0",
      "aria-label": t("mod.item_label", { who: item.pseudonym, text: item.text }) },
    dataset: { key: keyOf(item), testid: "queue-item", reason: item.reason } },
    el("div", { className: "con-qitem__body" },
      el("p", { className: "con-qitem__text", text: item.text }),
      el("p", { className: "con-qitem__meta" },
        el("span", { className: `con-qitem__reason con-qitem__reason--${item.reason}`, text: reason }),
        ` · ${item.pseudonym} · ${item.kind === "question" ? t("qa.tab") : questions[item.poll] || ""}`)),
    el("div", { className: "con-qitem__actions" },
      button("approve", t("mod.approve")), button("hide", t("mod.hide")),
      button("spotlight", t("mod.spotlight"))));
  }

  async function act(li, what) {
    const item = items.find((i) => keyOf(i) === li.dataset.key);
    if (!item) return;
    focusKey = keyOf(item);
    const target = { poll: item.poll, participant: item.participant };
    const payload = item.kind === "question" ? { action: QUESTION_ACTS[what], question: item.question }
      : what === "hide" ? { action: "hide_answer", hidden: true, ...target }
        : { action: what, ...target };
    const reply = await control(payload);
    if (reply && reply.ok) {
      items = items.filter((i) => keyOf(i) !== focusKey); // gone now; the next `queue` confirms
      draw();
      onChange();
    }
  }

  list.addEventListener("click", (event) => {
    const btn = event.target.closest("button[data-act]");
    if (btn) act(btn.closest("li"), btn.dataset.act);
  });
  list.addEventListener("keydown", (event) => {
    const li = event.target.closest("li.con-qitem");
    if (li && event.target === li && event.key === " ") event.preventDefault(); // not "next slide"
    const what = KEYS[event.key.toLowerCase()];
    if (!li || !what || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault(); // not the console's own shortcuts
    act(li, what);
  });
  $("btn-approve-all").addEventListener("click", () => control({ action: "approve_all" }));
  $("btn-moderate").addEventListener("click", () => control({ action: "moderate", on: !moderate }));
  $("btn-spotlight-off").addEventListener("click", () => control({ action: "spotlight_off" }));

  socket.on("queue", (msg) => {
    items = msg.items || [];
    moderate = Boolean(msg.moderate);
    draw();
  });

  return {
    setState(state) {
      moderate = Boolean(state.moderate);
      $("btn-moderate").setAttribute("aria-pressed", String(moderate));
      const spot = state.spotlight;
      $("spotlight-bar").hidden = !spot;
      $("spotlight-now").textContent = spot ? spot.text : "";
      draw();
    },
  };
}
