// Sends the same requests to each example on the local server (its native
// binary) and as a Worker under workerd, and checks that the Worker answers
// as the local server does: status, body (error documents without their
// request ids; echo's description without what is the platform's own),
// the headers that carry meaning. Then the events only Workers deliver:
// a cron trigger and a queue batch, dispatched to the Workers by the
// driver Worker through service bindings (workerd's `scheduled()` and
// `queue()`), checked against the local server's answer to the same
// portable event.
//
// usage: node check.mjs '{"native":{"hello":PORT,...},"worker":{...},"driver":PORT}'
// Prints one line per check; exits 1 when one fails.

import assert from "node:assert/strict";

const ports = JSON.parse(process.argv[2]);
const RAY = "8f1e2d3c4b5a6978-LHR";
let passed = 0;
const failures = [];

async function check(name, body) {
  try {
    const detail = await body();
    passed += 1;
    console.log(`ok    ${name}${detail ? `: ${detail}` : ""}`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL  ${name}: ${error.message}`);
  }
}

// One answer, read whole; a body cut short is read up to the cut.
async function send(port, { method = "GET", path = "/", headers = {}, body } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(20000),
  });
  const chunks = [];
  let cut = false;
  const reader = response.body?.getReader();
  if (reader) {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(Buffer.from(value));
      }
    } catch {
      cut = true;
    }
  }
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.concat(chunks),
    cut,
  };
}

const MEANINGFUL = ["content-type", "location", "allow", "retry-after", "x-repeated"];

function headersOf(answer) {
  const kept = {};
  for (const name of MEANINGFUL) {
    const value = answer.headers.get(name);
    if (value !== null) kept[name] = value;
  }
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) kept["set-cookie"] = cookies;
  return kept;
}

// An error document's request id is the platform's: set aside, checked
// present (and, on the Worker, the cf-ray it was sent).
function normalized(answer, example, ray) {
  const type = answer.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream")) {
    // An `error` event carries the request id too.
    const text = answer.body.toString("utf8");
    for (const [, id] of text.matchAll(/"requestId":"([^"]*)"/g)) {
      assert.ok(id, "an error event without a request id");
      if (ray) assert.equal(id, ray, "the error event's request id is not the cf-ray");
    }
    return text.replace(/"requestId":"[^"]*"/g, '"requestId":"…"');
  }
  if (!type.includes("json")) return answer.body.toString("base64");
  const value = JSON.parse(answer.body.toString("utf8"));
  if (value && typeof value === "object" && "errorType" in value) {
    assert.ok(value.requestId, "an error document without a request id");
    if (ray) assert.equal(value.requestId, ray, "the error's request id is not the cf-ray");
    delete value.requestId;
  }
  if (example === "echo") {
    if (ray) {
      assert.equal(value.platform, "cloudflare-workers", "echo's platform");
      assert.equal(value.requestId, ray, "echo's request id is not the cf-ray");
      assert.ok(value.remainingTimeMs > 0 && value.remainingTimeMs <= 3000, `echo's remaining time ${value.remainingTimeMs}`);
    }
    // What the platform sets itself: ids, time left, which platform, the
    // headers each client or runtime adds.
    for (const key of ["requestId", "remainingTimeMs", "platform", "functionName", "traceId"]) {
      delete value[key];
    }
    const sent = {};
    for (const [name, values] of Object.entries(value.headers)) {
      if (name.startsWith("x-") || name === "cookie" || name === "content-type") sent[name] = values;
    }
    value.headers = sent;
  }
  return value;
}

async function same(example, request, { expectStatus } = {}) {
  const native = await send(ports.native[example], request);
  const worker = await send(ports.worker[example], {
    ...request,
    headers: { ...request.headers, "cf-ray": RAY },
  });
  assert.equal(worker.status, native.status, "status");
  if (expectStatus !== undefined) assert.equal(native.status, expectStatus, "the local server's status");
  assert.deepEqual(headersOf(worker), headersOf(native), "headers");
  assert.deepEqual(normalized(worker, example, RAY), normalized(native, example), "body");
  assert.equal(worker.cut, native.cut, worker.cut ? "the Worker's body was cut" : "the Worker's body was not cut");
  return `${worker.status}${worker.cut ? " (cut short, as on the server)" : ""}, ${worker.body.length} bytes`;
}

const cases = [
  ["hello", { path: "/?name=Ada" }, 200],
  ["hello", { path: "/" }, 200],
  ["echo", { path: "/a/b?x=1&x=2&y=%C3%A9", headers: { cookie: "a=1; b=2", "x-custom": "one" } }, 200],
  ["echo", { method: "POST", path: "/post", headers: { "content-type": "text/plain" }, body: "hi" }, 200],
  ["echo", { method: "POST", path: "/bin", headers: { "content-type": "application/octet-stream" }, body: Buffer.from([0, 159, 146, 150, 255]) }, 200],
  ["greet-json", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"Ada"}' }, 200],
  ["greet-json", { path: "/" }, 405],
  ["greet-json", { method: "POST", headers: { "content-type": "text/plain" }, body: "Ada" }, 415],
  ["greet-json", { method: "POST", headers: { "content-type": "application/json" }, body: '{"nom":"Ada"}' }, 400],
  ["webhook", { method: "POST", headers: { "content-type": "application/json" }, body: '{"event":"push"}' }, 204],
  ["webhook", { method: "POST", body: "not json" }, 400],
  ["queue-worker", { method: "POST", headers: { "content-type": "application/json" }, body: '{"messages":[{"id":"1","body":"ok"},{"id":"2","body":"please fail"}]}' }, 500],
  ["queue-worker", { method: "POST", headers: { "content-type": "application/json" }, body: '{"messages":[{"id":"1","body":"ok"}]}' }, 200],
  ["queue-worker", { path: "/" }, 405],
  ["nightly", { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":"t-1","time":"2024-05-01T02:00:00Z","schedule":"nightly"}' }, 200],
  ["nightly", { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":"t-1"}' }, 400],
  ["failures", { path: "/fail" }, 400],
  ["failures", { path: "/links/abc" }, 404],
  ["failures", { path: "/links/taken" }, 409],
  ["failures", { path: "/links/home" }, 302],
  ...["Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed", "Conflict", "Unprocessable", "TooManyRequests", "Unavailable", "Nonsense"].map(
    (kind) => ["failures", { path: `/kind/${kind}` }],
  ),
  ["failures", { path: "/io" }, 500],
  ["failures", { path: "/boxed" }, 500],
  ["failures", { path: "/panic" }, 500],
  ["failures", { path: "/after-the-panic" }, 200],
  ["failures", { path: "/sleep?ms=5000" }, 504],
  ["failures", { path: "/sleep?ms=10" }, 200],
  ["failures", { path: "/block?ms=5000" }, 504],
  ["failures", { path: "/log" }, 200],
  ["failures", { path: "/cookies" }, 200],
  ["failures", { path: "/sleep?ms=soon" }, 500],
  ["stream", { path: "/?count=3&every_ms=20" }, 200],
  ["stream", { path: "/?count=5&every_ms=20&fail=2" }, 200],
  ["stream", { path: "/?count=x" }, 400],
];

for (const [example, request, expectStatus] of cases) {
  const label = `${example}: ${request.method ?? "GET"} ${request.path ?? "/"}${request.body ? ` ${String(request.body).slice(0, 40)}` : ""}`;
  await check(label, () => same(example, request, { expectStatus }));
}

// A cron trigger: the Worker's scheduled() runs the nightly handler (its
// outcome is workerd's); the same tick over HTTP answers as the server's.
await check("nightly: cron trigger (scheduled)", async () => {
  const answer = await send(ports.driver, { path: "/scheduled/nightly?cron=0+2+*+*+*&time=1714528800000" });
  assert.equal(answer.status, 200, answer.body.toString());
  const result = JSON.parse(answer.body.toString());
  assert.equal(result.outcome, "ok", JSON.stringify(result));
  return JSON.stringify(result);
});

// A queue batch: the messages the server reports failed are the ones the
// Worker retries; the others are acknowledged.
async function queueCase(messages) {
  const native = await send(ports.native["queue-worker"], {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: messages.map(({ id, body }) => ({ id, body })) }),
  });
  const failed = JSON.parse(native.body.toString()).batchItemFailures.map((item) => item.itemIdentifier);
  const answer = await send(ports.driver, {
    method: "POST",
    path: "/queue/queue-worker",
    body: JSON.stringify({ queue: "jobs", messages }),
  });
  assert.equal(answer.status, 200, answer.body.toString());
  const result = JSON.parse(answer.body.toString());
  assert.equal(result.outcome, "ok", JSON.stringify(result));
  const retried = (result.retryMessages ?? []).map((item) => item.msgId).sort();
  assert.deepEqual(retried, [...failed].sort(), "retried messages");
  const acked = [...(result.explicitAcks ?? [])].sort();
  const expectAcked = messages.map((m) => m.id).filter((id) => !failed.includes(id)).sort();
  assert.deepEqual(acked, expectAcked, "acknowledged messages");
  return `retried [${retried}], acknowledged [${acked}]`;
}

await check("queue-worker: queue batch, one failed", () =>
  queueCase([
    { id: "m-1", body: "ok" },
    { id: "m-2", body: "please fail" },
    { id: "m-3", body: "fine" },
  ]),
);
await check("queue-worker: queue batch, none failed", () => queueCase([{ id: "m-1", body: "ok" }]));

// A handler reading its Worker's side through CloudflareContextExt: the
// trigger, a [vars] value, a service binding's answer (a future that is not
// Send, awaited through SendFuture).
await check("context: CloudflareContextExt", async () => {
  // x-name: the bytes c3 a9 (fetch sends a header value as a byte string,
  // one byte per char), which workerd gives JavaScript as UTF-8 text
  // (workerd#6927): the handler must see them, and send them back, as sent.
  const answer = await send(ports.context, { headers: { "cf-ray": RAY, "x-name": "caf\u00c3\u00a9" } });
  assert.equal(answer.status, 200, answer.body.toString());
  const seen = JSON.parse(answer.body.toString());
  // Local workerd's cf object has the client's address alone (no colo).
  assert.match(seen.cf?.clientIp ?? "", /^127\.0\.0\.1/, "the cf object");
  delete seen.cf;
  const echoed = Buffer.from(answer.headers.get("x-name") ?? "", "latin1");
  assert.deepEqual(echoed, Buffer.from("café"), "the x-name header sent back, as bytes");
  assert.deepEqual(seen, {
    name: "café",
    trigger: "Fetch",
    isFetch: true,
    greeting: "bonjour",
    hello: "Hello, Binding!",
    colo: null,
    platform: "cloudflare-workers",
  });
  return answer.body.toString();
});

// A queue handler that fails (its error, a panic) retries the whole batch.
for (const how of ["error", "panic"]) {
  await check(`context: a queue handler's ${how} retries the batch`, async () => {
    const answer = await send(ports.driver, {
      method: "POST",
      path: "/queue/context",
      body: JSON.stringify({ queue: "jobs", messages: [{ id: "m-1", body: "ok" }, { id: "m-2", body: how }] }),
    });
    assert.equal(answer.status, 200, answer.body.toString());
    const result = JSON.parse(answer.body.toString());
    assert.equal(result.outcome, "ok", JSON.stringify(result));
    assert.equal(result.retryBatch?.retry, true, JSON.stringify(result));
    assert.deepEqual(result.explicitAcks ?? [], [], JSON.stringify(result));
    return JSON.stringify(result);
  });
}
await check("context: a queue batch that succeeds is acknowledged", async () => {
  const answer = await send(ports.driver, {
    method: "POST",
    path: "/queue/context",
    body: JSON.stringify({ queue: "jobs", messages: [{ id: "m-1", body: "ok" }] }),
  });
  const result = JSON.parse(answer.body.toString());
  assert.equal(result.retryBatch?.retry, false, JSON.stringify(result));
  assert.deepEqual(result.explicitAcks, ["m-1"], JSON.stringify(result));
  return JSON.stringify(result);
});

console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
