// The answer widgets of the phone, one per poll type. Each returns
// { node, getValue(), setValue(v), isComplete(), setDisabled(bool), hint }.
// Native radio buttons and checkboxes keep them keyboard- and screen-reader-operable.
import { el } from "./common.js";
import { letter } from "./charts.js";

let serial = 0;

function optionLabel(type, name, value, text, badgeText, testid) {
  serial += 1;
  const id = `opt-${serial}`;
  const input = el("input", { className: "option__input",
    attrs: { type, name, id, value, "data-testid": testid } });
  return el("label", { className: "option", attrs: { for: id } },
    input,
    el("span", { className: "option__badge", text: badgeText, attrs: { "aria-hidden": "true" } }),
    el("span", { className: "option__text", text }),
    el("span", { className: "option__tick", attrs: { "aria-hidden": "true" } }));
}

/** choice: big radio-like options (single) or checkboxes with a maximum (multiple). */
export function choiceWidget(poll, onChange, t) {
  const multiple = Boolean(poll.multiple);
  const max = poll.max || (multiple ? poll.options.length : 1);
  const name = `choice-${poll.id}`;
  const node = el("div", { className: "options", dataset: { testid: "choice-options" } },
    poll.options.map((text, i) => optionLabel(multiple ? "checkbox" : "radio", name, i, text,
      letter(i), `choice-option-${i}`)));
  const inputs = Array.from(node.querySelectorAll("input"));
  const limit = el("p", { className: "widget__limit", attrs: { role: "status" } });
  node.append(limit);
  let limitTimer = null;
  node.addEventListener("change", (event) => {
    limit.textContent = "";
    if (multiple && inputs.filter((i) => i.checked).length > max) {
      event.target.checked = false;
      limit.textContent = t("phone.choice.limit", { max });
      clearTimeout(limitTimer);
      limitTimer = setTimeout(() => { limit.textContent = ""; }, 5000);
      return;
    }
    onChange();
  });
  return {
    node,
    hint: multiple ? t("phone.choice.pick_up_to", { max }) : t("phone.choice.pick_one"),
    getValue() {
      const picked = inputs.filter((i) => i.checked).map((i) => Number(i.value));
      return multiple ? picked : (picked.length ? picked[0] : null);
    },
    setValue(value) {
      const picked = [].concat(value === null || value === undefined ? [] : value);
      inputs.forEach((i) => { i.checked = picked.includes(Number(i.value)); });
    },
    isComplete() { return inputs.some((i) => i.checked); },
    setDisabled(off) { inputs.forEach((i) => { i.disabled = off; }); },
  };
}

/** scale: a row (or two) of numbered radio buttons with the two poles as a legend. */
export function scaleWidget(poll, onChange, t) {
  const values = [];
  for (let v = poll.min; v <= poll.max; v += 1) values.push(v);
  const name = `scale-${poll.id}`;
  const columns = values.length <= 6 ? values.length : Math.ceil(values.length / 2);
  const grid = el("div", { className: "scale", dataset: { testid: "scale-options" } },
    values.map((v) => {
      const label = optionLabel("radio", name, v, String(v), "", `scale-option-${v}`);
      label.classList.add("scale__step");
      return label;
    }));
  grid.style.setProperty("--cols", columns);
  const poles = el("div", { className: "scale__poles" },
    el("p", { className: "scale__pole" }, el("strong", { text: poll.min }), " ", poll.left || ""),
    el("p", { className: "scale__pole scale__pole--right" }, poll.right || "", " ", el("strong", { text: poll.max })));
  const node = el("div", { className: "scale-widget" }, poles, grid);
  const inputs = Array.from(grid.querySelectorAll("input"));
  grid.addEventListener("change", onChange);
  return {
    node,
    hint: t("phone.scale.hint", { min: poll.min, max: poll.max }),
    getValue() { const on = inputs.find((i) => i.checked); return on ? Number(on.value) : null; },
    setValue(value) { inputs.forEach((i) => { i.checked = Number(i.value) === value; }); },
    isComplete() { return inputs.some((i) => i.checked); },
    setDisabled(off) { inputs.forEach((i) => { i.disabled = off; }); },
  };
}

/** ranking: tap items in order (tap again to take one out); up/down buttons reorder. */
export function rankingWidget(poll, onChange, t) {
  let order = [];
  let disabled = false;
  const node = el("div", { className: "ranking", dataset: { testid: "ranking" } });
  const progress = el("p", { className: "ranking__progress", attrs: { "aria-live": "polite" } });

  function button(className, label, dataset, ...children) {
    const edge = (dataset.act === "up" && order[0] === dataset.item) ||
      (dataset.act === "down" && order[order.length - 1] === dataset.item);
    return el("button", { className, attrs: { type: "button", "aria-label": label, disabled: disabled || edge },
      dataset }, ...children);
  }

  function draw(focus) {
    const ranked = el("ol", { className: "rank-list rank-list--ranked", attrs: { "aria-label": t("phone.ranking.your_order") } },
      order.map((item, pos) => el("li", { className: "rank-item is-ranked" },
        button("rank-item__main", t("phone.ranking.remove", { item: poll.items[item], n: pos + 1 }),
          { item, act: "toggle", testid: `ranking-item-${item}` },
          el("span", { className: "rank-item__badge", text: pos + 1, attrs: { "aria-hidden": "true" } }),
          el("span", { className: "rank-item__text", text: poll.items[item] })),
        button("rank-item__move", t("phone.ranking.up", { item: poll.items[item] }),
          { item, act: "up", testid: `ranking-up-${item}` }, "▲"),
        button("rank-item__move", t("phone.ranking.down", { item: poll.items[item] }),
          { item, act: "down", testid: `ranking-down-${item}` }, "▼"))));
    const rest = poll.items.map((_, i) => i).filter((i) => !order.includes(i));
    const unranked = el("ul", { className: "rank-list rank-list--rest", attrs: { "aria-label": t("phone.ranking.tap_to_add") } },
      rest.map((item) => el("li", { className: "rank-item" },
        button("rank-item__main", t("phone.ranking.add", { item: poll.items[item], n: order.length + 1 }),
          { item, act: "toggle", testid: `ranking-item-${item}` },
          el("span", { className: "rank-item__badge rank-item__badge--empty", text: "+", attrs: { "aria-hidden": "true" } }),
          el("span", { className: "rank-item__text", text: poll.items[item] })))));
    node.replaceChildren(ranked.children.length ? ranked : "",
      rest.length && order.length ? el("p", { className: "ranking__rest-title", text: t("phone.ranking.tap_to_add") }) : "",
      rest.length ? unranked : "", progress);
    progress.textContent = order.length === poll.items.length ? "" :
      t("phone.ranking.progress", { done: order.length, count: poll.items.length });
    if (focus) {
      const target = [focus.act, "down", "up", "toggle"]
        .map((act) => node.querySelector(`button[data-item="${focus.item}"][data-act="${act}"]`))
        .find((b) => b && !b.disabled);
      if (target) target.focus();
    }
  }

  node.addEventListener("click", (event) => {
    const btn = event.target.closest("button[data-act]");
    if (!btn || disabled) return;
    const item = Number(btn.dataset.item);
    const pos = order.indexOf(item);
    if (btn.dataset.act === "toggle") {
      order = pos >= 0 ? order.filter((i) => i !== item) : order.concat([item]);
    } else {
      const to = btn.dataset.act === "up" ? pos - 1 : pos + 1;
      if (pos < 0 || to < 0 || to >= order.length) return;
      [order[pos], order[to]] = [order[to], order[pos]];
    }
    draw({ item, act: btn.dataset.act });
    onChange();
  });
  draw();
  return {
    node,
    hint: t("phone.ranking.hint"),
    getValue() { return order.length === poll.items.length ? order.slice() : null; },
    setValue(value) { order = Array.isArray(value) ? value.slice() : []; draw(); },
    isComplete() { return order.length === poll.items.length; },
    setDisabled(off) { if (off !== disabled) { disabled = off; draw(); } },
  };
}

/** Count characters as the server does: code points, so an emoji is one, not two UTF-16 units. */
export const charCount = (text) => [...text].length;

/** open: a textarea with a live character counter; it never holds more than the poll's
 * max_length characters (counted as the server counts them), so it never sends more. */
export function openWidget(poll, onChange, t) {
  serial += 1;
  const max = poll.max_length || 280;
  const counter = el("p", { className: "counter", attrs: { id: `counter-${serial}` } });
  const area = el("textarea", { className: "field field--area",
    attrs: { id: `open-${serial}`, rows: 4, "aria-describedby": `counter-${serial}`,
      placeholder: t("phone.open.placeholder"), "data-testid": "open-input", enterkeyhint: "enter" } });
  const label = el("label", { className: "sr-only", attrs: { for: area.id }, text: poll.question });
  const update = () => {
    if (charCount(area.value) > max) area.value = [...area.value].slice(0, max).join("");
    const used = charCount(area.value);
    counter.textContent = t("phone.open.counter", { used, max });
    counter.classList.toggle("is-near", used > max * 0.9);
  };
  area.addEventListener("input", () => { update(); onChange(); });
  update();
  return {
    node: el("div", { className: "open-widget" }, label, area, counter),
    hint: "",
    getValue() { const v = area.value.trim(); return v ? v : null; },
    setValue(value) { area.value = typeof value === "string" ? value : ""; update(); },
    isComplete() { return area.value.trim().length > 0; },
    setDisabled(off) { area.readOnly = off; area.classList.toggle("is-readonly", off); },
  };
}

export const WIDGETS = { choice: choiceWidget, scale: scaleWidget, ranking: rankingWidget, open: openWidget };
