// Example `api` Worker used by the example stage configs. It reports which bindings it can see —
// names and kinds only, never a value — so a deploy can be checked with one request.
const describe = (value) => {
  if (value === undefined || value === null) return "missing";
  if (typeof value === "string") return "text"; // plain var or secret: the value itself is never sent
  if (typeof value.prepare === "function") return "d1";
  if (typeof value.head === "function" && typeof value.list === "function" && typeof value.put === "function") {
    return typeof value.createMultipartUpload === "function" ? "r2" : "kv";
  }
  if (typeof value.send === "function" && typeof value.sendBatch === "function") return "queue";
  if (typeof value.fetch === "function") return "service";
  return typeof value;
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/_platform/bindings") {
      const bindings = Object.fromEntries(Object.keys(env).sort().map((name) => [name, describe(env[name])]));
      return Response.json({ worker: "api", stage: env.STAGE ?? null, bindings });
    }
    if (url.pathname === "/jobs" && request.method === "POST") {
      await env.JOBS.send({ kind: "example", at: Date.now() });
      return new Response(null, { status: 202 });
    }
    return new Response("ok\n");
  },
};
