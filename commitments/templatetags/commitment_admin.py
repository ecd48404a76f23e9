"""The commitments changelist's result table: Django's `result_list` tag, its rows written by
CommitmentChangeList.rows() (commitments/admin.py)."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

register = template.Library()


def commitment_result_list(changelist):
    """The context Django's result_list gives admin/change_list_results.html."""
    headers = list(result_headers(changelist))
    return {
        "cl": changelist,
        "result_hidden_fields": list(result_hidden_fields(changelist)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": changelist.rows(),
    }


@register.tag(name="commitment_result_list")
def commitment_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=commitment_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
