// Example `jobs` Worker: consumes the stage's queue (failed messages go to its dead-letter queue after
// the configured retries) and runs on a cron trigger. It logs binding names only, never values.
export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      try {
        await env.DB.prepare("SELECT 1").run();
        message.ack();
      } catch (error) {
        console.error("job failed", { id: message.id, error: String(error) });
        message.retry();
      }
    }
  },

  async scheduled(controller, env) {
    console.log("cron", controller.cron, "bindings:", Object.keys(env).sort().join(","));
  },

  async fetch() {
    return new Response("jobs worker: no HTTP surface\n", { status: 404 });
  },
};
