// Times llama.cpp on a GGUF file the way `jollama bench` times this engine, for side-by-side ratios on one machine:
// a prompt of 128 tokens in one batch, then 64 tokens decoded greedily, on 2 threads, three times.
// llama.cpp comes prebuilt from npm (no compiler needed); copy this file next to it and run it there:
//   mkdir /tmp/llamacpp && cd /tmp/llamacpp && npm install node-llama-cpp@3.22.1 && cp .../tools/llamacpp-bench.mjs .
//   node llamacpp-bench.mjs /tmp/tinyllama-q4_0.gguf [threads] [gen] [prompt] [depth]
// The first token comes after the prompt and one decoding step, which is taken off the prompt's time. The decode
// figure includes node's per-token loop and greedy sampling, so it slightly understates llama.cpp.
// llama.cpp loads the CPU backend built for the best instruction set the machine has; to run another one (say the
// AVX-512 build without AMX), move the better ones' libggml-cpu-*.so out of node_modules/@node-llama-cpp/linux-x64/bins/
// for the run. /proc/PID/maps of the running node shows which one it loaded.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [modelPath, threadsArg, genArg, promptArg, depthArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2), gen = Number(genArg ?? 64), promptTokens = Number(promptArg ?? 128);
const depth = Number(depthArg ?? 0);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.warn});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
// One context for all repeats (llama.cpp's default flash attention, "auto", and f16 cache); at a depth, the cache is
// filled once and each repeat cuts it back to the depth, as llama-bench -d and `jollama bench --depth` do.
const context = await model.createContext({contextSize: Math.max(512, depth + promptTokens + gen + 16), threads, batchSize: 512});
const sequence = context.getSequence();
if (depth > 0) {
    const fillStart = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(Array.from({length: depth}, (_, i) => 3 + (i * 7919) % 30000));
    console.log(`filled the cache to depth ${depth} in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
}
for (let repeat = 1; repeat <= 3; repeat++) {
    if (sequence.nextTokenIndex > depth) {
        await sequence.eraseContextTokenRanges([{start: depth, end: sequence.nextTokenIndex}]);
    }
    const prompt = Array.from({length: promptTokens}, (_, i) => 100 + (i * 37) % 20000);
    const start = performance.now();
    let firstToken = 0, n = 0;
    for await (const token of sequence.evaluate(prompt, {temperature: 0})) {
        if (n++ === 0) {
            firstToken = performance.now();
        }
        if (n > gen) {
            break;
        }
    }
    const decodeStep = (performance.now() - firstToken) / gen;
    const at = depth > 0 ? ` @ d${depth}` : "";
    console.log(`repeat ${repeat}: pp${promptTokens}${at} ${(promptTokens / ((firstToken - start - decodeStep) / 1000)).toFixed(1)} t/s, ` +
        `tg${gen}${at} ${(1000 / decodeStep).toFixed(2)} t/s`);
}
await context.dispose();
