"""The conversation on a commitment between the chief-of-staff office and the champion's side."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models.commitment import Commitment

COMMENT_MAX_LENGTH = 2000


class CommentQuerySet(models.QuerySet):
    def thread(self):
        """Comments as a conversation reads: the oldest first, the newest last, with their authors."""
        return self.select_related("author").order_by("created_at", "pk")

    def post(self, commitment, author, text, *, from_office, submission_key=None):
        """(comment, created): the comment `author` posts on `commitment`, or the one already posted
        with the same submission key (the same form posted twice: a double click, a resend).

        Why get_or_create on the key: it is unique, so of two posts of one form arriving at once,
        the second waits for the first's row, finds it and creates nothing.
        """
        values = {"commitment": commitment, "author": author, "text": text, "from_office": from_office}
        if submission_key is None:
            return self.create(**values), True
        return self.get_or_create(submission_key=submission_key, defaults=values)


class Comment(models.Model):
    """A message on a commitment, from the office or from the champion's side (the champion or a
    focal point), read by both and emailed to the other side (commitments/emails.py)."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The side the author wrote for, as it was then: an author may later change roles.
    from_office = models.BooleanField(verbose_name=_("from the office"), default=False)
    text = models.TextField(verbose_name=_("comment"), max_length=COMMENT_MAX_LENGTH)
    submission_key = models.UUIDField(
        verbose_name=_("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Sent with the comment form, so the same form posted twice posts one comment."),
    )
    created_at = models.DateTimeField(verbose_name=_("posted at"), auto_now_add=True)

    objects = CommentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["commitment", "created_at"])]

    def __str__(self):
        return f"{self.commitment}: {self.text[:60]}"
