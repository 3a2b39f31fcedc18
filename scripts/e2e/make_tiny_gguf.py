#!/usr/bin/env python3
"""Write a tiny, deterministic llama-architecture GGUF model that llama.cpp loads.

usage: make_tiny_gguf.py OUT.gguf

Two transformer blocks of width 64 with seeded random weights and a
byte-fallback SentencePiece vocabulary: it answers gibberish, but it is a
real model a real llama.cpp server loads and serves, and its bytes are the
same on every run (the end-to-end test pins its sha256 like any model's).
Needs the `gguf` and `numpy` packages.
"""
import sys

import numpy as np
import gguf

N_EMBD, N_HEAD, N_FF, N_LAYER, N_CTX = 64, 4, 128, 2, 256
WORDS = ["▁hello", "▁world", "▁the", "▁model", "▁serves", "▁amc", "▁ok", "."]


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(20261206)
    tokens, scores, types = [], [], []
    for t, ty in [("<unk>", gguf.TokenType.UNKNOWN), ("<s>", gguf.TokenType.CONTROL), ("</s>", gguf.TokenType.CONTROL)]:
        tokens.append(t.encode()); scores.append(0.0); types.append(ty)
    for b in range(256):
        tokens.append(f"<0x{b:02X}>".encode()); scores.append(0.0); types.append(gguf.TokenType.BYTE)
    for i, w in enumerate(WORDS):
        tokens.append(w.encode()); scores.append(-float(i)); types.append(gguf.TokenType.NORMAL)
    n_vocab = len(tokens)

    w = gguf.GGUFWriter(out, "llama")
    w.add_name("amc-e2e-tiny-llama")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_add_bos_token(True)
    w.add_chat_template(
        "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>{% endif %}"
    )

    def t(name, *shape, scale=0.02):
        w.add_tensor(name, (rng.standard_normal(shape) * scale).astype(np.float32))

    def ones(name, n):
        w.add_tensor(name, np.ones(n, dtype=np.float32))

    t("token_embd.weight", n_vocab, N_EMBD)
    for i in range(N_LAYER):
        ones(f"blk.{i}.attn_norm.weight", N_EMBD)
        t(f"blk.{i}.attn_q.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_k.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_v.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_output.weight", N_EMBD, N_EMBD)
        ones(f"blk.{i}.ffn_norm.weight", N_EMBD)
        t(f"blk.{i}.ffn_gate.weight", N_FF, N_EMBD)
        t(f"blk.{i}.ffn_up.weight", N_FF, N_EMBD)
        t(f"blk.{i}.ffn_down.weight", N_EMBD, N_FF)
    ones("output_norm.weight", N_EMBD)
    t("output.weight", n_vocab, N_EMBD)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
