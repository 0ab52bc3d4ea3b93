// Example `api` Worker used by the example stage configs. It reports which bindings it can see (names and
// kinds only, never a value) and, on POST /_platform/roundtrip, uses every binding it has for real, so one
// request proves a deploy (or `bin/dev`) wired the stage up. Binding names come from `env`, not from code,
// so the same module serves any stage config. Under `bin/dev`, `env.DECLARED_SECRETS` lists the secrets the
// stage declares: one started without some of them (`--allow-missing-secrets`) lists those as "missing"
// and keeps serving everything else.

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
  if (typeof value.fetch === "function") return "service"; // a Fetcher without RPC
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
        result[name] = { kind: "queue", ok: row !== null, consumedBy: row ? "job_runs" : null };
        break;
      }
      case "service": {
        const response = await binding.fetch("https://service.internal/_platform/ping");
        result[name] = { kind: "service", ok: response.ok, status: response.status };
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
