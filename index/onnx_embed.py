"""The bundled MiniLM on ONNX Runtime: exported once into the index dir, fp32 or int8."""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, PrivateAttr

from index.embed import MODEL_NAME, TextsEmbedding

# Bump when the exported graph changes, so indexes holding an older export get a fresh one.
EXPORT_VERSION = 1
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def model_file(models_dir: Path, quantized: bool) -> Path:
    """Where the exported (or int8-quantized) model lives under `models_dir`."""
    return models_dir / f"minilm-v{EXPORT_VERSION}{'-int8' if quantized else ''}.onnx"


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Run `write(temp)` beside `target`, then rename: readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        os.replace(temp, target)  # two processes exporting at once: the last identical copy wins
    finally:
        temp.unlink(missing_ok=True)


def export_fp32(target: Path, weights: str) -> None:
    """Export MiniLM with mean pooling and L2 normalisation inside the graph (torch, once)."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar would interrupt `qa` output
    try:
        bert = AutoModel.from_pretrained(weights, attn_implementation="eager").eval()
    finally:
        if shown:
            hf_logging.enable_progress_bar()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    ids = torch.ones(2, 16, dtype=torch.long)
    mask = ids.clone()
    mask[1, 9:] = 0  # a padded row, so the traced graph keeps the attention-mask path
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with warnings.catch_warnings(), torch.no_grad():
        # the TorchScript exporter is deprecated but needs no onnxscript; it warns loudly
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(),
            (ids, mask, torch.zeros_like(ids)),
            str(target),
            dynamo=False,
            input_names=list(INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
        )


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantization of the fp32 export's weights."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # per-channel scales: on news passages cosine to fp32 0.991 mean, 0.974 worst; per-tensor
    # scales gave 0.953 mean, 0.76 worst (measured on 125 texts)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it advises a pre-processing step on the root logger
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def ensure_model(models_dir: Path, quantized: bool, weights: str) -> Path:
    """The exported model file, exporting (and quantizing) it on first use only."""
    fp32 = model_file(models_dir, quantized=False)
    if not fp32.exists():
        write_atomically(fp32, lambda temp: export_fp32(temp, weights))
    if not quantized:
        return fp32
    int8 = model_file(models_dir, quantized=True)
    if not int8.exists():
        write_atomically(int8, lambda temp: quantize_int8(fp32, temp))
    return int8


def length_batches(
    lengths: Sequence[int], batch_size: int, min_fill: float = 0.7
) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first), so little is padding.

    A batch also ends where a text is shorter than `min_fill` of the batch's longest: one long
    sentence among twenty short ones would otherwise pad them all to its length.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        last = batches[-1] if batches else None
        if last and len(last) < batch_size and lengths[i] >= min_fill * lengths[last[0]]:
            last.append(i)
        else:
            batches.append([i])
    return batches


class OnnxEmbedding(TextsEmbedding):
    """all-MiniLM-L6-v2 on ONNX Runtime: same vectors as sentence-transformers, no torch."""

    model_path: str = Field(description="The .onnx file (fp32 or int8).")
    max_length: int = Field(256, description="Word pieces kept per text, as sentence-transformers.")
    # Two threads nearly double throughput on an idle 2-core machine (11 -> 17-21 chunks/s of
    # ~200 word pieces); idle threads sleep (no spinning), so a busy machine loses little.
    threads: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 4),
        description="ONNX Runtime intra-op threads.",
    )
    bucket: bool = Field(True, description="Batch texts of similar length together.")
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, model_path: str, tokenizer_path: str, **kwargs: Any) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        kwargs.setdefault("model_name", MODEL_NAME)
        super().__init__(model_path=model_path, **kwargs)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on shared cores spinning steals others' time.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            model_path, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(tokenizer_path)
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.no_padding()

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    @classmethod
    def from_weights(
        cls, models_dir: Path, weights: str, quantized: bool = False, **kwargs: Any
    ) -> OnnxEmbedding:
        """Export (first use only) the weights in `weights` into `models_dir` and load them."""
        path = ensure_model(models_dir, quantized, weights)
        return cls(str(path), os.path.join(weights, "tokenizer.json"), **kwargs)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit-length vectors of `texts`, in order."""
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        if self.bucket:
            batches = length_batches(lengths, self.embed_batch_size)
        else:
            n = self.embed_batch_size
            batches = [list(range(i, min(i + n, len(texts)))) for i in range(0, len(texts), n)]
        vectors: list[Any] = [None] * len(texts)
        for batch in batches:
            width = max(lengths[i] for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            (out,) = self._session.run(None, feed)
            for row, i in enumerate(batch):
                vectors[i] = out[row].tolist()
        return vectors
