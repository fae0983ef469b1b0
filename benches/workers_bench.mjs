// The client of benches/workers_vs_workers_rs.sh: for each round, 1,000
// sequential keep-alive GET /?name=Ada to each Worker in turn (the order
// alternating between rounds), after a warm-up; prints, for each Worker,
// the median per-request time over the rounds (`wall`) and the CPU time its
// workerd process spent per request over all rounds (`cpu`, from
// /proc/PID/stat's utime + stime), in microseconds, as JSON.
//
// usage: node workers_bench.mjs '{"name": [port, workerd pid], ...}' REQUESTS ROUNDS
//        node workers_bench.mjs send PORT REQUESTS   (only the requests: the
//        instruction-count section sends them to a workerd under callgrind)
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

const ports = process.argv[2] === "send" ? {} : JSON.parse(process.argv[2]);
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

if (process.argv[2] === "send") {
  await run(Number(process.argv[3]), Number(process.argv[4]));
  agent.destroy();
  process.exit(0);
}

// A process's CPU time so far, in clock ticks (utime + stime; the fields
// after the command name, which is in parentheses and may hold spaces).
const ticksPerSecond = 100;
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const names = Object.keys(ports);
for (const name of names) await run(ports[name][0], 200);
const samples = Object.fromEntries(names.map((name) => [name, []]));
const ticks = Object.fromEntries(names.map((name) => [name, 0]));
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 ? [...names].reverse() : names;
  for (const name of order) {
    const [port, pid] = ports[name];
    const before = cpuTicks(pid);
    samples[name].push(await run(port, requests));
    ticks[name] += cpuTicks(pid) - before;
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpu = (name) => (ticks[name] / ticksPerSecond) * 1e6 / (requests * rounds);
console.log(JSON.stringify(Object.fromEntries(names.map((name) => [name, { wall: median(samples[name]), cpu: cpu(name) }]))));
