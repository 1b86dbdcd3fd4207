// The room check: before people arrive, the facilitator's own phone connects the way the votes
// do (the same Socket.IO client and options as the phone page), pings the laptop a few times,
// and says in plain words whether it reaches it, how fast, and over which transport.
import { connect, emitAck, readJSON, translator } from "./common.js";

const data = readJSON("wk-data");
const t = translator(data.strings);
const $ = (id) => document.getElementById(id);
const PINGS = 5;
const GIVE_UP_MS = 10000; // a phone on the room's Wi-Fi connects in well under a second

let socket = null;
let giveUp = null;
let running = false;

function show(state, verdict, next) {
  $("check").dataset.state = state;
  $("check-verdict").textContent = verdict;
  $("check-facts").hidden = state !== "ok";
  $("check-next").hidden = !next;
  $("check-next").textContent = next || "";
  $("check-again").hidden = state === "checking";
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function upgraded() {
  // Socket.IO starts on long-polling and moves to a websocket when it can: wait a moment for it
  const engine = socket.io.engine;
  for (let i = 0; i < 15 && engine && engine.transport.name === "polling"; i += 1) await sleep(100);
  return engine ? engine.transport.name : "polling";
}

async function run() {
  if (running) return;
  running = true;
  clearTimeout(giveUp);
  show("checking", t("check.measuring"));
  try {
    const transport = await upgraded();
    const rtts = [];
    for (let waits = 0; rtts.length < PINGS;) {
      const start = performance.now();
      const reply = await emitAck(socket, "check", {}, 5000);
      if (!reply.ok && reply.error === "rate_limited" && waits < 10) { // "Check again" tapped fast
        waits += 1;
        await sleep(1000);
        continue;
      }
      if (!reply.ok) throw new Error(reply.error || "refused");
      rtts.push(performance.now() - start);
      await sleep(150);
    }
    const rtt = Math.round(median(rtts));
    $("check-rtt").textContent = t("check.ms", { ms: rtt });
    $("check-transport").textContent = t(`check.transport.${transport}`);
    $("check-address").textContent = window.location.host;
    show("ok", t("check.ok"), transport === "polling" ? t("check.polling_note") : "");
    await emitAck(socket, "check", { rtt_ms: rtt, transport, via: window.location.host }, 5000).catch(() => {});
  } catch (e) {
    show("failed", t("check.no_reply"), t("check.no_reply_next"));
  } finally {
    running = false;
  }
}

function start() {
  if (socket) socket.disconnect();
  show("checking", t("check.checking"));
  if (typeof io === "undefined") { // the Socket.IO client itself did not load
    show("failed", t("check.no_socket"), t("check.no_socket_next"));
    return;
  }
  socket = connect({ role: "check" }, (state, detail) => {
    if (state === "connected") run();
    else if (state === "refused") show("failed", t("check.refused"), (detail && detail.message) || "");
    else if (state === "offline") show("failed", t("check.offline"), t("check.offline_next"));
  });
  clearTimeout(giveUp);
  giveUp = setTimeout(() => {
    if (!socket.connected) show("failed", t("check.no_socket"), t("check.no_socket_next"));
  }, GIVE_UP_MS);
}

$("check-again").addEventListener("click", () => {
  if (socket && socket.connected) run();
  else start();
});

start();
