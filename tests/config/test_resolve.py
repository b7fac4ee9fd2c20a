from gankit.config import ModelConfig, net_family


def test_auto_picks_the_mlp_for_points_and_dcgan_or_the_recipes_nets_for_images():
    assert net_family(ModelConfig(), "points") == "mlp" and net_family(ModelConfig(), "image") == "dcgan"
    assert net_family(ModelConfig(recipe="modern"), "image") == "r3gan"
    assert net_family(ModelConfig(net="resnet"), "points") == "resnet"  # a named family is taken as it is
