// The client of benches/workers_vs_workers_rs.sh: for each round, 1,000
// sequential keep-alive GET /?name=Ada to each Worker in turn (the order
// alternating between rounds), after a warm-up; prints each Worker's
// median per-request time over the rounds, in microseconds, as JSON.
//
// usage: node workers_bench.mjs '{"name": port, ...}' REQUESTS ROUNDS
import { Agent, request } from "node:http";

const ports = JSON.parse(process.argv[2]);
const requests = Number(process.argv[3] ?? 1000);
const rounds = Number(process.argv[4] ?? 7);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(port) {
  return new Promise((resolve, reject) => {
    const call = request({ host: "127.0.0.1", port, path: "/?name=Ada", agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () =>
        body === "Hello, Ada!" ? resolve() : reject(new Error(`port ${port} answered ${response.statusCode} ${body}`)),
      );
    });
    call.on("error", reject);
    call.end();
  });
}

async function run(port, count) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await get(port);
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

const names = Object.keys(ports);
for (const name of names) await run(ports[name], 200);
const samples = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 ? [...names].reverse() : names;
  for (const name of order) samples[name].push(await run(ports[name], requests));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(JSON.stringify(Object.fromEntries(names.map((name) => [name, median(samples[name])]))));
