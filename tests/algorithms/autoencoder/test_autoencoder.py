from gankit.algorithms.autoencoder import AE, RAE, VAE
from gankit.config import Config


def test_each_samples_from_its_own_density_and_only_the_rae_has_the_image_recipe():
    assert [f.defaults["vae.latent_density"] for f in (AE, VAE, RAE)] == ["gaussian", "prior", "gmm"]
    assert RAE.has_recipe and not VAE.has_recipe
    modern = Config().override({"model.algorithm": "rae", "model.recipe": "modern", "train.steps": 500})
    assert RAE.net(modern, "image") == "dcgan" and RAE.net(modern, "points") == "mlp"
    layers = dict(RAE.default_layers(modern, toy=False))
    assert layers["recipe modern"]["optim.decay_steps"] == 500
    assert "recipe modern" not in dict(RAE.default_layers(modern, toy=True))
