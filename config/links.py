"""Links to a page of each of many rows, with the page's URL reversed once, not once per row."""

from django.urls import reverse

# A pk that no row has, reversed into the page's path, then replaced by each row's.
PK_PLACEHOLDER = 918273645


def link_to(name, query="", prefix="", current_app=None):
    """The function from a pk to the path of page `name` of it (after `prefix`, before `query`).

    Why: reverse() costs about 30 µs, and long tables, feeds and changelists link every row.
    """
    before, after = reverse(name, args=[PK_PLACEHOLDER], current_app=current_app).split(str(PK_PLACEHOLDER))
    before = prefix + before
    return lambda pk: f"{before}{pk}{after}{query}"
