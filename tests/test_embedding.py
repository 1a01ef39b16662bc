import numpy as np
import pytest

from assistant import Assistant
from assistant.settings import Settings
from ingest import Embedder
from ingest.index.vectors import EmbedderMismatch

CACHE = Settings().model_cache_dir
TEXTS = [
    "U.S. Commerce Secretary Howard Lutnick said China's export curbs on rare earths had been addressed.",
    "The Bank of England held interest rates at 5.25% for a third meeting in a row.",
    "Arsenal beat Chelsea 2-0 at the Emirates on Saturday.",
    "Google paid Apple billions to remain the default search engine on the iPhone.",
]


@pytest.fixture(scope="module")
def both():
    return Embedder(CACHE), Embedder(CACHE, quantized=False)


def test_int8_vectors_stay_close_to_fp32_and_rank_alike(both):
    int8, fp32 = both
    a, b = int8.embed(TEXTS), fp32.embed(TEXTS)
    assert a.dtype == np.float32 and a.shape == b.shape
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert (np.sum(a * b, axis=1) > 0.97).all()
    question = "What did Lutnick say about rare earth minerals?"
    for embedder, vectors in ((int8, a), (fp32, b)):
        scores = vectors @ embedder.embed_one(question)
        assert int(np.argmax(scores)) == 0


def test_a_texts_vector_does_not_depend_on_the_others_embedded_with_it(both):
    int8, _ = both
    alone = int8.embed_one(TEXTS[0])
    together = int8.embed([*TEXTS[::-1], "short"])[3]
    assert np.array_equal(alone, together)


def test_an_index_refuses_vectors_from_another_embedder_and_keeps_its_own(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Lutnick said the rare earth curbs had been addressed as part of the framework.")
    assert Assistant(tmp_path / "index").ingest(path).ok
    with pytest.raises(EmbedderMismatch, match="fp32"):
        Assistant(tmp_path / "index", embedding_quantized=False)
    assert Assistant(tmp_path / "index").search("rare earth curbs", k=1)[0].doc_id == "a"
