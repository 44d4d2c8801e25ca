"""The openai provider against a real HTTP server speaking the chat-completions protocol.

No mocks between `build_chat_model` and the socket: langchain-openai, the openai SDK, its
HTTP client, SSE parsing and retries all run, so an upgrade that changes the wire shows here.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from copilot.agent.models import build_chat_model
from copilot.config import get_settings
from copilot.errors import UserError
from tests.support.openai_server import OpenAIServer, Reply

API_KEY = "sk-test-123"
FAST_RETRY = {"retry-after-ms": "20"}  # the SDK honours it; keeps retry tests quick


class MemberMetricsArgs(BaseModel):
    """Arguments of a tool like the real member_metrics."""

    store: str = Field(description="门店编号,如 S001")
    days: int = Field(30, ge=1, le=365, description="统计最近多少天")


def _member_metrics(store: str, days: int = 30) -> str:
    return f"{store}: {days} 天"


METRICS_TOOL = StructuredTool.from_function(
    _member_metrics, name="member_metrics", description="查看一家门店的会员指标。",
    args_schema=MemberMetricsArgs)


def _model(server: OpenAIServer, **overrides: Any):
    values: dict[str, Any] = {"llm_provider": "openai", "llm_base_url": server.url,
                              "llm_model": "test-model", "llm_api_key": API_KEY}
    return build_chat_model(get_settings(**{**values, **overrides}))


def test_invoke_non_streaming_returns_text_and_usage(server: OpenAIServer) -> None:
    server.script(Reply.text("你好,店长!今天有 3 位沉睡会员回来了。"))
    msg = _model(server).invoke("你好", stream=False)
    assert isinstance(msg, AIMessage)
    assert msg.content == "你好,店长!今天有 3 位沉睡会员回来了。"
    body = server.chat_requests[0].body
    assert body is not None and body["stream"] is False and "stream_options" not in body
    assert body["messages"] == [{"role": "user", "content": "你好"}]
    usage = msg.usage_metadata
    assert usage is not None and usage["total_tokens"] == usage["input_tokens"] + usage[
        "output_tokens"] and usage["output_tokens"] > 0


def test_plain_invoke_streams_because_the_model_is_built_streaming(server) -> None:
    server.script(Reply.text("流式也能拼回整句。"))
    msg = _model(server).invoke("hi")
    assert msg.content == "流式也能拼回整句。"
    body = server.chat_requests[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert msg.usage_metadata is not None and msg.usage_metadata["output_tokens"] > 0


def test_stream_yields_several_chunks_that_join_to_the_text(server: OpenAIServer) -> None:
    text = "本周复购率 23.5%,比上周高 1.2 个点。"
    server.script(Reply.text(text))
    chunks = list(_model(server).stream([HumanMessage("复购率怎么样?")]))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    pieces = [c.content for c in chunks if c.content]
    assert len(pieces) >= 3 and "".join(pieces) == text
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert total.content == text
    assert total.usage_metadata is not None and total.usage_metadata["input_tokens"] > 0
    assert total.response_metadata.get("finish_reason") == "stop"


def test_request_carries_key_model_and_temperature(server: OpenAIServer) -> None:
    server.script(Reply.text("ok"))
    _model(server).invoke("hi")
    (req,) = server.requests
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.headers["authorization"] == f"Bearer {API_KEY}"
    assert req.headers["content-type"].startswith("application/json")
    assert req.body is not None and req.body["model"] == "test-model"
    assert req.body["temperature"] == 0


def test_missing_key_still_sends_a_placeholder_bearer(server: OpenAIServer) -> None:
    """Ollama and vLLM take any key, but the SDK refuses to run without one."""
    server.script(Reply.text("ok"))
    _model(server, llm_api_key=None).invoke("hi")
    assert server.requests[0].headers["authorization"] == "Bearer not-needed"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_bound_tool_schema_is_sent_and_tool_calls_parsed(server: OpenAIServer,
                                                         stream: bool) -> None:
    server.script(Reply.tool_calls([("member_metrics", {"store": "S001", "days": 7}),
                                    ("member_metrics", {"store": "门店-二"})]))
    msg = _model(server).bind_tools([METRICS_TOOL]).invoke("S001 和门店二最近怎样?",
                                                            stream=stream)
    assert server.chat_requests[0].body["stream"] is stream
    (tool,) = server.chat_requests[0].body["tools"]
    assert tool["type"] == "function"
    fn = tool["function"]
    assert fn["name"] == "member_metrics" and fn["description"] == "查看一家门店的会员指标。"
    params = fn["parameters"]
    assert params["type"] == "object" and params["required"] == ["store"]
    assert params["properties"]["store"] == {"type": "string", "description": "门店编号,如 S001"}
    assert params["properties"]["days"]["type"] == "integer"
    assert params["properties"]["days"]["maximum"] == 365
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [
        ("member_metrics", {"store": "S001", "days": 7}),
        ("member_metrics", {"store": "门店-二"})]
    ids = [c["id"] for c in msg.tool_calls]
    assert all(ids) and len(set(ids)) == 2
    assert msg.response_metadata.get("finish_reason") == "tool_calls"
    assert not msg.invalid_tool_calls


def test_text_and_tool_call_in_one_streamed_reply(server: OpenAIServer) -> None:
    server.script(Reply.tool_calls([("member_metrics", {"store": "S002"})], text="我先查一下。"))
    chunks = list(_model(server).bind_tools([METRICS_TOOL]).stream("S002?"))
    arg_pieces = [tc["args"] for c in chunks for tc in c.tool_call_chunks if tc["args"]]
    assert len(arg_pieces) >= 2  # the arguments really arrived in fragments
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert total.content == "我先查一下。"
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [
        ("member_metrics", {"store": "S002"})]


def test_tool_results_go_back_as_tool_messages(server: OpenAIServer) -> None:
    def responder(body: dict[str, Any]) -> Reply:
        if body["messages"][-1]["role"] == "tool":
            return Reply.text(f"查到了:{body['messages'][-1]['content']}")
        return Reply.tool_calls([("member_metrics", {"store": "S001"})])

    server.responder = responder
    model = _model(server).bind_tools([METRICS_TOOL])
    history: list[Any] = [HumanMessage("S001 怎样?")]
    first = model.invoke(history)
    (call,) = first.tool_calls
    result = METRICS_TOOL.invoke(call["args"])
    history += [first, ToolMessage(result, tool_call_id=call["id"])]
    second = model.invoke(history)
    assert second.content == "查到了:S001: 30 天" and not second.tool_calls
    sent = server.chat_requests[1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    (echoed,) = sent[1]["tool_calls"]
    assert echoed["id"] == call["id"] and echoed["function"]["name"] == "member_metrics"
    assert sent[2] == {"role": "tool", "tool_call_id": call["id"], "content": "S001: 30 天"}


def test_async_invoke_and_tool_calls(server: OpenAIServer) -> None:
    server.script(Reply.text("异步也行。"), Reply.tool_calls([("member_metrics", {"store": "S9"})]))
    model = _model(server)

    async def run() -> tuple[AIMessage, AIMessage]:
        text = await model.ainvoke("hi")
        tools = await model.bind_tools([METRICS_TOOL]).ainvoke("S9?", stream=False)
        return text, tools

    text, tools = asyncio.run(run())
    assert text.content == "异步也行。"
    assert tools.tool_calls[0]["args"] == {"store": "S9"}
    assert [r.body["stream"] for r in server.chat_requests] == [True, False]


def test_401_raises_authentication_error_without_retry(server: OpenAIServer) -> None:
    server.script(Reply.http_error(401))
    with pytest.raises(openai.AuthenticationError) as info:
        _model(server).invoke("hi")
    assert info.value.status_code == 401
    assert info.value.code == "invalid_api_key"
    assert "Incorrect API key" in str(info.value)
    assert len(server.requests) == 1  # auth failures are not retried


def test_500_is_retried_once_then_raised(server: OpenAIServer) -> None:
    server.script(Reply.http_error(500, headers=FAST_RETRY),
                  Reply.http_error(500, headers=FAST_RETRY), Reply.text("never reached"))
    with pytest.raises(openai.InternalServerError) as info:
        _model(server).invoke("hi")
    assert info.value.status_code == 500
    assert len(server.requests) == 2  # max_retries=1: the first try and one retry


def test_429_then_success_recovers_on_the_retry(server: OpenAIServer) -> None:
    server.script(Reply.http_error(429, headers=FAST_RETRY), Reply.text("第二次成功"))
    assert _model(server).invoke("hi").content == "第二次成功"
    assert len(server.requests) == 2


def test_timeout_setting_reaches_the_client(server: OpenAIServer) -> None:
    server.script(Reply.text("太慢了", delay_s=5), Reply.text("还是太慢", delay_s=5))
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        _model(server, llm_timeout_s=0.3).invoke("hi")
    assert time.monotonic() - start < 4  # gave up long before the server answered
    assert len(server.requests) == 2  # a timeout is retried once too


def test_models_endpoint_and_unknown_paths(server: OpenAIServer) -> None:
    client = openai.OpenAI(base_url=server.url, api_key=API_KEY, max_retries=0)
    assert [m.id for m in client.models.list()] == ["test-model"]
    with pytest.raises(openai.NotFoundError):
        client.completions.create(model="test-model", prompt="hi")
    assert server.requests[-1].path == "/v1/completions"


def test_sse_wire_format(server: OpenAIServer) -> None:
    """What real clients parse: data lines, role first, usage chunk, then [DONE]."""
    server.script(Reply.tool_calls([("member_metrics", {"store": "S1"})], text="好的"))
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True,
            "stream_options": {"include_usage": True}}
    with httpx.Client(trust_env=False) as client:
        resp = client.post(f"{server.url}/chat/completions", json=body)
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = [e for e in resp.text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    head = next(c["choices"][0]["delta"]["tool_calls"][0] for c in chunks
                if c["choices"] and "tool_calls" in c["choices"][0]["delta"])
    assert head["function"] == {"name": "member_metrics", "arguments": ""} and head["id"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


def test_unscripted_request_fails_fast_and_responder_errors_are_kept(server) -> None:
    with pytest.raises(openai.BadRequestError, match="no scripted reply left"):
        _model(server).invoke("hi")
    server.responder = lambda body: Reply.text(body["no-such-key"])
    with pytest.raises(openai.BadRequestError, match="responder raised KeyError"):
        _model(server).invoke("hi")
    assert len(server.requests) == 2 and "KeyError" in server.errors.pop()


def test_openai_without_base_url_is_a_user_error() -> None:
    with pytest.raises(UserError) as info:
        build_chat_model(get_settings(llm_provider="openai", llm_model="test-model"))
    assert "COPILOT_LLM_BASE_URL" in info.value.zh and "需要" in info.value.zh
    assert info.value.message("zh") == str(info.value)
    assert "COPILOT_LLM_BASE_URL" in info.value.message("en")
