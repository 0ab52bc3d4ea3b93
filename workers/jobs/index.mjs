// Example `jobs` Worker: consumes the stage's queue and records each message in D1 (`job_runs`, see
// migrations/); failed messages are retried and then go to the dead-letter queue. It also runs on a cron
// trigger. It logs binding names only, never values, and names the declared secrets it was started without
// (`bin/dev --allow-missing-secrets` lists them in `env.DECLARED_SECRETS`) instead of failing on them.
const missingSecrets = (env) =>
  (Array.isArray(env.DECLARED_SECRETS) ? env.DECLARED_SECRETS : []).filter((name) => env[name] === undefined);

export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      try {
        const body = message.body ?? {};
        await env.DB.prepare(
          "INSERT OR IGNORE INTO job_runs (id, kind, enqueued_at, processed_at) VALUES (?, ?, ?, ?)",
        )
          .bind(String(body.id ?? message.id), String(body.kind ?? "unknown"), Number(body.at ?? 0), Date.now())
          .run();
        message.ack();
      } catch (error) {
        console.error("job failed", { id: message.id, error: String(error) });
        message.retry();
      }
    }
  },

  async scheduled(controller, env) {
    const missing = missingSecrets(env).join(",") || "none";
    console.log("cron", controller.cron, "bindings:", Object.keys(env).sort().join(","), "missing:", missing);
  },

  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/_platform/ping") return new Response("jobs\n");
    if (pathname === "/_platform/bindings") {
      return Response.json({ worker: "jobs", bindings: Object.keys(env).sort(), missing: missingSecrets(env) });
    }
    return new Response("jobs worker: no HTTP surface\n", { status: 404 });
  },
};
