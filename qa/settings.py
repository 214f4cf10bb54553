"""One settings object, read from `QA_*` environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_TOP_K = 100  # the most passages a question may be given, wherever it is asked


class Settings(BaseSettings):
    """Every knob of article-qa; each field is the env var `QA_<FIELD>`."""

    # an empty variable (QA_LLM=) counts as unset
    model_config = SettingsConfigDict(
        env_prefix="QA_", extra="forbid", frozen=True, env_ignore_empty=True
    )

    index_dir: Path = Field(
        Path(".qa-index"), description="Where the embedded Chroma store and the lexical index live."
    )
    collection: str = Field(
        "articles", description="Chroma collection name; one server can hold several corpora."
    )
    chroma_url: str | None = Field(
        None,
        description="http://host:port of a Chroma server; unset = embedded store in index_dir.",
    )
    embed: Literal["onnx", "onnx-int8", "local", "openai"] = Field(
        "onnx",
        description="Embedder: the bundled all-MiniLM-L6-v2 on ONNX Runtime (exported once into index_dir/models), its int8 quantization, the same model on torch (local), or the OpenAI embeddings API.",
    )
    openai_embed_model: str = Field(
        "text-embedding-3-small",
        description="Model sent to the OpenAI(-compatible) embeddings API when embed=openai (key and url: OPENAI_API_KEY, OPENAI_BASE_URL).",
    )
    embed_batch_size: int = Field(32, gt=0, description="Chunks embedded per model call.")
    ingest_batch: int = Field(
        256,
        gt=0,
        description="Chunks embedded and written per ingest step; a crash redoes at most one step.",
    )
    chunk_size: int = Field(
        192,
        gt=0,
        description="Chunk size in MiniLM word pieces, title included (the model truncates at 256).",
    )
    chunk_overlap: int = Field(32, ge=0, description="Word pieces shared by neighbouring chunks.")
    rerank_weight: float = Field(
        0.5,
        ge=0,
        description="Weight of best-sentence coverage of the question's rare words when re-ranking fused passages (0 = off).",
    )
    sentence_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the MiniLM similarity of each passage's best-covering sentences when re-ranking (0 = off: faster).",
    )
    sentence_depth: int = Field(
        10,
        ge=0,
        description="How many of the fused passages (best first) have their key sentence embedded for the sentence re-rank; fewer is faster.",
    )
    repeat_penalty: float = Field(
        0.5,
        ge=0,
        description="Re-rank score a passage loses for each passage of the same article ranked above it, so the top passages span more articles (0 = off).",
    )
    fusion: Literal["rrf", "relative"] = Field(
        "relative",
        description="How dense and BM25 rankings are fused: by min-max scaled score (relative: the size of a lead counts) or by rank (rrf).",
    )
    source_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the extra searches within each source a question names (0 = off).",
    )
    recency_weight: float = Field(
        0.8,
        ge=0,
        description="Re-rank lift of an article published on the day a question is asked (as_of, default today), halved every recency_half_life days (0 = off).",
    )
    recency_half_life: float = Field(
        30.0, gt=0, description="Days after which an article's recency lift is halved."
    )
    stale_days: int = Field(
        30,
        ge=0,
        description="A question about recent news ('this week', 'recently') asked as of a given day (as_of) is refused when the newest of its top 3 passages' articles is older than this many days on that day (0 = off).",
    )
    top_k: int = Field(5, gt=0, le=MAX_TOP_K, description="Passages handed to the answerer.")
    llm: Literal["extractive", "openai"] = Field(
        "extractive", description="Answerer: extractive (offline) or an OpenAI-compatible LLM."
    )
    llm_model: str = Field(
        "gpt-4o-mini", description="Model name sent to the OpenAI-compatible endpoint."
    )
    llm_timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds before an LLM request is abandoned (then the extractive answer is used).",
    )
    llm_max_tokens: int = Field(
        512, gt=0, description="Most tokens the LLM may generate for one answer."
    )
    llm_allow_unsupported: bool = Field(
        False, description="Show an LLM answer no passage supports, flagged, instead of refusing."
    )
    min_score: float = Field(
        0.66,
        ge=0,
        le=1,
        description="Extractive refusal threshold on the refusal model's 0-1 score that the passages answer the question (qa/refusal_model.py; not a calibrated probability); lower answers more.",
    )
    min_on_topic: float = Field(
        0.27,
        ge=0,
        lt=1,
        description="Extractive refusal of a question asked afresh that the off-topic model (qa/refusal_model.py) scores below this, unless a sentence holds all its words (0 = off).",
    )
    min_similarity: float = Field(
        0.25,
        ge=0,
        lt=1,
        description="Extractive refusal when no candidate sentence's MiniLM similarity to the question reaches this and none holds all of its words (0 = off).",
    )
    spelling: bool = Field(
        True,
        description="Correct a question's misspelled words to words the index holds before searching (qa/spelling.py).",
    )
    max_file_mb: float = Field(
        20.0, gt=0, description="Files larger than this are refused, not read."
    )
    debug: bool = Field(False, description="Show tracebacks in the CLI.")
    auth: SecretStr | None = Field(
        None, description="user:password the web UI asks for; required with a non-loopback --host."
    )
    api_token: SecretStr | None = Field(
        None,
        description="Bearer token the HTTP API requires when set; required with a non-loopback --host.",
    )
    allowed_hosts: str = Field(
        "",
        description="Host names, comma-separated, that a loopback server answers besides localhost (a reverse proxy's public name).",
    )

    @model_validator(mode="after")
    def _overlap_within_chunk(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"QA_CHUNK_OVERLAP ({self.chunk_overlap}) must be smaller than QA_CHUNK_SIZE "
                f"({self.chunk_size})"
            )
        return self

    @property
    def chroma_dir(self) -> Path:
        """Directory of the embedded Chroma store."""
        return self.index_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        """Directory of the BM25 index for the current collection."""
        return self.index_dir / "lexical" / self.collection


# read outside Settings: by `qa eval` (its index cache) and by the benchmarks
OTHER_VARIABLES = frozenset(["QA_EVAL_CACHE"])


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """The `QA_*` variables set that no setting reads (a misspelt one is otherwise ignored)."""
    known = {f"QA_{name.upper()}" for name in Settings.model_fields} | OTHER_VARIABLES
    return sorted(k for k in environ if k.startswith("QA_") and k not in known)


def settings_error(exc: ValidationError) -> str:
    """A bad `QA_*` variable's name, the value given and what it should be, in one line."""
    parts = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else ""
        name = f"QA_{field.upper()}" if field else "a QA_ variable"
        if error.get("type") == "extra_forbidden":
            parts.append(f"{name} is not a setting of article-qa")
            continue
        if not field:  # a check across settings names them itself
            parts.append(str(error["msg"]).removeprefix("Value error, "))
            continue
        given = error.get("input")
        said = f"={given}" if isinstance(given, str | int | float) else ""
        parts.append(f"{name}{said}: {error['msg']}")
    return "; ".join(parts) + " (the README's Configuration table lists the settings)"
