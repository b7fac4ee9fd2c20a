from conftest import invoke


def test_data_commands():
    listing = invoke("data", "list").output
    for name in ("ring8", "grid25", "spiral", "fashion-mnist", "mnist", "cifar10", "digits", "folder:PATH",
                 "points:FILE.csv"):
        assert name in listing
    assert "nothing to fetch" in invoke("data", "fetch", "digits").output
