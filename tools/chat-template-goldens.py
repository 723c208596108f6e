#!/usr/bin/env python3
"""Writes server/src/test/resources/chat-templates/cases.json: chat requests and the prompts Hugging Face's
apply_chat_template renders for them (Jinja2 with trim_blocks and lstrip_blocks, Python's tojson, raise_exception,
strftime_now), for the test templates beside it and the chat templates inside ../shared's GGUF files.
JinjaChatTemplateTest sends each request to a model made from that template and compares the rendered prompt.

Run from the project root: python3 tools/chat-template-goldens.py   (needs Jinja2)
"""
import json
import os
import struct
from datetime import datetime

from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.exceptions import TemplateError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "server/src/test/resources/chat-templates")
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
# strftime_now's fixed clock here; the test compares dates as a placeholder
NOW = datetime(2026, 1, 2, 3, 4, 5)

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "The weather in a city",
           "parameters": {"type": "object", "required": ["city"],
                          "properties": {"city": {"type": "string", "description": "The city"}}}}}

CONVERSATIONS = {
    "system-user": {"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hello"}]},
    "multi-turn": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                                {"role": "user", "content": "How are you?"}]},
    "tools": {"tools": [WEATHER], "messages": [{"role": "user", "content": "Weather in Paris?"}]},
    "tool-result": {"tools": [WEATHER], "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
        {"role": "tool", "content": "22 degrees", "tool_name": "get_weather"}]},
    "think-off": {"think": False, "messages": [{"role": "user", "content": "Hi"}]},
    "prefill": {"messages": [{"role": "user", "content": "Tell a story"}, {"role": "assistant", "content": "Once upon"}]},
    "roles-out-of-order": {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]},
}

# template -> the conversations it is tested with
CASES = {
    "qwen3.jinja": ["system-user", "multi-turn", "tools", "tool-result", "think-off", "prefill"],
    "llama3.jinja": ["system-user", "multi-turn", "tools", "tool-result", "prefill"],
    "gemma3.jinja": ["system-user", "multi-turn", "prefill", "roles-out-of-order"],
    "mistral.jinja": ["system-user", "multi-turn", "tools", "roles-out-of-order"],
    "python-semantics.jinja": ["multi-turn", "system-user"],
    "gguf:tokenizer/ggml-vocab-phi-3.gguf": ["system-user", "multi-turn", "prefill"],
    "gguf:models/syn-gptoss-mxfp4.gguf": ["system-user", "multi-turn", "tools", "tool-result"],
}


def gguf_metadata(path):
    """The string, integer and bool metadata of a GGUF file, and its token texts."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 8
    n_tensors, n_kv = struct.unpack_from("<QQ", data, pos)
    pos += 16
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    formats = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}

    def read_string(p):
        n, = struct.unpack_from("<Q", data, p)
        return data[p + 8:p + 8 + n].decode("utf-8"), p + 8 + n

    def read_value(t, p):
        if t == 8:
            return read_string(p)
        if t == 9:
            et, n = struct.unpack_from("<IQ", data, p)
            p += 12
            values = []
            for _ in range(n):
                v, p = read_value(et, p)
                values.append(v)
            return values, p
        v, = struct.unpack_from(formats[t], data, p)
        return v, p + sizes[t]

    meta = {}
    for _ in range(n_kv):
        key, pos = read_string(pos)
        t, = struct.unpack_from("<I", data, pos)
        value, pos = read_value(t, pos + 4)
        meta[key] = value
    return meta


def template_source(name):
    """(template text, bos text, eos text); test templates are rendered with stories260K's <s> and </s>."""
    if name.startswith("gguf:"):
        meta = gguf_metadata(os.path.join(SHARED, name[5:]))
        tokens = meta.get("tokenizer.ggml.tokens", [])
        token = lambda key: tokens[meta[key]] if key in meta and meta[key] < len(tokens) else ""
        if name.startswith("gguf:tokenizer/"):
            return meta["tokenizer.chat_template"], "<s>", "</s>"
        return meta["tokenizer.chat_template"], token("tokenizer.ggml.bos_token_id"), token("tokenizer.ggml.eos_token_id")
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
        return f.read(), "<s>", "</s>"


def hf_message(m):
    """An Ollama chat message as JinjaTemplate hands it to the template."""
    out = {"role": m["role"], "content": m.get("content", "")}
    if m.get("thinking"):
        out["thinking"] = out["reasoning_content"] = m["thinking"]
    if m.get("tool_calls"):
        out["tool_calls"] = [{"type": "function", "function": {"name": c["function"]["name"],
                                                               "arguments": c["function"].get("arguments", {})}}
                             for c in m["tool_calls"]]
    if m.get("tool_name"):
        out["name"] = m["tool_name"]
    return out


def raise_exception(message):
    raise TemplateError(message)


def render(text, bos, eos, request):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda x, indent=None, separators=None, sort_keys=False: json.dumps(
        x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
    messages = [hf_message(m) for m in request["messages"]]
    last = messages[-1]
    prefill = last["role"] == "assistant" and last["content"] != ""
    values = {"messages": messages, "tools": request.get("tools"), "bos_token": bos, "eos_token": eos,
              "add_generation_prompt": not prefill and last["role"] != "assistant"}
    thinks = ("<think>" in text and "</think>" in text) or ("<|start|>" in text and "<|end|>" in text)
    think = request.get("think", True if thinks else None)
    if think is not None:
        values["enable_thinking"] = think
        if think:
            values["reasoning_effort"] = "medium"
    prompt = env.from_string(text).render(**values)
    if prefill:
        content = last["content"].strip()
        prompt = prompt[:prompt.rindex(content) + len(content)]
    return prompt


def main():
    cases = []
    for template, conversations in CASES.items():
        text, bos, eos = template_source(template)
        for conversation in conversations:
            request = CONVERSATIONS[conversation]
            case = {"template": template, "conversation": conversation, "request": request}
            try:
                case["expected"] = render(text, bos, eos, request)
            except TemplateError as e:
                case["error"] = str(e)
            cases.append(case)
    with open(os.path.join(TEMPLATES, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
