"""Text understanding for Spanish and English social posts, fast on a CPU, offline.

``enrich(texts, hints)`` returns one ``Enrichment`` per text: language, sentiment, flag
(red/yellow/green/spam/none), spam and complaint scores, keywords. Pure Python + numpy
(no Django); models are small shipped arrays trained by ``python -m tertulia.nlp.train``.
"""

from tertulia.nlp.backends import get_backend, register_backend
from tertulia.nlp.keywords import batch_keywords
from tertulia.nlp.pipeline import FLAGS, SENTIMENTS, Enrichment, enrich

__all__ = [
    "FLAGS",
    "SENTIMENTS",
    "Enrichment",
    "batch_keywords",
    "enrich",
    "get_backend",
    "register_backend",
]
