// Shared helpers for the phone, projector and console pages: data, strings, DOM, sockets.
// Participant text is only ever placed with textContent (see el()), never parsed as HTML.

/** Parse the JSON a template put in <script type="application/json" id="...">. */
export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** Return t(key, vars) over a strings table; {name} placeholders are replaced. */
export function translator(strings) {
  return function t(key, vars) {
    let text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    }
    return text;
  };
}

/** Build an element: el("li", {className, text, attrs, dataset}, ...children). */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  const p = props || {};
  if (p.className) node.className = p.className;
  if (p.text !== undefined && p.text !== null) node.textContent = String(p.text);
  if (p.attrs) {
    for (const [name, value] of Object.entries(p.attrs)) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  if (p.dataset) Object.assign(node.dataset, p.dataset);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Return a random id: crypto.randomUUID() where the page is a secure context, else
 * 32 hex characters from getRandomValues (phones reach the laptop over plain http). */
export function randomId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    try { return window.crypto.randomUUID(); } catch (e) { /* insecure context */ }
  }
  const bytes = new Uint8Array(16);
  if (window.crypto && window.crypto.getRandomValues) {
    window.crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** localStorage that degrades to memory (private browsing, storage disabled). */
export const store = (() => {
  const memory = new Map();
  let ok = false;
  try {
    const probe = "__wk_probe__";
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    ok = true;
  } catch (e) { ok = false; }
  return {
    get(key) { return ok ? window.localStorage.getItem(key) : (memory.has(key) ? memory.get(key) : null); },
    set(key, value) {
      if (ok) { try { window.localStorage.setItem(key, value); return; } catch (e) { /* full */ } }
      memory.set(key, value);
    },
    remove(key) { if (ok) window.localStorage.removeItem(key); memory.delete(key); },
    getJSON(key, fallback) {
      try { const raw = this.get(key); return raw === null ? fallback : JSON.parse(raw); } catch (e) { return fallback; }
    },
    setJSON(key, value) { this.set(key, JSON.stringify(value)); },
  };
})();

/** Emit with an acknowledgement; resolve with the reply, reject with "timeout". */
export function emitAck(socket, event, payload, ms = 10000) {
  return new Promise((resolve, reject) => {
    socket.timeout(ms).emit(event, payload, (err, reply) => {
      if (err) reject(new Error("timeout"));
      else resolve(reply || { ok: false, error: "bad_reply", message: "" });
    });
  });
}

/**
 * Connect to the server with Socket.IO's own reconnection, and report the connection
 * state to onState(state, detail): connecting, connected, reconnecting, offline, refused.
 */
export function connect(auth, onState) {
  /* global io */
  const socket = io({ auth, reconnectionDelay: 500, reconnectionDelayMax: 4000 });
  let refusedRetry = null;
  const report = (state, detail) => { if (onState) onState(state, detail || null); };
  report("connecting");
  socket.on("connect", () => report("connected"));
  socket.on("disconnect", (reason) => {
    // a server-side or client-side disconnect is not retried by Socket.IO itself
    if (reason === "io server disconnect") socket.connect();
    report(navigator.onLine === false ? "offline" : "reconnecting");
  });
  socket.on("connect_error", (err) => {
    const data = err && err.data;
    if (data && data.error) {
      // refused by the server: Socket.IO does not retry these by itself
      if (data.error === "rate_limited" || data.error === "unavailable") { // busy, or no database for a moment
        report("reconnecting", data);
        clearTimeout(refusedRetry);
        refusedRetry = setTimeout(() => socket.connect(), 3000);
      } else {
        report("refused", data);
      }
      return;
    }
    report(navigator.onLine === false ? "offline" : "reconnecting");
  });
  window.addEventListener("offline", () => { if (!socket.connected) report("offline"); });
  window.addEventListener("online", () => { if (!socket.connected) { report("reconnecting"); socket.connect(); } });
  return socket;
}

/** Keep a connection badge in step with connect()'s states. */
export function connectionBadge(node, t) {
  return function show(state, detail) {
    node.dataset.state = state;
    let text = t(`conn.${state}`);
    if (state === "refused" && detail) {
      const key = `conn.error.${detail.error}`;
      const known = t(key);
      text = known === key ? (detail.message || t("conn.refused")) : known;
    }
    node.textContent = text;
    node.title = text;
  };
}

/** Format seconds as m:ss or h:mm:ss. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Return the host[:port] of a URL, for "go to ..." lines. */
export function hostOf(url) {
  try { return new URL(url, window.location.href).host; } catch (e) { return url; }
}

/** True when a key event comes from a field where typing must not drive the slides. */
export function isTyping(event) {
  const node = event.target;
  if (!node || !node.tagName) return false;
  const tag = node.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || node.isContentEditable;
}

/** Map the shared keyboard shortcuts to control actions (projector and console). */
export function shortcutAction(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return null;
  const onButton = event.target && event.target.closest && event.target.closest("button, a, summary, [role=button]");
  switch (event.key) {
    case "ArrowRight": case "PageDown": return { action: "next" };
    case " ": case "Spacebar": return onButton ? null : { action: "next" };
    case "ArrowLeft": case "PageUp": return { action: "prev" };
    case "r": case "R": return { action: "toggle_results" };
    case "v": case "V": return { action: "toggle_voting" };
    case "q": case "Q": return { action: "qr" };
    case "f": case "F": return { local: "fullscreen" };
    default: return null;
  }
}

/**
 * Play a short entrance; always end visible, even where the page's animation clock stalls
 * (a background tab), and not at all for prefers-reduced-motion.
 */
export function enter(node, keyframes, ms = 350) {
  if (!node.animate || window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
  const anim = node.animate(keyframes, { duration: ms, easing: "ease-out" });
  setTimeout(() => anim.finish(), ms + 150);
}

/** Toggle full screen on the whole page. */
export function toggleFullscreen() {
  if (document.fullscreenElement) {
    document.exitFullscreen().catch(() => {});
  } else if (document.documentElement.requestFullscreen) {
    document.documentElement.requestFullscreen().catch(() => {});
  }
}

/** Merge a `tally` push into the facilitator's tallies and state (counts of people too). */
export function mergeTally(tallies, state, msg) {
  Object.assign(tallies, msg.polls || {});
  if (state) {
    if (typeof msg.participants === "number") state.participants = msg.participants;
    if (typeof msg.connected === "number") state.connected = msg.connected;
  }
}
