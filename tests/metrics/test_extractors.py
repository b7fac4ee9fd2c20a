from gankit.config import DataConfig
from gankit.metrics.extractors import FEATURE_EXTRACTORS


def test_both_feature_spaces_are_registered_and_the_classifier_one_builds_from_the_data(tmp_path):
    assert FEATURE_EXTRACTORS.names() == ["classifier", "inception"]
    extractor = FEATURE_EXTRACTORS.get("classifier")(DataConfig(name="digits"), tmp_path)
    assert extractor.card["extractor"] == "classifier:digits" and extractor.classes == [str(i) for i in range(10)]
    assert extractor.cache_key == extractor.card["extractor_sha256"][:16]
