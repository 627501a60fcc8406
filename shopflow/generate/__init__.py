"""Sample data: realistic, seeded batch directories plus their ground truth (SPEC section 5)."""

from shopflow.generate.config import GenerationConfig, GenerationSummary
from shopflow.generate.run import generate

__all__ = ["GenerationConfig", "GenerationSummary", "generate"]
