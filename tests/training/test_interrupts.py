import signal

import pytest

from gankit.training.interrupts import stop_on_sigint


def test_a_first_ctrl_c_requests_a_stop_a_second_aborts_and_the_old_handler_comes_back():
    before = signal.getsignal(signal.SIGINT)
    requests = []
    with stop_on_sigint(lambda: requests.append(1), lambda: bool(requests)):
        signal.raise_signal(signal.SIGINT)
        assert requests == [1]
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
