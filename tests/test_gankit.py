import pytest

import gankit
from gankit import api, errors


def test_the_exports_are_the_modules_own_objects_and_an_unknown_name_is_an_attribute_error():
    assert gankit.train is api.train and gankit.Run is api.Run and gankit.GankitError is errors.GankitError
    assert sorted(gankit.__all__) == sorted([*gankit._EXPORTS, "__version__"])
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gankit.nope  # noqa: B018
