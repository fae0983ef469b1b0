// The driver Worker of .ci/workers.sh: delivers the events only the
// platform sends (a cron trigger, a queue batch) to an example Worker
// through a service binding (workerd's `scheduled()` and `queue()`, behind
// the service_binding_extra_handlers flag), and answers workerd's report
// of the outcome as JSON:
//   GET  /scheduled/<binding>?cron=...&time=<ms>  -> {outcome, noRetry}
//   POST /queue/<binding> {"queue", "messages": [{id, body, timestamp?, attempts?}]}
//        -> {outcome, ackAll, retryBatch, explicitAcks, retryMessages}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, kind, name] = url.pathname.split("/");
    const target = name ? env[name.replace(/-/g, "_")] : undefined;
    if (!target) {
      return new Response(`no Worker bound as ${name}`, { status: 404 });
    }
    if (kind === "scheduled") {
      const result = await target.scheduled({
        cron: url.searchParams.get("cron") ?? "",
        scheduledTime: new Date(Number(url.searchParams.get("time") ?? 0)),
      });
      return Response.json(result);
    }
    if (kind === "queue") {
      const { queue, messages } = await request.json();
      const result = await target.queue(
        queue,
        messages.map((message) => ({
          id: message.id,
          timestamp: new Date(message.timestamp ?? 0),
          body: message.body,
          attempts: message.attempts ?? 1,
        })),
      );
      return Response.json(result);
    }
    return new Response(`no event ${kind}`, { status: 404 });
  },
};
