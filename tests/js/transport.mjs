// What the official client sees when the transport refuses it, for tests/test_js_client.py:
// node transport.mjs oversize|origin-polling|origin-websocket|origin-own SERVER_URL JOIN_CODE
// Prints one JSON object.
import { randomBytes } from "node:crypto";
import { io } from "socket.io-client";

const [mode, url, code] = process.argv.slice(2);
const auth = { role: "participant", code, token: randomBytes(18).toString("base64url") };
const seen = {};

function connect(options) {
  const socket = io(url, { auth, reconnection: false, forceNew: true, ...options });
  return new Promise((resolve) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      seen.connect_error = err.message;
      seen.status = typeof err.description === "number" ? err.description : null;
      seen.connected = false;
      resolve(null);
    });
  });
}

if (mode === "oversize") {
  const socket = await connect({ transports: ["websocket"] });
  const closed = new Promise((resolve) => socket.once("disconnect", resolve));
  try {  // 100,000 characters: over the 64 KiB limit (MAX_MESSAGE_BYTES)
    await socket.timeout(5000).emitWithAck("answer", { poll: "words", value: "x".repeat(100_000), uid: "big" });
    seen.ack = "acked";
  } catch (err) {
    seen.ack = err.message;
  }
  seen.disconnect = await closed;
  const again = await connect({ transports: ["websocket"] });
  seen.reconnected = again !== null;
  seen.small = await again.timeout(5000).emitWithAck("answer", { poll: "words", value: "small", uid: "small" });
  again.disconnect();
} else {
  const transports = mode === "origin-polling" ? ["polling", "websocket"] : ["websocket"];
  const origin = mode === "origin-own" ? new URL(url).origin : "http://evil.example";
  // 3 s instead of the client's default 20 s before it gives up on a connection
  const socket = await connect({ transports, timeout: 3000, extraHeaders: { Origin: origin } });
  if (socket) {
    seen.connected = true;
    socket.disconnect();
  }
}
console.log(JSON.stringify(seen));
