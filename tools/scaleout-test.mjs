// Tries README's HAProxy set-up on one machine: three `jollama serve` replicas sharing one model store, HAProxy in
// front with the configuration taken from README.md (its bind and server lines pointed at loopback ports), 200
// requests over 4 models, and one replica killed (SIGKILL) mid-run. Reports the requests completed and failed (with
// each failure's error) and which replica served each model before and after the kill. First it sends 200 concurrent
// streaming requests straight to one replica (OLLAMA_NUM_PARALLEL=2) and reports its resident memory before and after.
// Node 20, no dependencies; needs haproxy (Debian: apt-get install haproxy) and ../shared/models.
//   node tools/scaleout-test.mjs [--base-port 11500] [--requests 200] [--concurrency 8] [--kill-after 80]
// Ports: base (HAProxy), base+1..base+3 (replicas). Not part of the build.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
};
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = resolve(root, "..", "shared", "models");
const basePort = opt("base-port", 11500);
const total = opt("requests", 200);
const concurrency = opt("concurrency", 8);
const killAfter = opt("kill-after", 80);
const MODELS = {
    "stories": "stories260K.gguf",
    "stories-q8": "stories260K-gguf-v2-q8_0.gguf",
    "llama-q4": "syn-llama-q4_0.gguf",
    "qwen2-q8": "syn-qwen2-q8_0.gguf",
};
if ([11434, 11435].some(p => p >= basePort && p <= basePort + 3)) {
    throw new Error("ports 11434 and 11435 are the lead's benchmarks': choose another --base-port");
}

const work = mkdtempSync(join(tmpdir(), "jollama-scaleout-"));
const children = [];
const sleep = ms => new Promise(r => setTimeout(r, ms));

function start(name, command, argv, env) {
    const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.on("data", d => { log = (log + d).slice(-4000); });
    child.on("exit", code => { child.exitedWith = code; });
    child.logTail = () => log;
    child.label = name;
    children.push(child);
    return child;
}

async function waitUp(url, child) {
    for (let i = 0; i < 600; i++) {
        if (child.exitedWith !== undefined) {
            throw new Error(`${child.label} exited: ${child.logTail()}`);
        }
        try {
            if ((await fetch(url)).ok) {
                return;
            }
        } catch { /* not yet */ }
        await sleep(200);
    }
    throw new Error(`${url} did not come up`);
}

function rssMiB(pid) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function post(url, body, signalMs = 120000) {
    const r = await fetch(url, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(signalMs) });
    const text = await r.text();
    return { status: r.status, text, replica: r.headers.get("x-jollama-replica") };
}

/** 200 streams at once straight at one replica: each completes or gets 503; the replica's RSS before and after. */
async function memoryRun(port, pid) {
    const url = `http://127.0.0.1:${port}/api/generate`;
    const body = { model: "stories", prompt: "Once upon a time", options: { num_predict: 32, temperature: 0 } };
    await post(url, body); // loaded and compiled
    await sleep(1000);
    const before = rssMiB(pid);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 200 }, () => post(url, body).catch(e => ({ status: 0, text: String(e) }))));
    const seconds = (Date.now() - started) / 1000;
    await sleep(3000);
    const after = rssMiB(pid);
    const done = results.filter(r => r.status === 200 && r.text.trim().split("\n").map(l => JSON.parse(l)).at(-1).done === true).length;
    const busy = results.filter(r => r.status === 503).length;
    return { done, busy, other: results.length - done - busy, seconds, before, after };
}

async function scaleOutRun(victim) {
    const url = `http://127.0.0.1:${basePort}/api/generate`;
    const names = Object.keys(MODELS);
    const spread = { before: {}, after: {} };
    const failures = [];
    let completed = 0, next = 0, finished = 0, killedAt = -1;
    const inFlightOnVictim = new Set();
    async function worker() {
        while (next < total) {
            const i = next++;
            const model = names[i % names.length];
            const phase = killedAt < 0 ? "before" : "after";
            try {
                const r = await post(url, { model, prompt: `Request ${i}: once upon a time`, stream: false,
                    options: { num_predict: 48, temperature: 0, num_ctx: 512 } });
                let reply;
                try {
                    reply = JSON.parse(r.text);
                } catch {
                    reply = { error: `unparsable body (${r.text.length} bytes)` };
                }
                if (r.status === 200 && reply.done === true) {
                    completed++;
                    const counts = (spread[phase][model] ??= {});
                    counts[r.replica] = (counts[r.replica] ?? 0) + 1;
                } else {
                    failures.push({ i, model, status: r.status, replica: r.replica, error: reply.error ?? r.text.slice(0, 200) });
                }
            } catch (e) {
                failures.push({ i, model, status: 0, error: String(e.cause?.message ?? e.message) });
            }
            finished++;
            if (finished === killAfter && killedAt < 0) {
                killedAt = finished;
                victim.kill("SIGKILL");
            }
        }
    }
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { completed, failures, spread, seconds: (Date.now() - started) / 1000, killedAt };
}

try {
    if (spawnSync("haproxy", ["-v"]).status !== 0) {
        throw new Error("haproxy not found (Debian: apt-get install -y haproxy)");
    }
    const build = spawnSync(join(root, "jollama"), ["--help"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    if (build.status !== 0) {
        throw new Error("the jollama launcher failed to build or run");
    }
    const store = join(work, "models");
    const env = port => ({ OLLAMA_HOST: `127.0.0.1:${port}`, OLLAMA_MODELS: store, OLLAMA_NUM_PARALLEL: "2",
        JOLLAMA_WARMUP: "0", JOLLAMA_JAVA_OPTS: "-Xmx512m", JOLLAMA_SHUTDOWN_GRACE: "5s" });
    const replicas = [1, 2, 3].map(n => start(`r${n}`, join(root, "jollama"), ["serve"], env(basePort + n)));
    for (const [n, r] of replicas.entries()) {
        await waitUp(`http://127.0.0.1:${basePort + n + 1}/`, r);
    }
    // Created through one replica, served by all: the store is shared.
    for (const [name, file] of Object.entries(MODELS)) {
        const r = await post(`http://127.0.0.1:${basePort + 1}/api/create`, { model: name, from: join(shared, file), stream: false });
        if (r.status !== 200) {
            throw new Error(`create ${name}: ${r.status} ${r.text}`);
        }
    }

    const readme = readFileSync(join(root, "README.md"), "utf8");
    let cfg = /```haproxy\n([\s\S]*?)```/.exec(readme)[1];
    cfg = cfg.replace(/bind \S+/, `bind 127.0.0.1:${basePort}`)
        .replace(/server r(\d) \S+/g, (_, n) => `server r${n} 127.0.0.1:${basePort + Number(n)}`);
    writeFileSync(join(work, "haproxy.cfg"), cfg);
    const haproxy = start("haproxy", "haproxy", ["-db", "-f", join(work, "haproxy.cfg")], {});
    await waitUp(`http://127.0.0.1:${basePort}/`, haproxy);

    const memory = await memoryRun(basePort + 1, replicas[0].pid);
    console.log(`200 concurrent streams at r1 (OLLAMA_NUM_PARALLEL=2): ${memory.done} done, ${memory.busy} got 503, ` +
        `${memory.other} other, in ${memory.seconds.toFixed(1)} s; r1 RSS ${memory.before.toFixed(0)} MiB before, ` +
        `${memory.after.toFixed(0)} MiB after (${(memory.after - memory.before).toFixed(0)} MiB)`);

    const run = await scaleOutRun(replicas[1]);
    console.log(`\n${total} requests through HAProxy over ${Object.keys(MODELS).length} models, ${concurrency} at a time, ` +
        `r2 killed (SIGKILL) after ${run.killedAt} had finished, ${run.seconds.toFixed(1)} s:`);
    console.log(`  completed ${run.completed}, failed ${run.failures.length}`);
    for (const f of run.failures) {
        console.log(`  failed #${f.i} (${f.model}) via ${f.replica ?? "-"}: status ${f.status}: ${f.error}`);
    }
    for (const phase of ["before", "after"]) {
        console.log(`  spread ${phase} the kill (model: replica=requests):`);
        for (const [model, counts] of Object.entries(run.spread[phase])) {
            console.log(`    ${model}: ${Object.entries(counts).map(([r, c]) => `${r}=${c}`).join(" ")}`);
        }
    }
} finally {
    for (const c of children) {
        if (c.exitedWith === undefined) {
            c.kill("SIGTERM");
        }
    }
    await sleep(1500);
    for (const c of children) {
        if (c.exitedWith === undefined) {
            c.kill("SIGKILL");
        }
    }
    rmSync(work, { recursive: true, force: true });
}
