"""One Settings object for the whole product, read from `COPILOT_*` environment variables.

Created by `get_settings()` on demand, never at import, so tests and commands can point
`COPILOT_DATA_DIR` (or any other setting) somewhere else before anything is opened.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(user_data_dir("ops-copilot", appauthor=False))


class MetricWindows(BaseSettings):
    """Windows the metric definitions depend on; shown to users inside each definition."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_METRIC_", env_file=".env",
                                      extra="ignore")

    churn_days: int = Field(180, ge=1, le=3650, description="无消费超过多少天算流失")
    conversion_days: int = Field(30, ge=1, le=365, description="入会后多少天内首购算转化")
    # Consumption-interval groups by days since last purchase (seeds: ~1, ~3, ~6 months).
    core_days: int = Field(30, ge=1, le=3650)
    potential_days: int = Field(90, ge=1, le=3650)
    ordinary_days: int = Field(180, ge=1, le=3650)
    # An RFM dimension counts as "high" when its 1-5 score is at least this.
    rfm_high_score: int = Field(3, ge=1, le=5)

    @model_validator(mode="after")
    def _increasing(self) -> MetricWindows:
        if not self.core_days < self.potential_days < self.ordinary_days:
            raise ValueError("core_days < potential_days < ordinary_days is required "
                             f"(got {self.core_days}, {self.potential_days}, {self.ordinary_days})")
        return self


class FollowupRules(BaseSettings):
    """The lifecycle service standard behind "今天我该联系谁" (seeds: 服务标准)."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_FOLLOWUP_", env_file=".env",
                                      extra="ignore")

    # Days after a purchase at which staff reach out: relationship (1, 7, 15), second
    # purchase (30, 45), invitation back (60, 90, 120).
    days: list[int] = Field(default_factory=lambda: [1, 7, 15, 30, 45, 60, 90, 120])
    birthday_days: int = Field(7, ge=0, le=60, description="生日提醒提前天数")
    # "Close to the next tier": 365-day spend at least this share of the next threshold.
    tier_near_share: float = Field(0.8, gt=0, lt=1)

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if not v or any(d < 1 or d > 3650 for d in v):
            raise ValueError("follow-up days must be 1..3650 and at least one")
        return sorted(set(v))


def _default_rates() -> dict[str, float]:
    return {"wecom_customer": 20.0, "wecom_group": 5.0, "sms": 100.0, "slack_dm": 20.0}


class CampaignRules(BaseSettings):
    """What every campaign must respect, at scheduling and again at sending."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_CAMPAIGN_", env_file=".env",
                                      extra="ignore")

    # No marketing message between these times (seeds: 09:00–21:00 is the sending window).
    quiet_start: time = time(21, 0)
    quiet_end: time = time(9, 0)
    # A campaign reaching more members than this also waits for a supervisor's approval.
    approval_audience: int = Field(1000, ge=0)
    # Per member and channel; empty = no such cap. WeCom's own rule (a customer receives at
    # most as many mass messages a month as the month has days) always applies to WeCom.
    daily_cap: int | None = Field(None, ge=1)
    weekly_cap: int | None = Field(None, ge=1)
    # Messages a second per channel, so a platform's rate limit is never hit.
    send_rate: dict[str, float] = Field(default_factory=_default_rates)
    # Yuan per SMS segment (70 characters), for the preview's estimated cost; WeCom and
    # Slack messages cost nothing per message.
    sms_price: float = Field(0.045, ge=0)
    # Dispatch: recipients a worker claims at once, how long a claim lasts before another
    # worker may take it over (a worker that died), and tries per recipient.
    batch_size: int = Field(500, ge=1, le=10_000)
    claim_lease_s: int = Field(60, ge=5, le=3600)
    max_attempts: int = Field(3, ge=1, le=20)
    # SMS: "outbox" writes each message to the sms_outbox table, where a provider's
    # connector (or a person) picks it up; nothing is sent over the network.
    sms_provider: Literal["outbox"] = "outbox"
    # Slack DM is for internal tests: every recipient's message goes to this Slack user.
    slack_test_user: str | None = None

    @field_validator("send_rate")
    @classmethod
    def _rates(cls, v: dict[str, float]) -> dict[str, float]:
        if any(r <= 0 for r in v.values()):
            raise ValueError("send rates must be positive")
        return v


def _default_tiers() -> dict[str, float]:
    return {"银卡": 2_000.0, "金卡": 8_000.0, "钻石卡": 20_000.0}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPILOT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    # The stores' clock: "today", send times and quiet hours are their wall-clock time,
    # whatever zone the server runs in (servers often run in UTC).
    timezone: str = "Asia/Shanghai"
    # Member data: empty means the embedded DuckDB file under data_dir.
    database_url: str | None = None
    language: str = Field("zh", pattern="^(zh|en)$")
    # Knowledge index: a Chroma server when set (e.g. http://127.0.0.1:8000), else a local
    # PersistentClient under data_dir/chroma.
    chroma_url: str | None = None
    playbooks_dir: Path | None = None  # default: the playbooks shipped with the package
    # Embeddings: empty base URL = the offline hashing embedder; else an OpenAI-compatible API.
    embedding_base_url: str | None = None
    embedding_model: str = "text-embedding-3-small"
    embedding_api_key: str | None = None
    metrics: MetricWindows = Field(default_factory=MetricWindows)
    followup: FollowupRules = Field(default_factory=FollowupRules)
    campaign: CampaignRules = Field(default_factory=CampaignRules)
    # Tier → the 365-day spend (yuan) that reaches it; the lowest tier (普卡) needs nothing.
    tier_thresholds: dict[str, float] = Field(default_factory=_default_tiers)
    # Operational state (audit log, saved segments): empty = SQLite under data_dir.
    state_url: str | None = None
    # The chat model: "offline" (built in, no network) or "openai" (any OpenAI-compatible
    # chat-completions endpoint: OpenAI, DeepSeek, DashScope, Moonshot, Zhipu, Ollama, vLLM).
    llm_provider: Literal["offline", "openai"] = "offline"
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = Field(60.0, gt=0, le=600)
    # Conversation history sent to an LLM, counted with tiktoken (the offline model reads
    # all of it).
    history_tokens: int = Field(6000, ge=500, le=200_000)
    # How long an action waits for the requester's "确认" before it is cancelled.
    confirm_ttl_s: int = Field(1800, ge=0, le=7 * 86400)
    # The HTTP API trusts a staff id only with this bearer token (empty: this machine only).
    api_token: str | None = None
    # Who `copilot ask`/`chat` speak as when --as is not given (the demo's store manager).
    staff_id: str = "E0001"
    # Conversation memory (LangGraph checkpoints): empty = SQLite under data_dir.
    memory_url: str | None = None
    # Chat channels: each is on only when its credentials are set; nothing is contacted
    # at start-up. The API URLs exist so tests (and proxies) can point elsewhere.
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None  # xapp-…: Socket Mode, for teams without a public URL
    slack_api_url: str = "https://slack.com/api/"
    wecom_corp_id: str | None = None
    wecom_token: str | None = None
    wecom_aes_key: str | None = None  # EncodingAESKey, 43 characters
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None
    wecom_api_url: str = "https://qyapi.weixin.qq.com"
    # Callbacks whose timestamp is further than this from now are refused (a replay of a
    # captured request, once its MsgId has been forgotten); 0 = off.
    wecom_max_skew_s: int = Field(300, ge=0, le=86400)
    wecom_webhook_url: str | None = None  # a group robot, for posting drafts to a group
    # Worker processes answering agent turns behind `copilot serve` (empty: one per CPU
    # core, at most 4; 0: in the service process itself).
    agent_processes: int | None = Field(None, ge=0, le=64)
    # Agent turns one process runs at once; more wait their turn in order.
    turn_concurrency: int = Field(4, ge=1, le=256)
    # The campaign queue: empty = an SQLite file under data_dir (one machine, no server);
    # redis://host:6379/0 = Redis, for workers on several machines.
    queue_url: str | None = None
    # Turns one person may start per minute in the chat channels and the console.
    channel_rate_per_min: int = Field(20, ge=1, le=10_000)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (e.g. Asia/Shanghai)") from None
        return v

    def now(self) -> datetime:
        """The stores' wall-clock time now, naive like every timestamp we store."""
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(self.timezone)).replace(tzinfo=None, microsecond=0)

    def today(self) -> date:
        """The stores' day: what "今天", "上个月" and a send time's day are relative to."""
        return self.now().date()

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token)

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_token and self.wecom_aes_key)

    @property
    def member_db_path(self) -> Path:
        return self.data_dir / "members.duckdb"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def state_db_url(self) -> str:
        return self.state_url or f"sqlite:///{self.data_dir / 'state.db'}"

    @property
    def memory_db_url(self) -> str:
        """postgresql://… for a shared server, else the path of the local SQLite file."""
        return self.memory_url or str(self.data_dir / "memory.db")

    @property
    def member_db_url(self) -> str:
        return self.database_url or f"duckdb:///{self.member_db_path}"


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment; keyword overrides win (used by CLI flags, tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
