// Audience Q&A (server/qa.py): the phone's drawer (ask, see, upvote), the console's list
// (approve, hide, mark answered, archive, pin; sort by votes or time) and the projector's
// `qa` slide (most upvoted first, the pinned one large). Text is only placed with textContent.
import { el, emitAck, randomId } from "./common.js";

const VISIBLE = ["shown", "answered"];
const byVotes = (a, b) => (b.pinned - a.pinned) || (b.votes - a.votes) || (a.asked_at - b.asked_at) || (a.id - b.id);
const byTime = (a, b) => (b.pinned - a.pinned) || (b.asked_at - a.asked_at) || (b.id - a.id);

/** The phone's drawer, below the poll: it never hides the current question. */
export function initPhoneQA({ socket, t }) {
  const $ = (id) => document.getElementById(id);
  const root = $("qa");
  if (!root) return;
  const list = $("qa-list");
  const S = { items: [], mine: new Set(), voted: new Set(), busy: new Set() };

  function draw() {
    const items = S.items.filter((q) => VISIBLE.includes(q.status)).sort(byVotes);
    $("qa-summary").textContent = items.length ? t("qa.tab_count", { n: items.length }) : t("qa.tab");
    $("qa-empty").hidden = items.length > 0;
    list.replaceChildren(...items.map(itemNode));
  }

  function itemNode(q) {
    const mine = S.mine.has(q.id);
    const voted = S.voted.has(q.id);
    const badges = [];
    if (q.pinned) badges.push(t("qa.pinned"));
    if (q.status === "answered") badges.push(t("qa.answered"));
    if (mine) badges.push(t("qa.yours"));
    const action = mine || q.status !== "shown"
      ? el("span", { className: "qa-item__votes", text: t("qa.votes", { n: q.votes }), dataset: { testid: "qa-votes" } })
      : el("button", { className: `btn btn--small qa-item__vote${voted ? " is-on" : ""}`,
        text: `▲ ${q.votes}`, attrs: { type: "button", "aria-pressed": String(voted),
          "aria-label": t("qa.upvote_label", { text: q.text, n: q.votes }), disabled: S.busy.has(q.id) },
        dataset: { question: String(q.id), testid: "qa-upvote" } });
    return el("li", { className: `qa-item qa-item--${q.status}`, dataset: { testid: "qa-item", id: String(q.id) } },
      el("p", { className: "qa-item__text", text: q.text }),
      el("p", { className: "qa-item__meta" }, [q.name, ...badges].filter(Boolean).join(" · ")),
      action);
  }

  async function load() {
    try {
      const reply = await emitAck(socket, "questions", {});
      if (!reply.ok) return;
      S.items = reply.items || [];
      S.mine = new Set((reply.mine || []).map((q) => q.id));
      S.voted = new Set(reply.voted || []);
      draw();
    } catch (e) { /* offline: the next connect loads it */ }
  }

  async function vote(id) {
    const on = !S.voted.has(id);
    const uid = randomId();
    S.busy.add(id);
    draw();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const reply = await emitAck(socket, "upvote", { question: id, on, uid });
        if (reply.ok) {
          (reply.voted ? S.voted.add(id) : S.voted.delete(id));
          const q = S.items.find((item) => item.id === id);
          if (q) q.votes = reply.votes;
        }
        break;
      } catch (e) { /* a timeout: resend with the same uid, it never counts twice */ }
    }
    S.busy.delete(id);
    draw();
  }

  $("qa-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("qa-input");
    const text = input.value.trim();
    if (!text) return;
    const uid = randomId(); // a resend after a timeout has the same uid: it is asked once
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const reply = await emitAck(socket, "ask", { text, uid });
        if (!reply.ok) { $("qa-status").textContent = reply.message || reply.error; return; }
        S.mine.add(reply.question.id);
        if (!S.items.some((q) => q.id === reply.question.id)) S.items.push(reply.question);
        input.value = "";
        $("qa-status").textContent = t(reply.held ? "qa.held" : "qa.sent");
        draw();
        return;
      } catch (e) {
        $("qa-status").textContent = t("conn.reconnecting");
      }
    }
  });
  list.addEventListener("click", (event) => {
    const btn = event.target.closest("button[data-question]");
    if (btn) vote(Number(btn.dataset.question));
  });
  socket.on("welcome", load);
  socket.on("questions", (msg) => {
    S.items = msg.items || [];
    draw();
  });
  draw();
}

/** The console's list of every question, with the facilitator's actions. */
export function initConsoleQA({ socket, t, control }) {
  const $ = (id) => document.getElementById(id);
  const root = $("qa-console");
  if (!root) return;
  const list = $("qa-console-list");
  let items = [];
  let sort = "votes";

  function draw() {
    const shown = items.filter((q) => q.status !== "archived").sort(sort === "time" ? byTime : byVotes);
    $("qa-count").textContent = String(shown.length);
    $("qa-console-empty").hidden = shown.length > 0;
    root.querySelectorAll("button[data-sort]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.sort === sort)));
    list.replaceChildren(...shown.map(itemNode));
  }

  function itemNode(q) {
    const button = (action, label) => el("button", { className: "btn btn--small btn--ghost", text: label,
      attrs: { type: "button" }, dataset: { action, question: String(q.id), testid: `qa-${action.slice(3)}` } });
    const actions = [];
    if (q.status === "held" || q.status === "hidden") actions.push(button("qa_approve", t(q.status === "held" ? "qa.approve" : "qa.show")));
    if (q.status !== "hidden") actions.push(button("qa_hide", t("qa.hide")));
    if (q.status === "shown") actions.push(button("qa_answered", t("qa.mark_answered")));
    actions.push(q.pinned ? button("qa_unpin", t("qa.unpin")) : button("qa_pin", t("qa.pin")));
    actions.push(button("qa_archive", t("qa.archive")));
    return el("li", { className: `con-qitem qa-con-item qa-con-item--${q.status}`,
      dataset: { testid: "qa-console-item", id: String(q.id), status: q.status, pinned: String(q.pinned) } },
    el("div", { className: "con-qitem__body" },
      el("p", { className: "con-qitem__text", text: q.text }),
      el("p", { className: "con-qitem__meta",
        text: [t("qa.votes", { n: q.votes }), t(`qa.status.${q.status}`), q.pinned ? t("qa.pinned") : "", q.who]
          .filter(Boolean).join(" · ") })),
    el("div", { className: "con-qitem__actions" }, actions));
  }

  const load = async () => {
    try {
      const reply = await emitAck(socket, "questions", {});
      if (reply.ok) { items = reply.items || []; draw(); }
    } catch (e) { /* the next push brings them */ }
  };
  socket.on("connect", load);
  socket.on("questions", (msg) => { items = msg.items || []; draw(); });
  root.addEventListener("click", async (event) => {
    const sortBtn = event.target.closest("button[data-sort]");
    if (sortBtn) { sort = sortBtn.dataset.sort; draw(); return; }
    const btn = event.target.closest("button[data-action]");
    if (!btn) return;
    const reply = await control({ action: btn.dataset.action, question: Number(btn.dataset.question) });
    if (reply && reply.ok) load();
  });
  draw();
}

/** The projector's `qa` slides: the top questions by votes, the pinned one large. */
export function initProjectorQA({ socket, stage, top = 8 }) {
  const slides = Array.from(stage.querySelectorAll(".slide--qa"));
  const banner = document.getElementById("qa-pin");
  let pinned = null;
  // the pinned question over any other slide, as a banner (a `qa` slide shows it in place)
  function drawBanner() {
    if (!banner) return;
    const current = stage.querySelector(".slide.is-current");
    const show = Boolean(pinned) && !(current && current.dataset.kind === "qa");
    banner.hidden = !show;
    document.getElementById("qa-pin-text").textContent = show ? `${pinned.text}  ▲ ${pinned.votes}` : "";
  }
  function draw(items) {
    const visible = items.filter((q) => VISIBLE.includes(q.status)).sort(byVotes);
    pinned = visible.find((q) => q.pinned) || null;
    drawBanner();
    const rest = visible.filter((q) => !q.pinned).slice(0, top);
    for (const slide of slides) {
      const box = slide.querySelector("[data-role=qa-pinned]");
      box.hidden = !pinned;
      box.firstElementChild.textContent = pinned ? pinned.text : "";
      slide.querySelector("[data-role=qa-empty]").hidden = visible.length > 0;
      slide.querySelector("[data-role=qa-list]").replaceChildren(...rest.map((q) =>
        el("li", { className: `qa-slide__item qa-slide__item--${q.status}`, dataset: { testid: "qa-projector-item", id: String(q.id) } },
          el("span", { className: "qa-slide__votes", text: `▲ ${q.votes}` }),
          el("span", { className: "qa-slide__text", text: q.text }),
          q.name ? el("span", { className: "qa-slide__name", text: q.name }) : null)));
    }
  }
  const load = async () => {
    try {
      const reply = await emitAck(socket, "questions", {});
      if (reply.ok) draw(reply.items || []);
    } catch (e) { /* the next push brings them */ }
  };
  socket.on("connect", load);
  socket.on("questions", (msg) => draw(msg.items || []));
  socket.on("facilitator_state", () => setTimeout(drawBanner, 0)); // after the slide changed
}
