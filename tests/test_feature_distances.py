import numpy as np
import pytest
import scipy.linalg
import torch

from gankit.metrics.feature_distances import (
    GaussianStats,
    frechet_distance,
    kernel_inception_distance,
    knn_radii,
    manifold_scores,
)


def gaussian(n, dim, seed, shift=0.0, scale=1.0):
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed)) * scale + shift


def random_stats(dim, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(dim, dim, generator=g, dtype=torch.float64)
    return GaussianStats(torch.randn(dim, generator=g, dtype=torch.float64), a @ a.T / dim, 100)


def test_frechet_distance_matches_a_direct_scipy_computation():
    for seed in range(3):
        a, b = random_stats(24, seed), random_stats(24, seed + 10)
        s1, s2 = a.cov.numpy(), b.cov.numpy()
        root = scipy.linalg.sqrtm(s1 @ s2).real
        expected = np.sum((a.mean.numpy() - b.mean.numpy()) ** 2) + np.trace(s1 + s2 - 2 * root)
        assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-4)


def test_frechet_distance_of_shifted_unit_gaussians_is_the_squared_shift():
    eye = torch.eye(8, dtype=torch.float64)
    mu = torch.arange(8, dtype=torch.float64) / 4
    assert frechet_distance(GaussianStats(torch.zeros(8, dtype=torch.float64), eye, 1),
                            GaussianStats(mu, eye, 1)) == pytest.approx(float(mu.pow(2).sum()), rel=1e-9)


def test_fid_is_zero_on_itself_and_grows_with_noise():
    features = gaussian(2000, 16, 0)
    stats = GaussianStats.of(features)
    assert frechet_distance(stats, stats) == pytest.approx(0.0, abs=1e-8)
    noisy = [frechet_distance(stats, GaussianStats.of(features + gaussian(2000, 16, 1, scale=s)))
             for s in (0.1, 0.3, 0.6, 1.0)]
    assert noisy == sorted(noisy) and noisy[0] > 0
    train_vs_test = frechet_distance(stats, GaussianStats.of(gaussian(2000, 16, 5)))  # same distribution
    uniform = torch.rand(2000, 16, generator=torch.Generator().manual_seed(6))
    vs_noise = frechet_distance(stats, GaussianStats.of(uniform))
    assert train_vs_test < vs_noise / 20


def test_kid_is_zero_within_noise_for_one_distribution_and_positive_for_two():
    rng = torch.Generator().manual_seed(0)
    same_mean, same_std = kernel_inception_distance(gaussian(1000, 16, 0), gaussian(1000, 16, 1), 50, 500, rng)
    assert abs(same_mean) < 2 * same_std
    apart_mean, apart_std = kernel_inception_distance(gaussian(1000, 16, 0), gaussian(1000, 16, 1, shift=0.5),
                                                      50, 500, rng)
    assert apart_mean > 10 * apart_std > 0


def test_precision_recall_density_coverage_on_identical_and_disjoint_sets():
    real = gaussian(500, 8, 0)
    same = manifold_scores(real, real)
    assert (same.precision, same.recall, same.coverage) == (1.0, 1.0, 1.0)
    disjoint = manifold_scores(real, gaussian(500, 8, 1, shift=100.0))
    assert (disjoint.precision, disjoint.recall, disjoint.density, disjoint.coverage) == (0.0, 0.0, 0.0, 0.0)
    fresh = manifold_scores(real, gaussian(500, 8, 2))  # another sample of the same distribution
    assert fresh.precision > 0.6 and fresh.recall > 0.6 and 0.7 < fresh.density < 1.3


def test_knn_radius_excludes_the_point_itself():
    points = torch.tensor([[0.0], [1.0], [3.0]])
    assert knn_radii(points, 1).tolist() == [1.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="need more than 3 points"):
        knn_radii(points, 3)


def test_manifold_scores_in_row_chunks_equal_the_whole_distance_matrix(monkeypatch):
    import gankit.metrics.feature_distances as fd

    real, fake = gaussian(300, 8, 3), gaussian(200, 8, 4, shift=0.3)
    d = torch.cdist(real, fake)  # the definitions, on the whole [Nr, Nf] matrix
    r3, r5 = torch.cdist(real, real).kthvalue(4, dim=1).values, torch.cdist(real, real).kthvalue(6, dim=1).values
    f3 = torch.cdist(fake, fake).kthvalue(4, dim=1).values
    expected = (float((d <= r3[:, None]).any(0).float().mean()), float((d <= f3[None, :]).any(1).float().mean()),
                float((d <= r5[:, None]).sum(0).float().mean() / 5), float((d <= r5[:, None]).any(1).float().mean()))
    monkeypatch.setattr(fd, "ROWS_PER_CHUNK", 7)  # many chunks, the last one short
    scores = manifold_scores(real, fake)
    assert (scores.precision, scores.recall, scores.density, scores.coverage) == pytest.approx(expected, abs=1e-6)
    assert 0 < scores.precision < 1 and 0 < scores.coverage < 1  # a case where every term matters
