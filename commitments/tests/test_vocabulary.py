from commitments.models import average_percent, share_percent, women_share


def test_a_percentage_is_rounded_down_never_overstating():
    assert share_percent(996, 1000) == 99  # 99.6%
    assert share_percent(2, 3) == 66
    assert share_percent(1, 200) == 0  # 0.5%
    assert share_percent(5, 5) == 100
    assert share_percent(0, 5) == 0


def test_a_percentage_of_nothing_is_none():
    assert share_percent(0, 0) is None
    assert women_share(0, 0) is None
    assert average_percent(0, 0) is None


def test_womens_share_and_averages_follow_the_same_rule():
    assert women_share(2, 1) == 66
    assert women_share(1, 1) == 50
    assert average_percent(99 + 100, 2) == 99  # 99.5% on average
    assert average_percent(50 + 100 + 100, 3) == 83
