"""Generation settings and the OpenAI-compatible client's failures (no model is loaded)."""

from __future__ import annotations

import pytest
from conftest import make_settings
from servers import free_port

from rag.errors import RagError, ServerUnreachableError
from rag.llm import RemoteLLM, llama_options, sampling


def test_greedy_at_temperature_zero_and_seeded_always():
    assert sampling(0.0) == {"temperature": 0.0, "top_p": 1.0, "top_k": 1, "repeat_penalty": 1.05, "seed": 0}
    assert sampling(0.7)["top_k"] == 40 and sampling(0.7)["seed"] == 0


def test_llama_options_follow_the_settings(tmp_path):
    options = llama_options(make_settings(tmp_path, n_ctx=2048, n_threads=3))
    assert options["n_ctx"] == 2048 and options["n_threads"] == options["n_threads_batch"] == 3
    assert options["verbose"] is False


def test_an_unreachable_server_is_one_error_without_the_password():
    llm = RemoteLLM(f"http://alice:s3cret@127.0.0.1:{free_port()}", "any-model", timeout=5)
    assert llm.endpoint.endswith("/v1/chat/completions") and "s3cret" not in llm.shown
    with pytest.raises(ServerUnreachableError, match="cannot reach the LLM server") as caught:
        list(llm.stream([{"role": "user", "content": "hi"}], 8, 0.0))
    assert isinstance(caught.value, RagError) and "s3cret" not in str(caught.value)
    assert RemoteLLM("http://127.0.0.1:9/v1", "m").endpoint == "http://127.0.0.1:9/v1/chat/completions"
