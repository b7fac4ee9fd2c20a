import signal

import pytest

from gankit.training.interrupts import stop_on_sigint


def test_a_first_ctrl_c_requests_a_stop_a_second_aborts_and_the_old_handler_comes_back():
    # The handler is called as Python would call it on Ctrl-C, not through a real SIGINT: after OpenVINO has
    # run in this process (tests/metrics/test_inception.py), a real SIGINT caught in Python crashes it.
    before = signal.getsignal(signal.SIGINT)
    requests = []
    with stop_on_sigint(lambda: requests.append(1), lambda: bool(requests)):
        handler = signal.getsignal(signal.SIGINT)
        assert handler is not before
        handler(signal.SIGINT, None)
        assert requests == [1]
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
    assert signal.getsignal(signal.SIGINT) is before
