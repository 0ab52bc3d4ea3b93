// bin/dev's local runtime: the pinned wrangler's programmatic API, given each worker's secrets in memory.
//
//   node devstage/launcher.cjs <fd>      (bin/dev execs it; <fd> is a pipe holding one JSON document)
//
// The document names each worker's local wrangler config and its secret values, and the dev server's options.
// It is read once from the pipe, which is then closed: the values live in this process's memory only, and
// reach workerd inside the runtime config miniflare writes to workerd's stdin. No value is ever in a file, an
// argument list or an environment; this process and its children run with the allowlist bin/dev gives them.
//
// How the values get in (wrangler 4.86.0, package.json pins it; file names are those of workers-sdk,
// packages/wrangler/src/):
// * `unstable_dev` (api/dev.ts) passes its options through to `startDev` (dev/start-dev.ts), which runs a list
//   of configs as one multi-worker runtime: one miniflare, so service bindings and queues work between them.
// * `startDev` builds one `DevEnv` per config through the exported `unstable_DevEnv`, and each calls
//   `config.set(input)` once; `input.bindings` win over what the config file declares
//   (api/startDevWorker/ConfigController.ts, `getBindings`). So the `DevEnv` below adds each worker's values
//   as `secret_text` bindings (printed as "(hidden)") to the input of its own config.
// * `envFiles` is set, and CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false in the environment, so wrangler reads
//   no `.dev.vars` or `.env` for secrets (dev/dev-vars.ts, `getVarsForDev`) and logs no "Using secrets
//   defined in ..." line.
// If a wrangler upgrade changes any of this, the check after the start fails closed (exit 1) instead of
// serving the stage without its secrets.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const FAILED = 1; // bin/dev's exit code for "wrangler failed" (devstage/exits.py)

function fail(message) {
  process.stderr.write(`bin/dev: ${message}\n`);
  process.exit(FAILED);
}

function readPayload(argument) {
  const fd = Number(argument);
  if (!Number.isInteger(fd) || fd < 3) fail("usage: node devstage/launcher.cjs <fd> (bin/dev starts it)");
  try {
    return JSON.parse(fs.readFileSync(fd, "utf8"));
  } finally {
    fs.closeSync(fd);
  }
}

const payload = readPayload(process.argv[2]);
const wrangler = require(payload.wrangler);
const workers = new Map(payload.workers.map((worker) => [path.resolve(worker.config), worker]));
const given = new Set();

function withSecrets(input) {
  const worker = workers.get(path.resolve(String(input.config)));
  if (worker === undefined) throw new Error(`wrangler started a config bin/dev did not give it: ${input.config}`);
  given.add(worker.config);
  const secrets = Object.fromEntries(
    Object.entries(worker.secrets).map(([name, value]) => [name, { type: "secret_text", value }]),
  );
  return { ...input, bindings: { ...input.bindings, ...secrets }, envFiles: [os.devNull] };
}

let serving = false;

// What a DevEnv reports as an "error" event: a UserError (a port in use, a bad config), or a controller's event.
function onError(error) {
  const message = error instanceof Error ? error.message : `${error?.reason}: ${error?.cause?.message ?? ""}`;
  if (!serving) fail(`wrangler did not start: ${message}`); // the wrangler CLI stops too; never hang half-started
  process.stderr.write(`bin/dev: ${message}\n`);
}

const DevEnv = wrangler.unstable_DevEnv;
wrangler.unstable_DevEnv = class DevEnvWithSecrets extends DevEnv {
  constructor(options) {
    super(options);
    const set = this.config.set.bind(this.config);
    this.config.set = (input, throwErrors) => set(withSecrets(input), throwErrors);
    this.on("error", onError);
  }
};

async function main() {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const dev = await wrangler.unstable_dev(undefined, {
    config: payload.workers.map((worker) => worker.config),
    ip: payload.dev.ip,
    port: payload.dev.port,
    inspectorPort: payload.dev.inspectorPort ?? undefined,
    persistTo: payload.dev.persistTo,
    local: true,
    logLevel: "log",
    experimental: {
      disableExperimentalWarning: true,
      forceLocal: true, // never a remote preview, and no hotkey that switches to one
      testMode: false,
      showInteractiveDevSession: interactive ? undefined : false, // wrangler's hotkeys when on a terminal
    },
  });
  if (given.size !== workers.size) {
    await dev.stop();
    fail(`wrangler ${require(`${payload.wrangler}/package.json`).version} did not take the secrets of every worker`);
  }
  serving = true;
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(0); // a second Ctrl-C: do not wait for the runtime to shut down
    stopping = true;
    await dev.stop();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, stop);
  await dev.waitUntilExit(); // the [x] hotkey tears the runtime down
  process.exit(0);
}

main().catch((error) => fail(`wrangler did not start: ${error?.message ?? error}`));
