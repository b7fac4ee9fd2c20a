import pytest
import torch

from gankit.objectives.base import Objective
from gankit.objectives.wasserstein import Wasserstein


def test_the_progress_bar_shows_a_probability_for_logits_and_the_raw_mean_for_critics():
    scores = torch.tensor([0.0, 2.0])
    assert Objective().display(scores).item() == pytest.approx((0.5 + torch.tensor(2.0).sigmoid().item()) / 2)
    assert Wasserstein().display(scores).item() == 1.0


def test_the_contract_has_no_losses_of_its_own_and_logs_nothing_by_default():
    objective = Objective.from_settings({"penalty_weight": 3.0})
    assert objective.after_discriminator_update(torch.zeros(2), torch.zeros(2)) == {}
    with pytest.raises(NotImplementedError):
        objective.discriminator_loss(torch.zeros(2), torch.zeros(2))
