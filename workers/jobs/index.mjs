// Example `jobs` Worker: consumes the stage's queue and records each message in D1 (`job_runs`, see
// migrations/); failed messages are retried and then go to the dead-letter queue. It exports the Durable Object
// class `Counter` (declared by the stage config's migrations; `api` binds it too) and counts the messages it
// handled in the object "jobs". It also runs on a cron trigger. It logs binding names only, never values, and
// names the declared secrets it was started without (`bin/dev --allow-missing-secrets` lists them in
// `env.DECLARED_SECRETS`) instead of failing on them.
import { DurableObject } from "cloudflare:workers";

// Counts by name in its own SQLite-backed storage: one object per name.
export class Counter extends DurableObject {
  async increment() {
    const value = ((await this.ctx.storage.get("value")) ?? 0) + 1;
    await this.ctx.storage.put("value", value);
    return value;
  }

  async value() {
    return (await this.ctx.storage.get("value")) ?? 0;
  }
}

// Its binding to the Counter namespace, whatever the stage config names it.
const counterOf = (env) =>
  Object.values(env).find((value) => value && typeof value.idFromName === "function" && typeof value.get === "function");

const missingSecrets = (env) =>
  (Array.isArray(env.DECLARED_SECRETS) ? env.DECLARED_SECRETS : []).filter((name) => env[name] === undefined);

export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      try {
        const body = message.body ?? {};
        const counter = counterOf(env); // counted first: once the row exists, so does the count
        if (counter) await counter.get(counter.idFromName("jobs")).increment();
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
