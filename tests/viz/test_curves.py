

def test_layers_sort_by_depth():
    from gankit.viz.curves import depth_key

    names = ["head", "body.10", "body.2", "embed", "body.0"]
    assert sorted(names, key=depth_key) == ["body.0", "body.2", "body.10", "embed", "head"]
