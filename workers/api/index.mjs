// Example `api` Worker used by the example stage configs. It reports which bindings it can see (names and
// kinds only, never a value) and, on POST /_platform/roundtrip, uses every binding it has for real, so one
// request proves a deploy (or `bin/dev`) wired the stage up. Binding names come from `env`, not from code,
// so the same module serves any stage config. It exports the Durable Object class `Visits` (bound here) and
// binds `Counter`, which `jobs` exports; it exports the Workflow class `ReportWorkflow` and serves the static
// files of `public/`. Under `bin/dev`, `env.DECLARED_SECRETS` lists the secrets the stage declares: one started
// without some of them (`--allow-missing-secrets`) lists those as "missing" and keeps serving everything else.
import { DurableObject, WorkflowEntrypoint } from "cloudflare:workers";

// Visits by name (a page, a user), in its own SQLite-backed storage: one object per name.
export class Visits extends DurableObject {
  async increment() {
    const visits = ((await this.ctx.storage.get("visits")) ?? 0) + 1;
    await this.ctx.storage.put("visits", visits);
    return visits;
  }

  async value() {
    return (await this.ctx.storage.get("visits")) ?? 0;
  }
}

// A durable two-step report: counts the jobs recorded in D1, then returns the count with the request's id.
export class ReportWorkflow extends WorkflowEntrypoint {
  async run(event, step) {
    const db = Object.values(this.env).find((binding) => describe(binding) === "d1");
    const runs = await step.do("count job runs", async () =>
      db ? (await db.prepare("SELECT COUNT(*) AS runs FROM job_runs").first()).runs : 0,
    );
    return await step.do("report", async () => ({ id: event.payload.id, runs }));
  }
}

// Marks the static index page (public/index.html), so a fetch through a Fetcher shows it reached the assets.
const ASSETS_MARKER = "platform-static-assets";

const describe = (value) => {
  if (value === undefined || value === null) return "missing";
  if (typeof value === "string") return value === "" ? "empty-text" : "text"; // the value itself is never sent
  if (typeof value !== "object" && typeof value !== "function") return typeof value;
  // A service binding is an RPC stub: every property, even one nobody defined, is callable.
  if (typeof value.fetch === "function" && typeof value.noSuchMethodOnAnyBinding === "function") return "service";
  if (typeof value.prepare === "function" && typeof value.batch === "function") return "d1";
  // R2 and KV both have get/put/list/delete; only R2 has head and multipart uploads, only KV getWithMetadata.
  if (typeof value.head === "function" && typeof value.createMultipartUpload === "function") return "r2";
  if (typeof value.getWithMetadata === "function" && typeof value.put === "function") return "kv";
  if (typeof value.send === "function" && typeof value.sendBatch === "function") return "queue";
  if (typeof value.idFromName === "function" && typeof value.get === "function") return "durable_object";
  if (typeof value.create === "function" && typeof value.createBatch === "function") return "workflow";
  if (typeof value.writeDataPoint === "function") return "analytics_engine";
  if (typeof value.limit === "function") return "ratelimit";
  if (typeof value.id === "string" && typeof value.timestamp === "string") return "version_metadata";
  if (typeof value.fetch === "function") return "fetcher"; // static assets, or a service without RPC
  return "object"; // a JSON var
};

// The declared secrets this Worker was started without (names only).
const missingSecrets = (env) =>
  (Array.isArray(env.DECLARED_SECRETS) ? env.DECLARED_SECRETS : []).filter((name) => env[name] === undefined);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits for the `jobs` worker to record the message: the queue's consumer writes one row per message.
const waitForJob = async (db, id, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const row = await db.prepare("SELECT id, kind FROM job_runs WHERE id = ?").bind(id).first();
    if (row) return row;
    await sleep(200);
  }
  return null;
};

const waitForWorkflow = async (instance, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  let status = await instance.status();
  while (status.status !== "complete" && status.status !== "errored" && Date.now() < deadline) {
    await sleep(200);
    status = await instance.status();
  }
  return status;
};

const roundtrip = async (env, url) => {
  const id = crypto.randomUUID();
  const kinds = Object.fromEntries(Object.keys(env).map((name) => [name, describe(env[name])]));
  const result = {};
  const dbs = Object.keys(kinds).filter((name) => kinds[name] === "d1");
  for (const name of Object.keys(kinds).sort()) {
    const binding = env[name];
    switch (kinds[name]) {
      case "d1": {
        const row = await binding.prepare("SELECT COUNT(*) AS runs FROM job_runs").first();
        result[name] = { kind: "d1", ok: typeof row.runs === "number" };
        break;
      }
      case "kv": {
        await binding.put(`roundtrip:${id}`, id, { expirationTtl: 60 });
        result[name] = { kind: "kv", ok: (await binding.get(`roundtrip:${id}`)) === id };
        break;
      }
      case "r2": {
        await binding.put(`roundtrip/${id}`, id);
        const object = await binding.get(`roundtrip/${id}`);
        result[name] = { kind: "r2", ok: object !== null && (await object.text()) === id };
        await binding.delete(`roundtrip/${id}`);
        break;
      }
      case "queue": {
        await binding.send({ kind: "roundtrip", id, at: Date.now() });
        const row = dbs.length ? await waitForJob(env[dbs[0]], id, Number(url.searchParams.get("wait") ?? 20000)) : null;
        // `jobs` counts each message in the object "jobs" of its Counter class, which this worker binds too.
        const counters = Object.keys(kinds).filter((other) => kinds[other] === "durable_object");
        const counts = await Promise.all(counters.map((other) => env[other].get(env[other].idFromName("jobs")).value()));
        const counted = Math.max(0, ...counts);
        result[name] = { kind: "queue", ok: row !== null, consumedBy: row ? "job_runs" : null, countedByJobs: counted };
        break;
      }
      case "service":
      case "fetcher": {
        // The static assets binding is a Fetcher (RPC-capable) like a service: its index page tells them apart.
        const page = await binding.fetch(new Request(new URL("/", url))); // index.html (auto-trailing-slash)
        if ((await page.text()).includes(ASSETS_MARKER)) {
          result[name] = { kind: "assets", ok: page.ok, status: page.status };
          break;
        }
        const response = await binding.fetch("https://service.internal/_platform/ping");
        result[name] = { kind: "service", ok: response.ok, status: response.status };
        break;
      }
      case "durable_object": {
        const counter = binding.get(binding.idFromName(`roundtrip:${id}`));
        const values = [await counter.increment(), await counter.increment()];
        result[name] = { kind: "durable_object", ok: values[0] === 1 && values[1] === 2 };
        break;
      }
      case "workflow": {
        const instance = await binding.create({ params: { id } });
        const status = await waitForWorkflow(instance, 30000);
        const ok = status.status === "complete" && status.output?.id === id;
        result[name] = { kind: "workflow", ok, status: status.status };
        break;
      }
      case "analytics_engine": {
        binding.writeDataPoint({ blobs: ["roundtrip"], doubles: [1], indexes: [id] });
        result[name] = { kind: "analytics_engine", ok: true };
        break;
      }
      case "ratelimit": {
        const { success } = await binding.limit({ key: `roundtrip:${id}` });
        result[name] = { kind: "ratelimit", ok: success === true };
        break;
      }
      case "version_metadata": {
        result[name] = { kind: "version_metadata", ok: binding.id.length > 0 };
        break;
      }
    }
  }
  return result;
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/_platform/bindings") {
      const missing = missingSecrets(env);
      const names = [...Object.keys(env), ...missing].sort();
      const bindings = Object.fromEntries(names.map((name) => [name, describe(env[name])]));
      return Response.json({ worker: "api", bindings, missing });
    }
    if (url.pathname === "/_platform/roundtrip" && request.method === "POST") {
      return Response.json({ worker: "api", bindings: await roundtrip(env, url) });
    }
    if (url.pathname === "/jobs" && request.method === "POST") {
      await env.JOBS.send({ kind: "example", id: crypto.randomUUID(), at: Date.now() });
      return new Response(null, { status: 202 });
    }
    return new Response("ok\n");
  },
};
