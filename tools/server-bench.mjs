// Measures the server's request-level behaviour (prefix reuse, parallel decode, long prompts beside a stream, batched
// /api/embed) through the HTTP API, against one server or two in alternating pairs (each round runs every test on
// one server, then on the other, so both see the same minutes of a noisy machine; the table gives medians and ratios).
// Node 20, no dependencies. Start the server(s) with OLLAMA_NUM_PARALLEL=4 and make the models, e.g.:
//   ./jollama synth --shape tinyllama-1.1b --type q4_0 --out /tmp/tinyllama-q4_0.gguf
//   printf 'FROM /tmp/tinyllama-q4_0.gguf\nTEMPLATE {{ .Prompt }}\n' > /tmp/Modelfile.tl && ./jollama create tl-q4 -f /tmp/Modelfile.tl
//   printf 'FROM ../shared/models/syn-qwen3-q8_0.gguf\nTEMPLATE {{ .Prompt }}\n' > /tmp/Modelfile.q3 && ./jollama create qwen3 -f /tmp/Modelfile.q3
//   node tools/server-bench.mjs --url http://127.0.0.1:11434 --model tl-q4 --embed-model qwen3 [--vs http://127.0.0.1:11435]
// Options: --tests prefix,parallel,long,embed (default all) --rounds 2 --embed-rounds 5 --num-ctx 4096
//   --prefix-tokens 560 --parallel 4 --decode 64 --long-tokens 2000 --stream-max 1000 --json FILE (raw results).
// Tests (raw prompts of random synthetic words, temperature 0, a new random prompt every time, so nothing is cached
// across rounds or runs; prompt lengths are calibrated from prompt_eval_count and the actual counts are printed):
//   prefix:   one prompt sent three times in a row; prompt_eval_duration of the 2nd and 3rd over the 1st.
//   parallel: one streaming client decoding --decode tokens alone, then --parallel at once; tokens/s by the server
//             (eval_count/eval_duration; for N clients the sum of theirs) and by the client (tokens over the time
//             from the earliest first token to the latest last token; a chunk can hold more than one token when
//             byte tokens complete a character, so the server's eval_count is the exact count).
//   long:     a client streams (up to --stream-max tokens; cut off shortly after the long prompt is done) and, once
//             it decodes steadily, another sends a --long-tokens prompt; the streaming client's largest gap between
//             chunks while the long prompt runs, against its median gap before it and against one 64-token prompt
//             chunk (the long prompt's prompt_eval_duration / ceil(tokens / 64)).
//   embed:    /api/embed with 16 sentences: wall time of the request; with --vs, the largest absolute difference
//             between the two servers' vectors.
const args = process.argv.slice(2);
const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
};
if (args.includes("-h") || args.includes("--help") || !opt("url")) {
    console.log("usage: node server-bench.mjs --url URL --model NAME --embed-model NAME [--vs URL2] [--tests prefix,parallel,long,embed]\n" +
        "  [--rounds 2] [--embed-rounds 5] [--num-ctx 4096] [--prefix-tokens 560] [--parallel 4] [--decode 64]\n" +
        "  [--long-tokens 2000] [--stream-max 1000] [--json FILE]   (see the comment at the top of this file)");
    process.exit(args.includes("--url") ? 0 : 2);
}
const servers = [{name: "A", url: opt("url")}];
if (opt("vs")) servers.push({name: "B", url: opt("vs")});
const model = opt("model"), embedModel = opt("embed-model");
const tests = opt("tests", "prefix,parallel,long,embed").split(",");
const rounds = Number(opt("rounds", 2)), embedRounds = Number(opt("embed-rounds", 5));
const numCtx = Number(opt("num-ctx", 4096)), prefixTokens = Number(opt("prefix-tokens", 560));
const parallel = Number(opt("parallel", 4)), decode = Number(opt("decode", 64));
const longTokens = Number(opt("long-tokens", 2000)), streamMax = Number(opt("stream-max", 1000));
const jsonOut = opt("json");
const now = () => performance.now();
const ms = ns => ns / 1e6;
const median = xs => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const log = (...m) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...m);

// A raw prompt of random synthetic words (single tokens in the synth files' vocabulary).
const words = n => Array.from({length: n}, () => `w${1000 + Math.floor(Math.random() * 31000)}`).join(" ");
const options = extra => ({temperature: 0, num_ctx: numCtx, ...extra});

async function post(server, path, body, signal) {
    const res = await fetch(server.url + path, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), signal,
    });
    if (!res.ok) throw new Error(`${server.url}${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
}

async function generate(server, prompt, numPredict) {
    const res = await post(server, "/api/generate",
        {model, prompt, raw: true, stream: false, keep_alive: "30m", options: options({num_predict: numPredict})});
    const reply = JSON.parse(await res.text());
    if (reply.error) throw new Error(`${server.url}: ${reply.error}`);
    return reply;
}

// Streams a generation; returns the arrival time of every token chunk, the final chunk and the times of start/end.
async function stream(server, prompt, numPredict, {onToken, signal} = {}) {
    const sent = now();
    const times = [];
    let done = null, buffer = "";
    try {
        const res = await post(server, "/api/generate",
            {model, prompt, raw: true, stream: true, keep_alive: "30m", options: options({num_predict: numPredict})}, signal);
        const decoder = new TextDecoder();
        for await (const part of res.body) {
            const t = now();
            buffer += decoder.decode(part, {stream: true});
            let nl;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                const line = buffer.slice(0, nl).trim();
                buffer = buffer.slice(nl + 1);
                if (!line) continue;
                const chunk = JSON.parse(line);
                if (chunk.error) throw new Error(`${server.url}: ${chunk.error}`);
                if (chunk.done) {
                    done = chunk;
                } else {
                    times.push(t);
                    onToken?.(times.length, t);
                }
            }
        }
    } catch (e) {
        if (!signal?.aborted) throw e;
    }
    return {sent, times, done, end: now()};
}

// Words per token of the server's tokenizer for these prompts: two prompts, slope and intercept.
async function calibrate(server) {
    const a = await generate(server, words(20), 1), b = await generate(server, words(60), 1);
    const slope = (b.prompt_eval_count - a.prompt_eval_count) / 40;
    server.wordsFor = tokens => Math.max(1, Math.round((tokens - (a.prompt_eval_count - 20 * slope)) / slope));
    log(`${server.url}: ${a.prompt_eval_count} tokens for 20 words, ${b.prompt_eval_count} for 60`);
}

async function prefixTest(server) {
    const prompt = words(server.wordsFor(prefixTokens));
    const r = [];
    for (let i = 0; i < 3; i++) r.push(await generate(server, prompt, 4));
    return {
        tokens: r[0].prompt_eval_count, first_ms: ms(r[0].prompt_eval_duration),
        second_ms: ms(r[1].prompt_eval_duration), third_ms: ms(r[2].prompt_eval_duration),
        second_frac: r[1].prompt_eval_duration / r[0].prompt_eval_duration,
        third_frac: r[2].prompt_eval_duration / r[0].prompt_eval_duration,
    };
}

function rates(streams) {
    const first = Math.min(...streams.map(s => s.times[0])), last = Math.max(...streams.map(s => s.times.at(-1)));
    const tokens = streams.reduce((n, s) => n + s.times.length, 0);
    return {
        tokens,
        server_tps: streams.reduce((n, s) => n + s.done.eval_count / (s.done.eval_duration / 1e9), 0),
        client_tps: tokens / ((last - first) / 1000),
    };
}

async function parallelTest(server) {
    const one = rates([await stream(server, words(server.wordsFor(16)), decode)]);
    const many = rates(await Promise.all(Array.from({length: parallel}, () => stream(server, words(server.wordsFor(16)), decode))));
    return {
        one_server_tps: one.server_tps, one_client_tps: one.client_tps,
        many_server_tps: many.server_tps, many_client_tps: many.client_tps, many_tokens: many.tokens,
        ratio_server: many.server_tps / one.server_tps, ratio_client: many.client_tps / one.client_tps,
    };
}

async function longPromptTest(server) {
    const abort = new AbortController();
    let longStart = 0, longEnd = Infinity, afterLong = 0, steady;
    const steadyAt = 20;
    const steadyReached = new Promise(resolve => (steady = resolve));
    const streaming = stream(server, words(server.wordsFor(16)), streamMax, {
        signal: abort.signal,
        onToken: (n, t) => {
            if (n === steadyAt) steady();
            if (t > longEnd && ++afterLong >= 10) abort.abort();
        },
    });
    await Promise.race([steadyReached, streaming]);
    longStart = now();
    const long = await stream(server, words(server.wordsFor(longTokens)), 1);
    // The long prompt's prompt phase ends at its first token (num_predict 1); its final chunk follows at once.
    longEnd = long.times[0] ?? long.end;
    const s = await streaming;
    abort.abort();
    const gaps = s.times.slice(1).map((t, i) => ({from: s.times[i], to: t, gap: t - s.times[i]}));
    const before = gaps.filter(g => g.to <= longStart).map(g => g.gap);
    const during = gaps.filter(g => g.to > longStart && g.from < longEnd);
    const chunks = Math.ceil(long.done.prompt_eval_count / 64);
    const chunkMs = ms(long.done.prompt_eval_duration) / chunks;
    const maxGap = Math.max(...during.map(g => g.gap));
    const lastToken = s.times.at(-1);
    return {
        long_tokens: long.done.prompt_eval_count, long_prompt_ms: ms(long.done.prompt_eval_duration),
        long_wall_ms: longEnd - longStart, chunk_ms: chunkMs,
        median_gap_before_ms: median(before), median_gap_during_ms: median(during.map(g => g.gap)),
        max_gap_ms: maxGap, max_gap_over_median: maxGap / median(before), max_gap_over_chunk: maxGap / chunkMs,
        tokens_during: during.length, stream_covered: lastToken >= longEnd,
        gaps_during_ms: during.map(g => Math.round(g.gap)),
    };
}

const sentences = [
    "The quick brown fox jumps over the lazy dog while the farmer watches from the porch of his old wooden house.",
    "Once upon a time there was a little girl named Lily who loved to play outside in the park with her friends.",
    "A cat sat on the mat.",
    "Scientists have discovered that some birds can navigate across entire oceans by sensing the magnetic field of the earth.",
    "The train was late again this morning, so everyone on the platform stood in the cold rain and waited patiently.",
    "She opened the box and found a small golden key, a folded map and a letter written in faded blue ink.",
    "Markets rose sharply on Tuesday after the central bank announced it would keep interest rates unchanged for another quarter.",
    "He cooked a simple dinner of rice, beans and grilled vegetables for his family.",
    "The mountain path was narrow and steep, and the hikers had to stop often to catch their breath and drink water.",
    "Every spring the river floods the low fields near the village, leaving rich soil behind for the summer crops.",
    "Please remember to turn off the lights and lock the front door before you leave the office tonight.",
    "The old library has thousands of books, some of them hundreds of years old and written by hand.",
    "A gentle breeze moved through the tall grass as the sun slowly set behind the distant hills.",
    "The children built a tall sandcastle on the beach and decorated it with shells, stones and bits of seaweed.",
    "Good software is written for people to read, and only incidentally for machines to execute quickly.",
    "After the storm passed, the whole town came out to clear the fallen branches from the streets and gardens.",
];

async function embed(server) {
    const start = now();
    const res = await post(server, "/api/embed", {model: embedModel, input: sentences, keep_alive: "30m"});
    const reply = JSON.parse(await res.text());
    if (reply.error) throw new Error(`${server.url}: ${reply.error}`);
    return {wall_ms: now() - start, total_ms: ms(reply.total_duration ?? 0), tokens: reply.prompt_eval_count, embeddings: reply.embeddings};
}

// ---- run ----
const results = Object.fromEntries(servers.map(s => [s.name, {prefix: [], parallel: [], long: [], embed: []}]));
const generating = tests.some(t => t !== "embed");
for (const server of servers) {
    if (generating) {
        log(`${server.url}: loading ${model}`);
        await generate(server, words(8), 4);
        await calibrate(server);
        await stream(server, words(16), 16); // a warm-up stream
    }
    if (tests.includes("embed")) {
        log(`${server.url}: loading ${embedModel}`);
        await embed(server);
        await embed(server);
    }
}
const order = r => (r % 2 === 0 ? servers : [...servers].reverse());
for (let r = 0; r < rounds; r++) {
    for (const [test, fn] of [["prefix", prefixTest], ["parallel", parallelTest], ["long", longPromptTest]]) {
        if (!tests.includes(test)) continue;
        for (const server of order(r)) {
            log(`round ${r + 1}: ${test} on ${server.url}`);
            const res = await fn(server);
            log(JSON.stringify(res));
            results[server.name][test].push(res);
        }
    }
}
let maxDiff = null;
if (tests.includes("embed")) {
    for (let r = 0; r < embedRounds; r++) {
        for (const server of order(r)) results[server.name].embed.push(await embed(server));
    }
    if (servers.length === 2) {
        const [a, b] = servers.map(s => results[s.name].embed[0].embeddings);
        maxDiff = 0;
        a.forEach((v, i) => v.forEach((x, j) => (maxDiff = Math.max(maxDiff, Math.abs(x - b[i][j])))));
    }
    log(`embed: ${results.A.embed[0].embeddings.length} vectors of ${results.A.embed[0].embeddings[0].length}, ${results.A.embed[0].tokens} tokens`);
}

// ---- table ----
const rows = [];
const fmt = x => (typeof x === "boolean" ? String(x) : !Number.isFinite(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));
const cell = xs => (xs.length === 0 ? "-" : typeof xs[0] === "boolean" ? xs.join("/")
    : xs.length === 1 ? fmt(xs[0]) : `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`);
const metrics = {
    prefix: [["tokens", "prefix: prompt tokens"], ["first_ms", "prefix: 1st prompt_eval ms"], ["second_frac", "prefix: 2nd / 1st prompt_eval"],
        ["third_frac", "prefix: 3rd / 1st prompt_eval"]],
    parallel: [["one_server_tps", "parallel: 1 client t/s (server)"], ["one_client_tps", "parallel: 1 client t/s (client)"],
        ["many_server_tps", `parallel: ${parallel} clients t/s (server, sum)`], ["many_client_tps", `parallel: ${parallel} clients t/s (client)`],
        ["ratio_server", `parallel: ${parallel} / 1 (server)`], ["ratio_client", `parallel: ${parallel} / 1 (client)`]],
    long: [["long_tokens", "long: prompt tokens"], ["long_prompt_ms", "long: prompt_eval ms"], ["chunk_ms", "long: one 64-token chunk ms"],
        ["median_gap_before_ms", "long: stream median gap before ms"], ["median_gap_during_ms", "long: stream median gap during ms"],
        ["max_gap_ms", "long: stream max gap during ms"], ["max_gap_over_median", "long: max gap / median gap before"],
        ["max_gap_over_chunk", "long: max gap / one chunk"], ["tokens_during", "long: stream tokens during"],
        ["stream_covered", "long: stream outlasted the prompt"]],
    embed: [["wall_ms", "embed: 16 inputs wall ms"], ["total_ms", "embed: total_duration ms"]],
};
for (const [test, list] of Object.entries(metrics)) {
    for (const [key, label] of list) {
        const vals = servers.map(s => results[s.name][test].map(x => x[key]));
        if (vals[0].length === 0) continue;
        const row = [label, ...vals.map(cell)];
        if (servers.length === 2 && typeof vals[0][0] === "number") {
            row.push(fmt(median(vals[0]) / median(vals[1])));
        }
        rows.push(row);
    }
}
if (maxDiff !== null) rows.push(["embed: max |A - B| of vectors", maxDiff.toExponential(2), "", ""]);
const header = ["metric", ...servers.map(s => `${s.name}: ${s.url}`), ...(servers.length === 2 ? ["A/B (medians)"] : [])];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i] ?? "").length)));
const line = r => r.map((c, i) => String(c ?? "").padEnd(widths[i])).join(" | ");
console.log(line(header));
console.log(widths.map(w => "-".repeat(w)).join("-|-"));
rows.forEach(r => console.log(line(r)));
if (jsonOut) {
    for (const s of servers) for (const e of results[s.name].embed) if (e !== results[s.name].embed[0]) delete e.embeddings;
    (await import("node:fs")).writeFileSync(jsonOut, JSON.stringify({servers, results, maxDiff}, null, 1));
}
