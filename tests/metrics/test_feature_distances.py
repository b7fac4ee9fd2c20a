
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


def test_fid_pinned_on_a_small_hand_computed_case_with_the_unbiased_covariance():
    # 1-D features: a = (0, 2) has mean 1 and unbiased variance 2; b = (1, 5) has mean 3 and variance 8.
    # FID = (1 - 3)² + 2 + 8 - 2·sqrt(2·8) = 4 + 10 - 8 = 6 (with the biased covariance it would be 4 + 1 + 4 - 4 = 5)
    a, b = torch.tensor([[0.0], [2.0]]), torch.tensor([[1.0], [5.0]])
    assert frechet_distance(GaussianStats.of(a), GaussianStats.of(b)) == pytest.approx(6.0, abs=1e-12)


def test_fid_matches_the_reference_implementations_formula_on_the_same_features():
    # pytorch-fid / TTUR: mu, sigma = np.mean(f, axis=0), np.cov(f, rowvar=False); then the Fréchet distance
    a, b = gaussian(40, 6, 7).numpy(), gaussian(30, 6, 8, shift=0.4, scale=1.3).numpy()
    mu1, mu2, s1, s2 = a.mean(0), b.mean(0), np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
    found = frechet_distance(GaussianStats.of(torch.from_numpy(a)), GaussianStats.of(torch.from_numpy(b)))
    assert found == pytest.approx(expected, rel=1e-6)


def test_kid_equals_the_unbiased_mmd_written_out_on_a_tiny_case():
    x, y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), torch.tensor([[0.0, 0.0], [2.0, 1.0], [1.0, 2.0]])

    def k(u, v):
        return (float(u @ v) / 2 + 1) ** 3

    m = 3
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / m**2
    mean, _ = kernel_inception_distance(x, y, subsets=1, subset_size=3, generator=torch.Generator().manual_seed(0))
    assert mean == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_precision_recall_count_the_kth_neighbour_ball_exactly():
    # reals at 0, 1, 2, 3, 10 on a line: with k = 3 the radii are 3, 2, 2, 3, 9 (the 10's ball spans 1..19)
    real = torch.tensor([[0.0], [1.0], [2.0], [3.0], [10.0]])
    assert knn_radii(real, 3).tolist() == [3.0, 2.0, 2.0, 3.0, 9.0]
    fake = torch.tensor([[5.5], [6.5], [19.5], [30.0]])  # 5.5 is in 3's ball and 10's; 6.5 in 10's only
    scores = manifold_scores(real, fake, k_pr=3, k_dc=3)
    assert scores.precision == pytest.approx(0.5)  # 5.5 and 6.5 inside; 19.5 and 30 outside every ball
    assert scores.density == pytest.approx((2 + 1) / 4 / 3)  # balls holding each fake, over k, averaged
    assert scores.coverage == pytest.approx(2 / 5)  # the balls of 3 and 10 hold a fake


def test_kid_is_shown_times_a_thousand_in_inception_features_and_as_it_is_in_the_classifiers():
    from gankit.metrics.feature_distances import shown

    assert shown("kid", 0.02324, inception=True) == ("kid×10³", pytest.approx(23.24))
    assert shown("kid", 87.2, inception=False) == ("kid", 87.2)  # the classifier's features have their own scale
    assert shown("fid", 31.7, inception=True) == ("fid", 31.7)
